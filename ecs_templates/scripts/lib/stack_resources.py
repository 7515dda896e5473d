"""What the scripts act on, read from a stack's resources, its template or its ECS tasks.

Standard library only, like cfn_helper.py, which calls it: the resources deletion keeps,
the services, clusters, groups and load balancers to wait for or scale, the public port,
and where a task runs.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence


def retained_resources(template: Mapping[str, Any],
                       resources: Sequence[Mapping[str, Any]]) -> list[tuple[str, str, str, str]]:
    """(type, logical id, physical id, policy) of the stack's resources that deletion keeps."""
    policies = {name: resource.get("DeletionPolicy") for name, resource in
                template.get("Resources", {}).items()}
    kept = []
    for resource in resources:
        logical = resource.get("LogicalResourceId", "")
        physical = resource.get("PhysicalResourceId") or ""
        policy = policies.get(logical)
        if policy in ("Retain", "RetainExceptOnCreate", "Snapshot") and physical not in ("", "None"):
            kept.append((resource.get("ResourceType", ""), logical, physical, policy))
    return sorted(kept)


def stack_parts(resources: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """The pieces the scripts act on: services, clusters, Auto Scaling groups, load balancers."""
    kinds = {
        "AWS::ECS::Service": "service",
        "AWS::ECS::Cluster": "cluster",
        "AWS::AutoScaling::AutoScalingGroup": "asg",
        "AWS::ElasticLoadBalancingV2::LoadBalancer": "lb",
    }
    parts = []
    for resource in resources:
        kind = kinds.get(resource.get("ResourceType", ""))
        physical = resource.get("PhysicalResourceId") or ""
        if kind and physical not in ("", "None"):
            parts.append((kind, physical))
    return sorted(parts)


def public_port(template: Mapping[str, Any]) -> int:
    """The port the stack opens to its AllowedCidr-style parameter (not to another security group)."""
    ports = []
    for resource in template.get("Resources", {}).values():
        properties = resource.get("Properties", {})
        rules = []
        if resource.get("Type") == "AWS::EC2::SecurityGroup":
            rules = properties.get("SecurityGroupIngress", [])
        elif resource.get("Type") == "AWS::EC2::SecurityGroupIngress":
            rules = [properties]
        for rule in rules:
            if "CidrIp" in rule and "FromPort" in rule:
                ports.append(int(rule["FromPort"]))
    return 80 if not ports or 80 in ports else min(ports)


def task_placement(task: Mapping[str, Any]) -> tuple[str, str]:
    """("eni", network interface id) for an awsvpc task, else ("instance", container instance ARN)."""
    for attachment in task.get("attachments") or []:
        for detail in attachment.get("details") or []:
            if detail.get("name") == "networkInterfaceId" and detail.get("value"):
                return "eni", detail["value"]
    if task.get("containerInstanceArn"):
        return "instance", task["containerInstanceArn"]
    return "none", ""
