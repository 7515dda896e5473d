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
import sys
from pathlib import Path
from typing import Any, NoReturn, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent))  # also when loaded by path, as the tests do
import image_sources  # noqa: E402  (scripts/lib/, beside this file)
import kept_data  # noqa: E402
import template_values  # noqa: E402
from change_review import review_changes  # noqa: E402
from deploy_parameters import given_parameters, network_parameters, resolve_parameters  # noqa: E402
from deploy_parameters import read_params_file  # noqa: E402,F401  (tests reach it through this module)
from helper_arguments import argument_parser  # noqa: E402
from helper_input import InputError, load_json  # noqa: E402
from stack_events import format_event, new_events, parse_time  # noqa: E402
from stack_resources import public_port, retained_resources, stack_parts, task_placement  # noqa: E402
from version_directories import platform_of, stacks_in, versions  # noqa: E402

RISK_EXIT = 3


def fail(message: str) -> NoReturn:
    prog = os.environ.get("ECS_SCRIPT_NAME", "cfn_helper")
    print(f"{prog}: error: {message}", file=sys.stderr)
    sys.exit(2)


def main(argv: Sequence[str] | None = None) -> int:
    args = argument_parser(__doc__.splitlines()[0]).parse_args(argv)
    try:
        return run(args)
    except InputError as error:
        fail(str(error))


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
        for key, value in sorted(given_parameters(args).items()):
            print(f"{key}\t{value}")
    elif args.command == "parameters":
        template = load_json(args.template)
        resolved = resolve_parameters(template, given_parameters(args, template), args.stack,
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
