"""What a deleted stack kept, as the parameters that put it back; and a stack's service URLs.

Standard library only, like cfn_helper.py, which calls it. delete.sh reads the stack
before deleting it (template, resources, description) and, once it is gone, prints the
deploy command that starts the same stack on the data its DeletionPolicy kept:

- a retained EFS file system (or any retained resource the template can take instead of
  creating it): the template chooses between creating it and a parameter
  (`Fn::If [cond, Ref FileSystem, Ref ExistingFileSystemId]`, either way round); that
  parameter gets the kept resource's physical ID. CloudFormation retains a resource whose
  DeletionPolicy is Retain: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html
- an RDS instance with DeletionPolicy Snapshot: CloudFormation takes a final snapshot
  before deleting it (same page); the parameter its DBSnapshotIdentifier property refers to
  gets that snapshot, the newest of the instance (delete.sh asks RDS for it). Restoring
  from a snapshot is a new instance from it: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbinstance.html#cfn-rds-dbinstance-dbsnapshotidentifier

Every other parameter keeps the value the stack had, when it is not the template's
default, and the VPC and subnets always do: mount targets of the kept file system can only
be in the VPC it was used in.
"""
from __future__ import annotations

import re
from typing import Any, Iterator, Mapping, Sequence

NETWORK_TYPES = ("AWS::EC2::VPC::Id", "List<AWS::EC2::Subnet::Id>")


def _walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _ref(node: Any) -> str | None:
    return node["Ref"] if isinstance(node, dict) and set(node) == {"Ref"} and isinstance(node["Ref"], str) else None


def existing_parameter(template: Mapping[str, Any], logical: str) -> str | None:
    """The parameter that stands for resource `logical` when the template does not create it."""
    parameters = template.get("Parameters", {})
    for node in _walk(template):
        if isinstance(node, dict) and set(node) == {"Fn::If"} and isinstance(node["Fn::If"], list) \
                and len(node["Fn::If"]) == 3:
            refs = [_ref(branch) for branch in node["Fn::If"][1:]]
            if logical in refs:
                other = refs[1 - refs.index(logical)]
                if other in parameters:
                    return other
    return None


def snapshot_parameter(template: Mapping[str, Any], logical: str) -> str | None:
    """The parameter the DB instance's DBSnapshotIdentifier property refers to."""
    value = template.get("Resources", {}).get(logical, {}).get("Properties", {}).get("DBSnapshotIdentifier")
    parameters = template.get("Parameters", {})
    return next((ref for ref in map(_ref, _walk(value)) if ref in parameters), None)


def _listed(value: str) -> str:
    """A list parameter as the stack reports it (AWS: "a,b"; the emulator: "['a', 'b']") as a,b."""
    if value.startswith("[") and value.endswith("]"):
        return ",".join(item.strip(" '\"") for item in value[1:-1].split(",") if item.strip())
    return value


def _default(spec: Mapping[str, Any]) -> str | None:
    if "Default" not in spec:
        return None
    default = spec["Default"]
    return ",".join(map(str, default)) if isinstance(default, list) else str(default)


def restore_plan(template: Mapping[str, Any], resources: Sequence[Mapping[str, Any]],
                 stack: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """Rows for delete.sh, in parameter order: ("param", KEY, VALUE) or ("snapshot", KEY, DB instance id).

    Empty when the deletion kept nothing that a parameter brings back.
    """
    specs = template.get("Parameters", {})
    resource_specs = template.get("Resources", {})
    values = {item.get("ParameterKey", ""): _listed(str(item.get("ParameterValue", "")))
              for item in stack.get("Parameters") or []}
    physical = {resource.get("LogicalResourceId", ""): resource.get("PhysicalResourceId") or ""
                for resource in resources}
    kept: dict[str, tuple[str, str]] = {}
    for logical, spec in sorted(resource_specs.items()):
        made = physical.get(logical, "") not in ("", "None")
        if spec.get("DeletionPolicy") in ("Retain", "RetainExceptOnCreate"):  # a file system; any kept resource
            parameter = existing_parameter(template, logical)
            if parameter and made:
                kept[parameter] = ("param", physical[logical])
            elif parameter and values.get(parameter):  # the stack ran on a kept file system already
                kept[parameter] = ("param", values[parameter])
        elif spec.get("Type") == "AWS::RDS::DBInstance" and spec.get("DeletionPolicy") == "Snapshot" and made:
            parameter = snapshot_parameter(template, logical)
            if parameter:
                kept[parameter] = ("snapshot", physical[logical])
    if not kept:
        return []
    rows = []
    for key in sorted(specs):
        spec = specs[key]
        if key in kept:
            rows.append((kept[key][0], key, kept[key][1]))
        elif key in values and not spec.get("NoEcho") and (
                spec.get("Type") in NETWORK_TYPES or values[key] != _default(spec)):
            rows.append(("param", key, values[key]))
    return rows


def service_urls(stack: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(service, URL) of each `*Url` output: the service named as the output's description
    says ("<service> from the internet (...)"), else the output's name without Url."""
    rows = []
    outputs = sorted(stack.get("Outputs") or [], key=lambda output: output.get("OutputKey", ""))
    for output in outputs:
        key = output.get("OutputKey", "")
        if not re.fullmatch(r"\w+Url", key):
            continue
        described = re.match(r"(\S+) from the internet\b", output.get("Description") or "")
        rows.append((described.group(1) if described else key[:-3], str(output.get("OutputValue", ""))))
    return rows
