"""Scaling: Application Auto Scaling and ECS capacity providers, as CloudFormation models
over moto's applicationautoscaling and ecs backends.

A ScalableTarget's Ref is CloudFormation's generated id, `ResourceId|ScalableDimension|
ServiceNamespace` (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-applicationautoscaling-scalabletarget.html#aws-resource-applicationautoscaling-scalabletarget-return-values);
a ScalingPolicy names its target by that id (ScalingTargetId) or by the three properties,
and its Ref is the policy's ARN. moto checks, as AWS does, that the ECS service of an
`ecs` target exists. A capacity provider association checks, as ECS does, that each
provider is FARGATE, FARGATE_SPOT or one the account has.
"""
from __future__ import annotations

from typing import Any

from moto.applicationautoscaling.models import applicationautoscaling_backends
from moto.ecs.exceptions import InvalidParameterException
from moto.ecs.models import ecs_backends as ECS

from emulator_ecs import camel
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


# --- capacity providers ------------------------------------------------------------------------

def providers_exist(account_id: str, region_name: str, names: list[str]) -> None:
    known = set(ECS[account_id][region_name].capacity_providers) | {"FARGATE", "FARGATE_SPOT"}
    unknown = [name for name in names if name.split("/")[-1] not in known]
    if unknown:
        raise InvalidParameterException(f"capacity providers {unknown} do not exist")


class ClusterCapacityProviderAssociations(HarnessModel):
    TYPE = "AWS::ECS::ClusterCapacityProviderAssociations"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: Any,  # type: ignore[override]
                                        account_id: str, region_name: str, **kwargs: Any) -> HarnessModel:
        properties = cloudformation_json["Properties"]
        providers_exist(account_id, region_name, properties["CapacityProviders"])
        cluster = ECS[account_id][region_name].put_cluster_capacity_providers(
            properties["Cluster"], properties["CapacityProviders"],
            camel(properties["DefaultCapacityProviderStrategy"]))
        return cls(cluster.name, {}, {})

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,  # type: ignore[override]
                                        cloudformation_json: Any, account_id: str, region_name: str) -> Any:
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    def delete(self, account_id: str, region_name: str) -> None:
        ECS[account_id][region_name].put_cluster_capacity_providers(self.physical_id, [], [])


class CapacityProvider(HarnessModel):
    TYPE, NAME_PROPERTY = "AWS::ECS::CapacityProvider", "Name"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: Any,  # type: ignore[override]
                                        account_id: str, region_name: str, **kwargs: Any) -> HarnessModel:
        properties = cloudformation_json["Properties"]
        provider = ECS[account_id][region_name].create_capacity_provider(
            resource_name, camel(properties["AutoScalingGroupProvider"]), camel(properties.get("Tags")))
        return cls(provider.name, {}, {})

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,  # type: ignore[override]
                                        cloudformation_json: Any, account_id: str, region_name: str) -> Any:
        if new_resource_name != original_resource.physical_id:
            return super().update_from_cloudformation_json(
                original_resource, new_resource_name, cloudformation_json, account_id, region_name)
        asg = camel(cloudformation_json["Properties"]["AutoScalingGroupProvider"])
        asg.pop("autoScalingGroupArn", None)  # cannot change in place
        ECS[account_id][region_name].update_capacity_provider(original_resource.physical_id, asg)
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        ECS[account_id][region_name].delete_capacity_provider(self.physical_id)
