"""AWS::EC2::SecurityGroupIngress as CloudFormation creates it, over moto's ec2 backend.

moto's model authorizes the rule and keeps nothing of it: the stack listed the resource
with no physical id, an update left the old rule, and deleting the stack left every rule
in place (so a group that another group's rule names could not go either), and the
Description of a rule from another group was dropped. CloudFormation's Ref and
`GetAtt Id` of the resource are the security group rule's id (sgr-...,
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-securitygroupingress.html#aws-resource-ec2-securitygroupingress-return-values),
and a changed rule is removed and added again. Here the rule is authorized through moto's
backend (TCP, UDP, ICMP or -1; from a CIDR or from a group), its rule id is the physical id,
an update revokes it and authorizes the new one, and deletion revokes it (a rule whose group
is already gone counts as deleted).

Not modelled: SourcePrefixListId and SourceSecurityGroupOwnerId (another account's group);
the rule is stored, no packet is filtered.
"""
from __future__ import annotations

from typing import Any

from moto.ec2 import models as ec2_models
from moto.ec2.exceptions import InvalidPermissionNotFoundError, InvalidSecurityGroupNotFoundError
from moto.ec2.models.security_groups import SecurityGroupIngress

EC2 = ec2_models.ec2_backends


def rule_arguments(properties: dict[str, Any]) -> dict[str, Any]:
    """The backend's arguments for the rule the properties describe."""
    description = properties.get("Description")
    source: dict[str, Any] = {}
    if properties.get("SourceSecurityGroupId"):
        source["GroupId"] = properties["SourceSecurityGroupId"]
    if properties.get("SourceSecurityGroupName"):
        source["GroupName"] = properties["SourceSecurityGroupName"]
    if source and description:
        source["Description"] = description
    ranges = [{"CidrIp": properties["CidrIp"], **({"Description": description} if description else {})}] \
        if properties.get("CidrIp") else []
    ranges += [{"CidrIpv6": properties["CidrIpv6"], **({"Description": description} if description else {})}] \
        if properties.get("CidrIpv6") else []
    protocol = str(properties["IpProtocol"])
    return {"group_name_or_id": properties.get("GroupId") or properties["GroupName"], "ip_protocol": protocol,
            "from_port": properties.get("FromPort", -1 if protocol == "-1" else None),
            "to_port": properties.get("ToPort", -1 if protocol == "-1" else None),
            "ip_ranges": ranges, "source_groups": [source] if source else []}


def create_ingress(cls: type, resource_name: str, cloudformation_json: Any, account_id: str,
                   region_name: str, **kwargs: Any) -> SecurityGroupIngress:
    properties = cloudformation_json["Properties"]
    rules, group = EC2[account_id][region_name].authorize_security_group_ingress(**rule_arguments(properties))
    ingress = cls(group, properties)
    ingress.rule_ids = [rule.id for rule in rules]
    return ingress


def update_ingress(cls: type, original_resource: Any, new_resource_name: str, cloudformation_json: Any,
                   account_id: str, region_name: str) -> SecurityGroupIngress:
    delete_ingress(original_resource, account_id, region_name)
    return create_ingress(cls, new_resource_name, cloudformation_json, account_id, region_name)


def delete_ingress(self: SecurityGroupIngress, account_id: str, region_name: str) -> None:
    try:
        EC2[account_id][region_name].revoke_security_group_ingress(
            self.security_group.id, None, None, None, [], security_rule_ids=list(getattr(self, "rule_ids", [])))
    except (InvalidPermissionNotFoundError, InvalidSecurityGroupNotFoundError):
        pass  # gone with its group


def ingress_attribute(self: SecurityGroupIngress, attribute_name: str) -> str:
    from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

    if attribute_name != "Id":
        raise UnformattedGetAttTemplateException()
    return self.physical_resource_id


def install() -> None:
    SecurityGroupIngress.create_from_cloudformation_json = classmethod(create_ingress)  # type: ignore[assignment]
    SecurityGroupIngress.update_from_cloudformation_json = classmethod(update_ingress)  # type: ignore[assignment]
    SecurityGroupIngress.delete = delete_ingress  # type: ignore[attr-defined]
    SecurityGroupIngress.physical_resource_id = property(  # type: ignore[attr-defined]
        lambda self: ",".join(getattr(self, "rule_ids", [])) or None)
    SecurityGroupIngress.get_cfn_attribute = ingress_attribute  # type: ignore[method-assign]
    SecurityGroupIngress.has_cfn_attr = classmethod(lambda cls, attr: attr == "Id")  # type: ignore[assignment]
