"""What a template's properties come to with the deploy's parameters (standard library only).

Used by cfn_helper.py before anything is created: the repository names deploy.sh adopts
through an IMPORT change set, the capacity provider names whose prefix ECS refuses, and
the minified body sent inline.
"""
from __future__ import annotations

import json
import re
from typing import Any, Mapping, Sequence

# Identifier property of each resource type deploy.sh adopts when it already exists
# (CloudFormation's resource import: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resource-import.html)
IMPORT_IDENTIFIERS = {"AWS::ECR::Repository": "RepositoryName"}
# "The name can't be prefixed with "aws", "ecs", or "fargate"" (ECS CreateCapacityProvider, name):
# https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCapacityProvider.html
# Without a Name, CloudFormation names it CFNStackName-CFNResourceName-RandomString:
# https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ecs-capacityprovider.html
RESERVED_CAPACITY_PROVIDER_PREFIX = re.compile(r"^(aws|ecs|fargate)", re.IGNORECASE)


def resolve(value: Any, parameters: Mapping[str, str], stack_name: str) -> str | None:
    """A string property with Ref, Fn::Sub (no variable map) and Fn::Join worked out; None if not a plain value."""
    known = dict(parameters, **{"AWS::StackName": stack_name})
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        (function, argument), = value.items()
        if function == "Ref":
            return known.get(argument)
        if function == "Fn::Sub" and isinstance(argument, str):
            names = re.findall(r"\$\{([^}!]+)\}", argument)
            if not all(name in known for name in names):
                return None
            return re.sub(r"\$\{([^}!]+)\}", lambda match: known[match.group(1)], argument)
        if function == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
            parts = [resolve(part, parameters, stack_name) for part in argument[1]]
            return None if None in parts else str(argument[0]).join(parts)  # type: ignore[arg-type]
    return None


def parameter_values(resolved: Sequence[Mapping[str, str]]) -> dict[str, str]:
    """The [{ParameterKey, ParameterValue}] list the deploy sends, as a mapping."""
    return {item["ParameterKey"]: item["ParameterValue"] for item in resolved}


def importable(template: Mapping[str, Any], parameters: Mapping[str, str],
               stack_name: str) -> list[tuple[str, str, str, str]]:
    """(type, logical id, identifier property, identifier) of the resources an import could adopt."""
    found = []
    for logical, spec in sorted(template.get("Resources", {}).items()):
        key = IMPORT_IDENTIFIERS.get(spec.get("Type", ""))
        if key is None or "Condition" in spec:
            continue
        identifier = resolve(spec.get("Properties", {}).get(key), parameters, stack_name)
        if identifier:
            found.append((spec["Type"], logical, key, identifier))
    return found


def import_request(template: Mapping[str, Any], adopt: Sequence[tuple[str, str, str, str]]
                   ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(template, resources to import) of an IMPORT change set that creates the stack from `adopt`.

    An import only adds the imported resources: the template holds them alone, each with
    its DeletionPolicy, and no Outputs; the update that follows adds everything else.
    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resource-import-new-stack.html
    """
    logicals = {logical for _, logical, _, _ in adopt}
    resources = {logical: spec for logical, spec in template["Resources"].items() if logical in logicals}
    missing = sorted(logical for logical, spec in resources.items() if "DeletionPolicy" not in spec)
    if missing:
        raise ValueError(f"cannot import {', '.join(missing)}: no DeletionPolicy in the template")
    body = {key: value for key, value in template.items() if key not in ("Resources", "Outputs")}
    body["Resources"] = resources
    to_import = [{"ResourceType": kind, "LogicalResourceId": logical, "ResourceIdentifier": {key: identifier}}
                 for kind, logical, key, identifier in adopt]
    return body, to_import


def capacity_provider_names(template: Mapping[str, Any], parameters: Mapping[str, str],
                            stack_name: str) -> list[tuple[str, str]]:
    """(logical id, the name or the start of the name CloudFormation gives) of each capacity provider."""
    names = []
    for logical, spec in sorted(template.get("Resources", {}).items()):
        if spec.get("Type") != "AWS::ECS::CapacityProvider":
            continue
        given = spec.get("Properties", {}).get("Name")
        name = stack_name if given is None else resolve(given, parameters, stack_name)
        if name is not None:
            names.append((logical, name))
    return names


def reserved_capacity_provider_names(template: Mapping[str, Any], parameters: Mapping[str, str],
                                     stack_name: str) -> list[tuple[str, str]]:
    return [(logical, name) for logical, name in capacity_provider_names(template, parameters, stack_name)
            if RESERVED_CAPACITY_PROVIDER_PREFIX.match(name)]


def minified(template: Any) -> str:
    """The same template without insignificant white space: what deploy.sh sends inline."""
    return json.dumps(template, separators=(",", ":"), ensure_ascii=False)
