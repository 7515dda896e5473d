"""Checks a scanner cannot know, over a finished template (the dict CloudFormation receives).

- which checkov checks each resource suppresses, and why;
- password-like parameters that would echo their value;
- IAM statements broader than least privilege;
- the ports open to the internet.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Mapping

from ecs_templates.builders.suppressions import CHECKOV_KEY
from ecs_templates.security.plaintext import is_password_like

IAM_POLICY_HOLDERS = {
    "AWS::IAM::Role": "Policies",
    "AWS::IAM::User": "Policies",
    "AWS::IAM::Group": "Policies",
    "AWS::IAM::Policy": None,
    "AWS::IAM::ManagedPolicy": None,
    "AWS::IAM::RolePolicy": None,
}
WORLD = ("0.0.0.0/0", "::/0")
ALL_PORTS = -1


@dataclass(frozen=True, order=True)
class Suppression:
    resource: str
    check_id: str
    reason: str


def suppressions(template: Mapping[str, Any]) -> list[Suppression]:
    """Every checkov suppression in the template's resources, with its reason."""
    found = []
    for logical, resource in template.get("Resources", {}).items():
        for skip in (resource.get("Metadata") or {}).get(CHECKOV_KEY, {}).get("skip", []):
            found.append(Suppression(logical, str(skip.get("id", "")), str(skip.get("comment", "")).strip()))
    return sorted(found)


def echoing_password_parameters(template: Mapping[str, Any]) -> list[str]:
    """Password-like parameters that lack NoEcho, or carry a default value."""
    return sorted(name for name, parameter in template.get("Parameters", {}).items()
                  if is_password_like(name)
                  and (str(parameter.get("NoEcho", "false")).lower() != "true" or parameter.get("Default")))


def _unwrap(value: Any) -> Iterator[Any]:
    """The branches of Fn::If (both may be deployed), else the value itself; AWS::NoValue vanishes."""
    if isinstance(value, dict) and "Fn::If" in value:
        for branch in value["Fn::If"][1:]:
            yield from _unwrap(branch)
    elif isinstance(value, dict) and value.get("Ref") == "AWS::NoValue":
        return
    else:
        yield value


def _as_list(value: Any) -> list[Any]:
    return [item for element in (value if isinstance(value, list) else [value]) for item in _unwrap(element)]


def policy_statements(template: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(resource logical ID, statement) for every identity-policy statement, in every Fn::If branch."""
    for logical, resource in template.get("Resources", {}).items():
        kind = resource.get("Type")
        if kind not in IAM_POLICY_HOLDERS:
            continue
        properties = resource.get("Properties", {})
        key = IAM_POLICY_HOLDERS[kind]
        policies = _as_list(properties.get(key, [])) if key else [properties]
        for policy in policies:
            for document in _unwrap(policy.get("PolicyDocument", {})):
                for statement in _as_list(document.get("Statement", [])):
                    yield logical, statement


def iam_violations(template: Mapping[str, Any], star_only_actions: Mapping[str, str]) -> list[str]:
    """Statements that allow `*` or wildcard actions, NotAction/NotResource, or other actions on `*`.

    Only the actions AWS grants solely on Resource "*" (`star_only_actions`, each with its
    reason) may appear with it.
    """
    problems = []
    for logical, statement in policy_statements(template):
        if statement.get("Effect") != "Allow":
            continue
        for key in ("NotAction", "NotResource"):
            if key in statement:
                problems.append(f"{logical}: {key} allows everything it does not name")
        actions = [str(action) for action in _as_list(statement.get("Action", []))]
        resources = _as_list(statement.get("Resource", []))
        for action in actions:
            if "*" in action:
                problems.append(f"{logical}: wildcard action {action}")
        if "*" in resources:
            for action in actions:
                if action not in star_only_actions:
                    problems.append(f"{logical}: {action} on Resource '*' (only actions AWS grants solely "
                                    "on '*' may be, each listed with its reason in STAR_ONLY_ACTIONS)")
    return sorted(set(problems))


def _is_public_source(rule: Mapping[str, Any], template: Mapping[str, Any]) -> bool:
    """From the whole internet, or from a CIDR chosen at deploy time whose default is the whole internet."""
    for key in ("CidrIp", "CidrIpv6"):
        for source in _unwrap(rule.get(key)):
            if source in WORLD:
                return True
            if isinstance(source, dict) and "Ref" in source:
                parameter = template.get("Parameters", {}).get(source["Ref"], {})
                if parameter.get("Default", "") in WORLD or "Default" not in parameter:
                    return True
    return False


def _ingress_rules(template: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for resource in template.get("Resources", {}).values():
        if resource.get("Type") == "AWS::EC2::SecurityGroup":
            yield from _as_list(resource.get("Properties", {}).get("SecurityGroupIngress", []))
        elif resource.get("Type") == "AWS::EC2::SecurityGroupIngress":
            yield resource.get("Properties", {})


def public_ports(template: Mapping[str, Any]) -> list[int]:
    """The ports open to the internet; ALL_PORTS (-1) when a rule opens every port or protocol."""
    ports: set[int] = set()
    for rule in _ingress_rules(template):
        if not _is_public_source(rule, template):
            continue
        protocol = str(rule.get("IpProtocol", ""))
        low, high = rule.get("FromPort"), rule.get("ToPort")
        if protocol in ("-1", "all") or not isinstance(low, int) or not isinstance(high, int) \
                or low < 0 or high - low > 1024:
            ports.add(ALL_PORTS)
        else:
            ports.update(range(low, high + 1))
    return sorted(ports)


def network_mode(template: Mapping[str, Any]) -> str | None:
    """The task definitions' network mode (None when the stack runs no task)."""
    modes = {resource.get("Properties", {}).get("NetworkMode", "bridge")
             for resource in template.get("Resources", {}).values()
             if resource.get("Type") == "AWS::ECS::TaskDefinition"}
    if len(modes) > 1:
        raise ValueError(f"task definitions of several network modes: {sorted(modes)}")
    return next(iter(modes), None)


def template_problems(template: Mapping[str, Any], where: str) -> list[str]:
    """This project's own rules that need no configuration: IAM, NoEcho, plaintext secrets, reasons."""
    from ecs_templates.builders.iam import STAR_ONLY_ACTIONS
    from ecs_templates.builders.suppressions import MIN_REASON_LENGTH
    from ecs_templates.security.plaintext import in_structure

    problems = [f"{where}: {problem}" for problem in iam_violations(template, STAR_ONLY_ACTIONS)]
    problems += [f"{where}: parameter {name} would echo a password: set NoEcho and no Default"
                 for name in echoing_password_parameters(template)]
    problems += [str(finding) for finding in in_structure(template, where)]
    problems += [f"{where}: {item.resource} suppresses {item.check_id} without a reason a reviewer can judge"
                 for item in suppressions(template) if len(item.reason) < MIN_REASON_LENGTH]
    return problems
