"""Template parameters for a deploy: parameter files, --param values, CloudFormation's constraints.

Standard library only, like cfn_helper.py, which calls it. deploy.sh sends every
parameter with an explicit value (see `resolve_parameters`), checked here first so a bad
value fails before anything is created.
"""
from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any, Iterable, Mapping

from helper_input import InputError, load_json  # scripts/lib/, on sys.path through cfn_helper.py

ID_PATTERNS = {
    "AWS::EC2::VPC::Id": r"vpc-[0-9a-f]+",
    "AWS::EC2::Subnet::Id": r"subnet-[0-9a-f]+",
    "AWS::EC2::SecurityGroup::Id": r"sg-[0-9a-f]+",
}


def parse_assignment(text: str, where: str) -> tuple[str, str]:
    key, equals, value = text.partition("=")
    key = key.strip()
    if not equals or not key:
        raise InputError(f"{where}: expected KEY=VALUE, got {text!r}")
    return key, value


def read_params_file(path: str) -> dict[str, str]:
    """KEY=VALUE lines (# comments), or JSON: [{ParameterKey, ParameterValue}], {K: V} or {Parameters: {K: V}}."""
    if path.endswith(".json"):
        data = load_json(path)
        if isinstance(data, dict) and isinstance(data.get("Parameters"), dict):
            data = data["Parameters"]
        if isinstance(data, dict):
            return {str(key): _scalar(value) for key, value in data.items()}
        if isinstance(data, list) and all(isinstance(item, dict) and "ParameterKey" in item
                                          and "ParameterValue" in item for item in data):
            return {str(item["ParameterKey"]): _scalar(item["ParameterValue"]) for item in data}
        raise InputError(f"{path}: expected an object {{\"Key\": \"value\"}} or a list of "
                         "{\"ParameterKey\": ..., \"ParameterValue\": ...}")
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise InputError(f"cannot read parameters file {path}: {error.strerror}") from None
    values = {}
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if line and not line.startswith("#"):
            key, value = parse_assignment(line, f"{path}:{number}")
            values[key] = value.strip()
    return values


def _scalar(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def check_value(name: str, spec: Mapping[str, Any], value: str) -> None:
    """CloudFormation's own parameter constraints, checked before anything is created."""
    kind = spec.get("Type", "String")
    is_list = kind.startswith("List<") or kind == "CommaDelimitedList"
    items = [item.strip() for item in value.split(",")] if is_list else [value]
    element = kind[5:-1] if kind.startswith("List<") else kind
    hint = f" ({spec['ConstraintDescription']})" if "ConstraintDescription" in spec else ""
    if is_list and value == "" and "Default" not in spec:
        raise InputError(f"parameter {name} ({kind}) needs at least one value")
    for item in items:
        if element == "Number" and _number(item) is None:
            raise InputError(f"parameter {name} must be a number, got {item!r}")
        pattern = ID_PATTERNS.get(element)
        if pattern and not re.fullmatch(pattern, item):
            raise InputError(f"parameter {name} must be {'a list of ' if is_list else 'an '}"
                             f"{element} such as {pattern.split('-')[0]}-0123abcd, got {item!r}")
        allowed = spec.get("AllowedValues")
        if allowed is not None and not any(_same(item, option, element) for option in allowed):
            raise InputError(f"parameter {name} must be one of {', '.join(map(str, allowed))}; "
                             f"got {item!r}{hint}")
        pattern = spec.get("AllowedPattern")
        if pattern is not None and not re.fullmatch(pattern, item):
            raise InputError(f"parameter {name} does not match {pattern}: {item!r}{hint}")
    if "MinLength" in spec and len(value) < int(spec["MinLength"]):
        raise InputError(f"parameter {name} needs at least {spec['MinLength']} characters{hint}")
    if "MaxLength" in spec and len(value) > int(spec["MaxLength"]):
        raise InputError(f"parameter {name} takes at most {spec['MaxLength']} characters{hint}")
    number = _number(value) if element == "Number" and not is_list else None
    if number is not None and "MinValue" in spec and number < float(spec["MinValue"]):
        raise InputError(f"parameter {name} must be at least {spec['MinValue']}{hint}")
    if number is not None and "MaxValue" in spec and number > float(spec["MaxValue"]):
        raise InputError(f"parameter {name} must be at most {spec['MaxValue']}{hint}")


def _same(given: str, option: Any, element: str) -> bool:
    if element == "Number":
        return _number(given) is not None and _number(given) == _number(str(option))
    return given == str(option)


def resolve_parameters(template: Mapping[str, Any], given: Mapping[str, str], stack: str, *,
                       defer_network: bool = False) -> list[dict[str, str]]:
    """Every parameter of the template with an explicit value: given ones, else the default.

    Stating every value on each deploy (never UsePreviousValue) makes a deploy declarative:
    what the command line says is what the stack gets, defaults included. With
    `defer_network`, the VPC and subnet-list parameters left unset are skipped (the caller
    fills them from the default VPC).
    """
    deferred = {name for _, name, _ in network_parameters(template, given)} if defer_network else set()
    specs: Mapping[str, Mapping[str, Any]] = template.get("Parameters", {})
    unknown = sorted(set(given) - set(specs))
    if unknown:
        raise InputError(f"unknown parameter {', '.join(unknown)} for stack {stack}; "
                         f"its parameters are: {', '.join(sorted(specs)) or '(none)'}")
    resolved = []
    for name in sorted(specs):
        spec = specs[name]
        if name in deferred:
            continue
        if name in given:
            value = given[name]
        elif "Default" in spec:
            value = _scalar(spec["Default"])
        else:
            raise InputError(f"parameter {name} ({spec.get('Type', 'String')}) of stack {stack} "
                             f"has no default: give it with --param {name}=VALUE")
        check_value(name, spec, value)
        resolved.append({"ParameterKey": name, "ParameterValue": value})
    return resolved


def network_parameters(template: Mapping[str, Any], given: Iterable[str]) -> list[tuple[str, str, str]]:
    """(kind, name, VPC parameter) of the VPC and subnet-list parameters not given.

    The caller fills them from the default VPC, or takes the subnets of the VPC given
    for the template's (first) VPC parameter.
    """
    given = set(given)
    specs = template.get("Parameters", {})
    vpc_parameter = next((name for name, spec in sorted(specs.items())
                          if spec.get("Type") == "AWS::EC2::VPC::Id"), "")
    found = []
    for name, spec in sorted(specs.items()):
        if name in given or "Default" in spec:
            continue
        if spec.get("Type") == "AWS::EC2::VPC::Id":
            found.append(("vpc", name, vpc_parameter))
        elif spec.get("Type") == "List<AWS::EC2::Subnet::Id>":
            found.append(("subnets", name, vpc_parameter))
    return found


def given_parameters(args: argparse.Namespace, template: Mapping[str, Any] | None = None) -> dict[str, str]:
    """Parameter files, then --param assignments (the later wins).

    With a template, keys of a parameters file that the template does not have are left
    out (one file may serve several stacks: KeyName is ecs-ec2's, not ecs-fargate's);
    an unknown --param stays, and is an error.
    """
    given: dict[str, str] = {}
    known = template.get("Parameters", {}) if template is not None else None
    for path in args.params_file:
        for key, value in read_params_file(path).items():
            if known is None or key in known:
                given[key] = value
            else:
                print(f"  (not a parameter of this stack, ignored: {key} from {path})")
    for text in args.assignments:
        key, value = parse_assignment(text, "--param")
        given[key] = value
    return given
