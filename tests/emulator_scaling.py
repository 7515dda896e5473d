"""Application Auto Scaling as CloudFormation models over moto's applicationautoscaling backend.

A ScalableTarget's Ref is CloudFormation's generated id, `ResourceId|ScalableDimension|
ServiceNamespace` (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-applicationautoscaling-scalabletarget.html#aws-resource-applicationautoscaling-scalabletarget-return-values);
a ScalingPolicy names its target by that id (ScalingTargetId) or by the three properties,
and its Ref is the policy's ARN. moto checks, as AWS does, that the ECS service of an
`ecs` target exists.
"""
from __future__ import annotations

from typing import Any

from moto.applicationautoscaling.models import applicationautoscaling_backends

from emulator_models import HarnessModel


def target_key(properties: dict[str, Any]) -> tuple[str, str, str]:
    """(namespace, resource id, dimension) of a target or of a policy's target."""
    if "ScalingTargetId" in properties:
        resource_id, dimension, namespace = properties["ScalingTargetId"].split("|")
        return namespace, resource_id, dimension
    return properties["ServiceNamespace"], properties["ResourceId"], properties["ScalableDimension"]


class ScalableTarget(HarnessModel):
    TYPE = "AWS::ApplicationAutoScaling::ScalableTarget"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: Any,  # type: ignore[override]
                                        account_id: str, region_name: str, **kwargs: Any) -> ScalableTarget:
        properties = cloudformation_json["Properties"]
        namespace, resource_id, dimension = key = target_key(properties)
        applicationautoscaling_backends[account_id][region_name].register_scalable_target(
            namespace, resource_id, dimension, int(properties["MinCapacity"]), int(properties["MaxCapacity"]),
            properties.get("RoleARN"), properties.get("SuspendedState"))
        return cls(f"{resource_id}|{dimension}|{namespace}", {}, {"key": key})

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,  # type: ignore[override]
                                        cloudformation_json: Any, account_id: str, region_name: str) -> Any:
        if target_key(cloudformation_json["Properties"]) != original_resource.state["key"]:
            return super().update_from_cloudformation_json(
                original_resource, new_resource_name, cloudformation_json, account_id, region_name)
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    def delete(self, account_id: str, region_name: str) -> None:
        applicationautoscaling_backends[account_id][region_name].deregister_scalable_target(*self.state["key"])


class ScalingPolicy(HarnessModel):
    TYPE, ATTRIBUTES = "AWS::ApplicationAutoScaling::ScalingPolicy", ("Arn",)

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: Any,  # type: ignore[override]
                                        account_id: str, region_name: str, **kwargs: Any) -> ScalingPolicy:
        properties = cloudformation_json["Properties"]
        backend = applicationautoscaling_backends[account_id][region_name]
        namespace, resource_id, dimension = target_key(properties)
        if not backend.describe_scalable_targets(namespace, [resource_id], dimension):
            raise ValueError(f"no scalable target {resource_id} ({dimension}) for policy {properties['PolicyName']}")
        body = properties.get("TargetTrackingScalingPolicyConfiguration") or \
            properties.get("StepScalingPolicyConfiguration")
        policy = backend.put_scaling_policy(properties["PolicyName"], namespace, resource_id, dimension, body,
                                            properties.get("PolicyType"))
        state = {"name": properties["PolicyName"], "key": (namespace, resource_id, dimension)}
        return cls(policy.policy_arn, {"Arn": policy.policy_arn}, state)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,  # type: ignore[override]
                                        cloudformation_json: Any, account_id: str, region_name: str) -> Any:
        properties = cloudformation_json["Properties"]
        same = (properties["PolicyName"], target_key(properties)) == \
            (original_resource.state["name"], original_resource.state["key"])
        if not same:
            return super().update_from_cloudformation_json(
                original_resource, new_resource_name, cloudformation_json, account_id, region_name)
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    def delete(self, account_id: str, region_name: str) -> None:
        namespace, resource_id, dimension = self.state["key"]
        applicationautoscaling_backends[account_id][region_name].delete_scaling_policy(
            self.state["name"], namespace, resource_id, dimension)
