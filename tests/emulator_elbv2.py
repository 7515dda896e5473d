"""Elastic Load Balancing v2 as CloudFormation creates it, corrected over moto's elbv2 backend.

moto's AWS::ElasticLoadBalancingV2::LoadBalancer model reads only Name, Subnets,
SecurityGroups and Scheme: every balancer became an Application Load Balancer, so a TCP or
UDP listener of a Network Load Balancer failed ("Listener protocol 'TCP' must be one of
'HTTP, HTTPS'"). It drops Type, IpAddressType, SubnetMappings, LoadBalancerAttributes and
Tags, has no update, and lacks the GetAtt attributes CanonicalHostedZoneID,
LoadBalancerFullName and SecurityGroups
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-elasticloadbalancingv2-loadbalancer.html).
Target groups, listeners and listener rules had no deletion: a deleted stack left its
target groups behind. Here:

- a load balancer is created with its type (`application`, `network`), scheme, address
  type, subnets or subnet mappings (an NLB's ARN is `loadbalancer/net/...`), security groups (an NLB takes them too,
  https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-security-groups.html),
  attributes and tags; an update changes security groups, subnets and attributes in place
  and replaces it when Name, Scheme or Type changes (the "Update requires" of each property);
- a target group's tags and attributes are kept; deleting it waits for its listeners and
  rules to go first (moto refuses while one forwards to it, as ELB does, ResourceInUse);
- deleting a listener or a rule deletes it; one already gone with its load balancer counts
  as deleted (deleting a load balancer deletes its listeners and their rules,
  https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DeleteLoadBalancer.html).

Not modelled: no traffic, target registration or health check (ECS registers no task);
an NLB's security group is stored and not enforced; target group updates keep the
original health check settings.
"""
from __future__ import annotations

from typing import Any

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.elbv2 import models as elbv2_models
from moto.elbv2.exceptions import ListenerNotFoundError

ELBV2 = elbv2_models.elbv2_backends
_moto_create_target_group = elbv2_models.FakeTargetGroup.create_from_cloudformation_json.__func__  # type: ignore
REPLACING = ("Name", "Scheme", "Type")
BALANCER_ATTRIBUTES = ("DNSName", "LoadBalancerName", "LoadBalancerArn", "CanonicalHostedZoneID",
                       "LoadBalancerFullName", "SecurityGroups")


def _attributes(properties: dict[str, Any]) -> dict[str, str]:
    return {item["Key"]: str(item["Value"]) for item in properties.get("LoadBalancerAttributes", [])}


def create_load_balancer(cls: type, resource_name: str, cloudformation_json: Any, account_id: str,
                         region_name: str, **kwargs: Any) -> elbv2_models.FakeLoadBalancer:
    properties = cloudformation_json["Properties"]
    backend = ELBV2[account_id][region_name]
    balancer = backend.create_load_balancer(
        resource_name, properties.get("SecurityGroups", []), properties.get("Subnets", []),
        subnet_mappings=properties.get("SubnetMappings"), scheme=properties.get("Scheme", "internet-facing"),
        loadbalancer_type=properties.get("Type", "application"),
        ip_address_type=properties.get("IpAddressType", "ipv4"))
    if balancer.type == "network":  # moto names every balancer loadbalancer/app/...; ELB: net/ for an NLB
        del backend.load_balancers[balancer.arn]
        balancer.arn = balancer.arn.replace(":loadbalancer/app/", ":loadbalancer/net/")
        backend.load_balancers[balancer.arn] = balancer
    if properties.get("Tags"):
        backend.add_tags([balancer.arn], properties["Tags"])
    balancer.template_properties = {key: properties.get(key) for key in REPLACING}
    if _attributes(properties):
        backend.modify_load_balancer_attributes(balancer.arn, _attributes(properties))
    return balancer


def update_load_balancer(cls: type, original_resource: Any, new_resource_name: str, cloudformation_json: Any,
                         account_id: str, region_name: str) -> elbv2_models.FakeLoadBalancer:
    properties = cloudformation_json["Properties"]
    stated = getattr(original_resource, "template_properties", {})
    if new_resource_name != original_resource.name or any(
            properties.get(key) != stated.get(key) for key in REPLACING):
        replacement = create_load_balancer(cls, new_resource_name, cloudformation_json, account_id, region_name)
        original_resource.delete(account_id, region_name)
        return replacement
    backend = ELBV2[account_id][region_name]
    backend.set_security_groups(original_resource.arn, properties.get("SecurityGroups", []))
    if properties.get("Subnets") or properties.get("SubnetMappings"):
        backend.set_subnets(original_resource.arn, properties.get("Subnets", []), properties.get("SubnetMappings", []))
    if _attributes(properties):
        backend.modify_load_balancer_attributes(original_resource.arn, _attributes(properties))
    return original_resource


def load_balancer_attribute(self: elbv2_models.FakeLoadBalancer, attribute_name: str) -> Any:
    answers = {
        "DNSName": lambda: self.dns_name,
        "LoadBalancerName": lambda: self.name,
        "LoadBalancerArn": lambda: self.arn,
        "CanonicalHostedZoneID": lambda: self.canonical_hosted_zone_id,
        # app/<name>/<id> or net/<name>/<id>, the ARN after "loadbalancer/"
        "LoadBalancerFullName": lambda: self.arn.split(":loadbalancer/", 1)[1],
        "SecurityGroups": lambda: list(self.security_groups or []),
    }
    if attribute_name not in answers:
        raise UnformattedGetAttTemplateException()
    return answers[attribute_name]()


def create_target_group(cls: type, resource_name: str, cloudformation_json: Any, account_id: str,
                        region_name: str, **kwargs: Any) -> elbv2_models.FakeTargetGroup:
    properties = cloudformation_json["Properties"]
    group = _moto_create_target_group(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
    backend = ELBV2[account_id][region_name]
    if properties.get("Tags"):
        backend.add_tags([group.arn], properties["Tags"])
    attributes = {item["Key"]: str(item["Value"]) for item in properties.get("TargetGroupAttributes", [])}
    if attributes:
        backend.modify_target_group_attributes(group.arn, attributes)
    return group


def delete_target_group(self: elbv2_models.FakeTargetGroup, account_id: str, region_name: str) -> None:
    ELBV2[account_id][region_name].delete_target_group(self.arn)  # ResourceInUse: moto's loop retries


def delete_listener(self: elbv2_models.FakeListener, account_id: str, region_name: str) -> None:
    try:
        ELBV2[account_id][region_name].delete_listener(self.arn)
    except ListenerNotFoundError:
        pass  # gone with its load balancer


def delete_rule(self: elbv2_models.FakeListenerRule, account_id: str, region_name: str) -> None:
    ELBV2[account_id][region_name].delete_rule(self.arn)  # (moto ignores a rule already gone)


def install() -> None:
    balancer, group = elbv2_models.FakeLoadBalancer, elbv2_models.FakeTargetGroup
    balancer.create_from_cloudformation_json = classmethod(create_load_balancer)  # type: ignore[assignment]
    balancer.update_from_cloudformation_json = classmethod(update_load_balancer)  # type: ignore[assignment]
    balancer.get_cfn_attribute = load_balancer_attribute  # type: ignore[method-assign]
    balancer.has_cfn_attr = classmethod(lambda cls, attr: attr in BALANCER_ATTRIBUTES)  # type: ignore[assignment]
    group.create_from_cloudformation_json = classmethod(create_target_group)  # type: ignore[assignment]
    group.delete = delete_target_group  # type: ignore[attr-defined]
    elbv2_models.FakeListener.delete = delete_listener  # type: ignore[attr-defined]
    elbv2_models.FakeListenerRule.delete = delete_rule  # type: ignore[attr-defined]
