#!/usr/bin/env python3
"""Template and AWS-answer plumbing for the deploy scripts (standard library only).

The shell scripts make every AWS call with the AWS CLI; this helper only reads
files: the versioned templates and the JSON the CLI wrote. It runs with any
python3 on PATH, so the scripts need neither this package nor jq installed.

Each sub-command prints plain lines for the shell to read. A problem with the
user's input exits 2 with one message on stderr (prefixed with the calling
script's name from ECS_SCRIPT_NAME); "risky change set" is exit 3.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Mapping, NoReturn, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent))  # also when loaded by path, as the tests do
import image_sources  # noqa: E402  (scripts/lib/, beside this file)
import kept_data  # noqa: E402
import template_values  # noqa: E402

STATEFUL_TYPES = frozenset({
    "AWS::DynamoDB::Table",
    "AWS::EC2::Volume",
    "AWS::ECR::Repository",
    "AWS::EFS::FileSystem",
    "AWS::ElastiCache::CacheCluster",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::KMS::Key",
    "AWS::Logs::LogGroup",
    "AWS::RDS::DBCluster",
    "AWS::RDS::DBInstance",
    "AWS::S3::Bucket",
    "AWS::SecretsManager::Secret",
})
ID_PATTERNS = {
    "AWS::EC2::VPC::Id": r"vpc-[0-9a-f]+",
    "AWS::EC2::Subnet::Id": r"subnet-[0-9a-f]+",
    "AWS::EC2::SecurityGroup::Id": r"sg-[0-9a-f]+",
}
RISK_EXIT = 3


class InputError(Exception):
    """Something the user gave (argument, file, value) is wrong; the message says what to fix."""


def fail(message: str) -> NoReturn:
    prog = os.environ.get("ECS_SCRIPT_NAME", "cfn_helper")
    print(f"{prog}: error: {message}", file=sys.stderr)
    sys.exit(2)


def load_json(path: str | Path) -> Any:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise InputError(f"{path} is not valid JSON: {error.msg} at line {error.lineno}") from None


# --- versions and stacks -------------------------------------------------------------------

def version_key(version: str) -> tuple[Any, ...]:
    """The same order as ecs_templates.artifacts.version_key: a .dev version sorts before its release."""
    release, dev_marker, dev = version.partition(".dev")
    numbers = tuple(int(part) if part.isdigit() else 0 for part in release.split("."))
    return numbers + ((0, int(dev) if dev.isdigit() else 0) if dev_marker else (1, 0))


def versions(root: Path) -> list[str]:
    found = [path.name[1:] for path in root.glob("v*") if path.is_dir()]
    return sorted(found, key=version_key)


def stacks_in(directory: Path) -> list[str]:
    """Stack names of a version directory; the registry (ecr) last, since the others use it."""
    names = sorted(path.stem for path in directory.glob("*.json") if path.name != "manifest.json")
    return sorted(names, key=lambda name: name == "ecr")


# --- parameters ----------------------------------------------------------------------------

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


# --- change sets, events, resources --------------------------------------------------------

def review_changes(change_set: Mapping[str, Any], current_resources: Sequence[Mapping[str, Any]],
                   template: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """(table lines, risk lines) for a described change set.

    A stateful resource is at risk when the change set removes it or replaces it, or when
    it exists in the stack and the new template no longer has it (the emulator's change
    sets list no changes for updates, AWS's always do; both are checked).
    """
    lines, risks = [], []
    changes = [change.get("ResourceChange", {}) for change in change_set.get("Changes", [])]
    width = max([len(change.get("LogicalResourceId", "")) for change in changes] + [8])
    for change in changes:
        action = change.get("Action", "?")
        logical = change.get("LogicalResourceId", "?")
        kind = change.get("ResourceType", "?")
        replacement = change.get("Replacement") or "-"
        lines.append(f"  {action:<8} {logical:<{width}} {kind:<44} replacement: {replacement}")
        if kind in STATEFUL_TYPES and (action == "Remove" or
                                       (action == "Modify" and replacement in ("True", "Conditional"))):
            verb = "DELETE" if action == "Remove" else f"REPLACE ({replacement})"
            risks.append(f"{verb} {logical} ({kind})")
    kept = set(template.get("Resources", {}))
    noted = {risk.split(" ")[1] for risk in risks}
    for resource in current_resources:
        logical, kind = resource.get("LogicalResourceId"), resource.get("ResourceType")
        if kind in STATEFUL_TYPES and logical not in kept and logical not in noted:
            risks.append(f"DELETE {logical} ({kind}): the new template no longer has it")
    return lines, risks


def parse_time(text: str) -> datetime:
    """An ISO 8601 time as the AWS CLI prints it (Z or +00:00, any fraction), made aware."""
    match = re.fullmatch(r"(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?", text.strip())
    if not match:
        raise InputError(f"not a time: {text!r}")
    day, clock, fraction, zone = match.groups()
    zone = "+00:00" if zone in (None, "Z") else zone
    stamp = datetime.fromisoformat(f"{day}T{clock}.{(fraction or '0')[:6]:0<6}{zone}")
    return stamp.astimezone(timezone.utc)


def new_events(events: Sequence[Mapping[str, Any]], seen: set[str],
               since: datetime | None = None) -> list[Mapping[str, Any]]:
    """Events not printed yet, oldest first (the API answers newest first); with `since`,
    only those from that time on (the stack's older history is not this deploy's)."""
    return [event for event in reversed(events) if event.get("EventId") not in seen
            and (since is None or parse_time(str(event.get("Timestamp", ""))) >= since)]


def format_event(event: Mapping[str, Any]) -> str:
    stamp = str(event.get("Timestamp", ""))[:19].replace("T", " ")
    reason = event.get("ResourceStatusReason") or ""
    return (f"{stamp}  {event.get('LogicalResourceId', ''):<28} {event.get('ResourceType', ''):<40} "
            f"{event.get('ResourceStatus', ''):<20} {reason}").rstrip()


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


def platform_of(directory: Path) -> str:
    """docker --platform of the task definitions in a version directory (they must agree)."""
    architectures = set()
    for name in stacks_in(directory):
        template = load_json(directory / f"{name}.json")
        for resource in template.get("Resources", {}).values():
            if resource.get("Type") == "AWS::ECS::TaskDefinition":
                platform = resource.get("Properties", {}).get("RuntimePlatform", {})
                architectures.add(str(platform.get("CpuArchitecture", "X86_64")))
    if not architectures:
        raise InputError(f"no task definition in {directory} names an architecture: pass --platform")
    if len(architectures) > 1:
        raise InputError(f"the stacks in {directory} run on {', '.join(sorted(architectures))}: "
                         "pass --platform linux/arm64 or linux/amd64")
    return {"ARM64": "linux/arm64", "X86_64": "linux/amd64"}[architectures.pop()]


# --- command line --------------------------------------------------------------------------

def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cfn_helper.py", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("versions").add_argument("root")
    commands.add_parser("stacks").add_argument("directory")
    commands.add_parser("source-images").add_argument("template")
    build_args = commands.add_parser("build-args")
    build_args.add_argument("template")
    build_args.add_argument("repository")
    build_args.add_argument("project")
    derived = commands.add_parser("derived-dockerfile")
    derived.add_argument("template")
    derived.add_argument("repository")
    derived.add_argument("base")
    commands.add_parser("platform").add_argument("directory")
    commands.add_parser("public-port").add_argument("template")
    network = commands.add_parser("network-params")
    network.add_argument("template")
    network.add_argument("given", nargs="*")
    params = commands.add_parser("parameters")
    params.add_argument("template")
    params.add_argument("output")
    params.add_argument("--stack", required=True)
    params.add_argument("--params-file", action="append", default=[])
    params.add_argument("--defer-network", action="store_true")
    params.add_argument("assignments", nargs="*")
    given_keys = commands.add_parser("given-keys")
    given_keys.add_argument("--params-file", action="append", default=[])
    given_keys.add_argument("assignments", nargs="*")
    review = commands.add_parser("review")
    review.add_argument("change_set")
    review.add_argument("template")
    review.add_argument("current_resources", nargs="?")
    events = commands.add_parser("events")
    events.add_argument("events")
    events.add_argument("seen")
    events.add_argument("--since", help="ignore events before this time (ISO 8601)")
    retained = commands.add_parser("retained")
    retained.add_argument("template")
    retained.add_argument("resources")
    commands.add_parser("stack-parts").add_argument("resources")
    plan = commands.add_parser("restore-plan", help="the parameters that put a deleted stack's kept data back")
    plan.add_argument("template")
    plan.add_argument("resources")
    plan.add_argument("stacks")
    commands.add_parser("urls", help="service and URL of each *Url output").add_argument("stacks")
    commands.add_parser("has-urls", help="whether the template has *Url outputs").add_argument("template")
    commands.add_parser("task-placement").add_argument("tasks")
    field = commands.add_parser("field", help="one value of a JSON document, by a dotted path")
    field.add_argument("document")
    field.add_argument("path")
    commands.add_parser("outputs").add_argument("stacks")
    for name in ("importable", "reserved-names"):
        resolved = commands.add_parser(name, help="uses the parameters the deploy sends")
        resolved.add_argument("template")
        resolved.add_argument("parameters")
        resolved.add_argument("stack_name")
    request = commands.add_parser("import-request", help="template and resources of an IMPORT change set")
    request.add_argument("template")
    request.add_argument("parameters")
    request.add_argument("stack_name")
    request.add_argument("template_out")
    request.add_argument("resources_out")
    request.add_argument("logical_ids", nargs="+")
    minify = commands.add_parser("minify", help="write the template without white space; print its bytes")
    minify.add_argument("template")
    minify.add_argument("output")
    args = parser.parse_args(argv)
    try:
        return run(args)
    except InputError as error:
        fail(str(error))


def _given(args: argparse.Namespace, template: Mapping[str, Any] | None = None) -> dict[str, str]:
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


def run_template_values(args: argparse.Namespace) -> None:
    """The sub-commands that work a template out with the parameters the deploy sends."""
    template = load_json(args.template)
    if args.command == "minify":
        body = template_values.minified(template).encode("utf-8")
        Path(args.output).write_bytes(body)
        print(len(body))
        return
    values = template_values.parameter_values(load_json(args.parameters))
    if args.command == "reserved-names":
        rows = template_values.reserved_capacity_provider_names(template, values, args.stack_name)
    else:
        rows = template_values.importable(template, values, args.stack_name)
    if args.command == "import-request":
        adopt = [row for row in rows if row[1] in args.logical_ids]
        body, to_import = template_values.import_request(template, adopt)
        Path(args.template_out).write_text(template_values.minified(body), encoding="utf-8")
        Path(args.resources_out).write_text(json.dumps(to_import, indent=1) + "\n", encoding="utf-8")
        rows = [(row[1], row[3]) for row in adopt]
    for row in rows:
        print("\t".join(row))


def _template_body(template: Any) -> Any:
    """get-template answers a JSON template parsed, a YAML one as text (read here as nothing)."""
    if isinstance(template, str):
        try:
            return json.loads(template)
        except json.JSONDecodeError:
            return {}
    return template


def run(args: argparse.Namespace) -> int:
    if args.command in ("importable", "reserved-names", "import-request", "minify"):
        run_template_values(args)
    elif args.command == "versions":
        print("\n".join(versions(Path(args.root))))
    elif args.command == "stacks":
        print("\n".join(stacks_in(Path(args.directory))))
    elif args.command == "source-images":
        for row in image_sources.rows(load_json(args.template)):
            print("\t".join(row))
    elif args.command == "build-args":
        print("\n".join(image_sources.build_arguments(load_json(args.template), args.repository,
                                                      Path(args.project))))
    elif args.command == "derived-dockerfile":
        print(image_sources.derived_dockerfile(load_json(args.template), args.repository, args.base), end="")
    elif args.command == "platform":
        print(platform_of(Path(args.directory)))
    elif args.command == "public-port":
        print(public_port(load_json(args.template)))
    elif args.command == "network-params":
        for row in network_parameters(load_json(args.template), args.given):
            print("\t".join(row))
    elif args.command == "given-keys":
        for key, value in sorted(_given(args).items()):
            print(f"{key}\t{value}")
    elif args.command == "parameters":
        template = load_json(args.template)
        resolved = resolve_parameters(template, _given(args, template), args.stack,
                                      defer_network=args.defer_network)
        Path(args.output).write_text(json.dumps(resolved, indent=1) + "\n", encoding="utf-8")
        specs = template.get("Parameters", {})
        for item in resolved:
            key, value = item["ParameterKey"], item["ParameterValue"]
            shown = "****" if specs[key].get("NoEcho") else (value if value != "" else "''")
            print(f"  {key} = {shown}")
    elif args.command == "review":
        current = load_json(args.current_resources).get("StackResources", []) if args.current_resources else []
        lines, risks = review_changes(load_json(args.change_set), current, load_json(args.template))
        print(f"Change set: {len(lines)} resource change(s)")
        print("\n".join(lines) if lines else "  (the change set lists no resource changes)")
        if risks:
            print("\n!!! WARNING: this deploy would delete or replace stateful resources (data may be lost):")
            for risk in risks:
                print(f"!!!   {risk}")
            return RISK_EXIT
    elif args.command == "events":
        seen_path = Path(args.seen)
        seen = set(seen_path.read_text(encoding="utf-8").split()) if seen_path.exists() else set()
        since = parse_time(args.since) if args.since else None
        fresh = new_events(load_json(args.events).get("StackEvents", []), seen, since)
        for event in fresh:
            print(format_event(event))
        with seen_path.open("a", encoding="utf-8") as handle:
            handle.writelines(f"{event.get('EventId')}\n" for event in fresh)
    elif args.command == "retained":
        template = _template_body(load_json(args.template))
        for row in retained_resources(template, load_json(args.resources).get("StackResources", [])):
            print("\t".join(row))
    elif args.command == "restore-plan":
        template = _template_body(load_json(args.template))
        stack = (load_json(args.stacks).get("Stacks") or [{}])[0]
        for row in kept_data.restore_plan(template, load_json(args.resources).get("StackResources", []), stack):
            print("\t".join(row))
    elif args.command == "urls":
        for service, url in kept_data.service_urls((load_json(args.stacks).get("Stacks") or [{}])[0]):
            print(f"{service}\t{url}")
    elif args.command == "has-urls":
        print("yes" if any(key.endswith("Url") for key in load_json(args.template).get("Outputs", {})) else "")
    elif args.command == "field":
        value: Any = load_json(args.document)
        for part in args.path.split("."):
            value = value[int(part)] if isinstance(value, list) else (value or {}).get(part)
        print("" if value is None else value)
    elif args.command == "outputs":
        stack = (load_json(args.stacks).get("Stacks") or [{}])[0]
        outputs = sorted(stack.get("Outputs") or [], key=lambda output: output.get("OutputKey", ""))
        for output in outputs:
            print(f"  {output.get('OutputKey', ''):<28} {output.get('OutputValue', '')}")
        if not outputs:
            print("  (the stack reports no outputs)")
    elif args.command == "task-placement":
        print("\t".join(task_placement((load_json(args.tasks).get("tasks") or [{}])[0])))
    elif args.command == "stack-parts":
        for kind, physical in stack_parts(load_json(args.resources).get("StackResources", [])):
            print(f"{kind}\t{physical}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
