"""Corrections to moto's own models: the `Fn::GetAtt`s some lack, and IAM role updates.

The attribute names are each type's "Return values" in
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-template-resource-type-ref.html.
moto's role update changed only the description; CloudFormation updates the trust policy and
the inline policies in place
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-role.html).
"""
from __future__ import annotations

import json
from typing import Any, Callable

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.ecs import models as ecs_models
from moto.efs import models as efs_models
from moto.elbv2 import models as elbv2_models
from moto.iam import models as iam_models
from moto.utilities.utils import get_partition

MISSING_ATTRIBUTES: dict[type, dict[str, Callable[[Any], Any]]] = {
    efs_models.AccessPoint: {"Arn": lambda model: model.access_point_arn,
                             "AccessPointId": lambda model: model.access_point_id},
    efs_models.FileSystem: {"Arn": lambda model: model.file_system_arn,
                            "FileSystemId": lambda model: model.file_system_id},
    efs_models.MountTarget: {"Id": lambda model: model.mount_target_id,
                             "IpAddress": lambda model: model.ip_address},
    elbv2_models.FakeTargetGroup: {"TargetGroupArn": lambda model: model.arn,
                                   "TargetGroupName": lambda model: model.name,
                                   "TargetGroupFullName": lambda model: model.arn.split(":")[-1],
                                   "LoadBalancerArns": lambda model: list(model.load_balancer_arns)},
    elbv2_models.FakeListener: {"ListenerArn": lambda model: model.arn},
    ecs_models.TaskDefinition: {"TaskDefinitionArn": lambda model: model.arn},
}


def missing_attribute(self: Any, attribute_name: str) -> Any:
    getters = MISSING_ATTRIBUTES[type(self)]
    if attribute_name not in getters:
        raise UnformattedGetAttTemplateException()
    return getters[attribute_name](self)


_moto_update_role = iam_models.Role.update_from_cloudformation_json.__func__  # type: ignore[attr-defined]


def update_role(cls: type, original_resource: Any, new_resource_name: str, cloudformation_json: Any,
                account_id: str, region_name: str) -> Any:
    """moto's role update, with the trust policy and the inline policies brought up to date."""
    role = _moto_update_role(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name)
    properties = cloudformation_json["Properties"]
    backend = iam_models.iam_backends[account_id][get_partition(region_name)]
    backend.update_assume_role_policy(role.name, json.dumps(properties["AssumeRolePolicyDocument"]))
    wanted = {policy["PolicyName"]: policy["PolicyDocument"] for policy in properties.get("Policies", [])}
    for name in set(backend.list_role_policies(role.name)) - set(wanted):
        backend.delete_role_policy(role.name, name)
    for name, document in wanted.items():
        backend.put_role_policy(role.name, name, json.dumps(document))
    return role


def install() -> None:
    iam_models.Role.update_from_cloudformation_json = classmethod(update_role)  # type: ignore[assignment]
    for model, getters in MISSING_ATTRIBUTES.items():
        model.get_cfn_attribute = missing_attribute  # type: ignore[attr-defined]
        model.has_cfn_attr = classmethod(lambda cls, attr, names=tuple(getters): attr in names)  # type: ignore
