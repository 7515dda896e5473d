"""Reading the services stacks back: the security-group graph, containers, roles, for the tests."""
from __future__ import annotations

from typing import Any

from helpers import resources_of_type


def ingress_graph(template: dict[str, Any]) -> set[tuple[str, int, str, str]]:
    """(security group, port, protocol, source) of every inbound rule; a source is `cidr:<Ref>` or a group."""
    edges = set()

    def add(group: str, rule: dict[str, Any]) -> None:
        assert rule["FromPort"] == rule["ToPort"], rule
        assert rule.get("Description"), f"rule without a description on {group}"
        source = (rule["SourceSecurityGroupId"]["Ref"] if "SourceSecurityGroupId" in rule
                  else f"cidr:{rule['CidrIp']['Ref']}")
        edges.add((group, rule["FromPort"], rule["IpProtocol"], source))

    for name, group in resources_of_type(template, "AWS::EC2::SecurityGroup").items():
        for rule in group["Properties"].get("SecurityGroupIngress", []):
            add(name, rule)
    for ingress in resources_of_type(template, "AWS::EC2::SecurityGroupIngress").values():
        add(ingress["Properties"]["GroupId"]["Ref"], ingress["Properties"])
    return edges


def containers(template: dict[str, Any], task: str) -> dict[str, dict[str, Any]]:
    definitions = template["Resources"][task]["Properties"]["ContainerDefinitions"]
    return {definition["Name"]: definition for definition in definitions}


def environment(container: dict[str, Any]) -> dict[str, Any]:
    return {item["Name"]: item["Value"] for item in container.get("Environment", [])}


def secrets(container: dict[str, Any]) -> dict[str, Any]:
    return {item["Name"]: item["ValueFrom"] for item in container.get("Secrets", [])}


def role_statements(template: dict[str, Any], role: str) -> list[dict[str, Any]]:
    return [statement for policy in template["Resources"][role]["Properties"].get("Policies", [])
            for statement in (policy.get("PolicyDocument") or policy["Fn::If"][1]["PolicyDocument"])["Statement"]]


def ecs_services(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """ServiceName -> the ECS service's properties."""
    return {resource["Properties"]["ServiceName"]: resource["Properties"]
            for resource in resources_of_type(template, "AWS::ECS::Service").values()}


def service_connect_aliases(template: dict[str, Any]) -> set[tuple[str, str, int]]:
    """(service, alias, port) that Service Connect publishes."""
    return {(name, alias["DnsName"], alias["Port"])
            for name, service in ecs_services(template).items()
            for entry in service["ServiceConnectConfiguration"].get("Services", [])
            for alias in entry["ClientAliases"]}
