"""The command line: the only place that parses arguments and turns errors into exit codes."""
from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path
from typing import Any, Sequence

from ecs_templates import __version__, deploy_commands
from ecs_templates.artifacts import (
    newest_version_directory,
    render_templates,
    write_file_atomically,
    write_version,
)
from ecs_templates.build import build_files
from ecs_templates.config.loader import load_config
from ecs_templates.docs.comparison import compare, render_comparison
from ecs_templates.docs.cost import Usage, estimate, price_note, render_estimate
from ecs_templates.docs.diagram import architecture_markdown, build_diagram, build_overview, to_markdown, to_svg
from ecs_templates.docs.prices import DEFAULT_REGION, load_prices
from ecs_templates.docs.template import of_type, templates_from_files
from ecs_templates.errors import EcsTemplatesError
from ecs_templates.stacks import build_all
from ecs_templates.validation import Validator

DEFAULT_OUTPUT = Path("templates")


class _Parser(argparse.ArgumentParser):
    """argparse, with the tool's name on every error line."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"ecs-templates: error: {message}\n")


def parser() -> argparse.ArgumentParser:
    root = _Parser(prog="ecs-templates",
                   description="Generate, validate and version CloudFormation templates for Amazon ECS.")
    root.add_argument("--version", action="version", version=f"ecs-templates {__version__}")
    commands = root.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    build = commands.add_parser("build", help="build every stack into <output>/v<version>/ and validate it")
    build.add_argument("--config", type=Path, metavar="FILE",
                       help="YAML file overriding the embedded default (WordPress + MariaDB)")
    build.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, metavar="DIR",
                       help="where version directories go (default: templates)")
    build.add_argument("--no-lint", action="store_true", help="skip cfn-lint (the manifest says so)")
    build.set_defaults(run=run_build)

    lint = commands.add_parser("lint", help="validate templates with cfn-lint (informational rules included)")
    lint.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                      help="template files or directories (default: the newest templates/v*/)")
    lint.set_defaults(run=run_lint)

    compose = commands.add_parser(
        "import-compose", help="read a docker-compose file into an application config for build --config")
    compose.add_argument("file", type=Path, metavar="FILE", help="the Compose file (docker-compose.yml)")
    compose.add_argument("-o", "--output", type=Path, metavar="FILE",
                         help="write the config here (default: standard output)")
    compose.add_argument("--lenient", action="store_true",
                         help="report keys without an ECS meaning as warnings instead of errors")
    compose.add_argument("--profile", action="append", default=[], metavar="NAME",
                         help="also import the services of this Compose profile (repeatable)")
    compose.set_defaults(run=run_import_compose)

    diagram = commands.add_parser("diagram", help="architecture diagram of each stack (Mermaid in Markdown, or SVG)")
    _add_stack_arguments(diagram)
    diagram.add_argument("--format", choices=("mermaid", "svg"), default="mermaid",
                         help="mermaid: Markdown with a Mermaid block per stack (default); "
                              "svg: one stack through Graphviz's dot")
    diagram.add_argument("--full", action="store_true",
                         help="only the full reference diagram (default: the overview, then the full one "
                              "folded; svg: the overview)")
    diagram.add_argument("--output", type=Path, metavar="FILE", help="write to FILE instead of standard output")
    diagram.set_defaults(run=run_diagram)

    cost = commands.add_parser("cost", help="monthly and yearly cost estimate of each stack, EC2 vs Fargate")
    _add_stack_arguments(cost)
    cost.add_argument("--region", default=DEFAULT_REGION, help=f"price region (default: {DEFAULT_REGION})")
    cost.add_argument("--prices", type=Path, metavar="FILE",
                      help="your own price table (JSON, same layout as ecs_templates/docs/prices.json)")
    cost.add_argument("--assume", action="append", default=[], metavar="KEY=VALUE",
                      help="a usage assumption, repeatable: " + ", ".join(Usage.DESCRIPTIONS))
    cost.set_defaults(run=run_cost)

    scan = commands.add_parser("scan", help="security gate: checkov's CloudFormation checks plus this "
                                            "project's own rules (IAM, NoEcho, plaintext secrets)")
    scan.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                      help="template files or directories (default: the newest templates/v*/)")
    scan.add_argument("--checkov", metavar="PATH",
                      help="the checkov program (default: $CHECKOV, else checkov on PATH)")
    scan.set_defaults(run=run_scan)

    # Listed here for --help; main() hands their arguments to the scripts before any parsing.
    for name in deploy_commands.COMMANDS:
        commands.add_parser(name, add_help=False, help=deploy_commands.summary(name))
    return root


def _add_stack_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("stack", nargs="?", metavar="STACK", help="one stack (default: every stack)")
    command.add_argument("--config", type=Path, metavar="FILE",
                         help="YAML file overriding the embedded default, as for build")


def _built_templates(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """The templates of the current build, rendered in memory from the config (nothing is written)."""
    templates = templates_from_files(render_templates(build_all(load_config(args.config))))
    if args.stack is not None and args.stack not in templates:
        raise EcsTemplatesError(f"unknown stack {args.stack!r}; stacks: {', '.join(templates)}")
    return templates


def run_diagram(args: argparse.Namespace) -> int:
    templates = _built_templates(args)
    names = [args.stack] if args.stack else list(templates)
    if args.format == "svg":
        if len(names) != 1:
            raise EcsTemplatesError(f"--format svg draws one stack: name it (stacks: {', '.join(templates)})")
        draw = build_diagram if args.full else build_overview
        content = to_svg(draw(names[0], templates[names[0]]))
    elif args.full:
        content = "\n".join(to_markdown(build_diagram(name, templates[name])) for name in names).encode("utf-8")
    else:
        content = "\n".join(f"## {name}\n\n" + architecture_markdown(build_overview(name, templates[name]),
                                                                      build_diagram(name, templates[name]))
                             for name in names).encode("utf-8")
    if args.output:
        write_file_atomically(args.output, content)
        print(f"{args.output}: written ({', '.join(names)})")
    else:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    return 0


def run_cost(args: argparse.Namespace) -> int:
    usage = Usage.from_assignments(args.assume)
    region = load_prices(args.prices).region(args.region)
    templates = _built_templates(args)
    names = [args.stack] if args.stack else list(templates)
    # The comparison prices the EC2 and Fargate stacks: only when an ECS stack is asked for.
    runs_services = any(of_type(templates[name], "AWS::ECS::Service") for name in names)
    comparison = compare(templates, region, usage) if runs_services else None
    parts = [price_note(region), f"Assumptions (--assume KEY=VALUE): {usage.describe()}.", ""]
    for name in names:
        parts += [f"## {name}: monthly cost in {region.name} ({region.table.currency})", "",
                  render_estimate(estimate(name, templates[name], region, usage))]
        if comparison is not None and name in comparison.stacks:
            parts += [f"### {name}: EC2 vs Fargate vs scale-out", "", render_comparison(comparison)]
    print("\n".join(parts), end="")
    return 0


def run_build(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    result = build_files(config, validate=not args.no_lint,
                         location=str(args.output / f"v{__version__}"))
    for warning in result.warnings:
        print(f"ecs-templates: warning: {warning}", file=sys.stderr)
    if result.findings:
        for finding in result.findings:
            print(finding, file=sys.stderr)
        print(f"ecs-templates: error: cfn-lint found {len(result.findings)} problem(s); nothing written",
              file=sys.stderr)
        return 1
    written = write_version(args.output, result.files)
    state = "written" if written.changed else "unchanged"
    names = ", ".join(sorted(result.files))
    print(f"{written.directory}: {state} ({names})")
    return 0


def _paths_or_newest(paths: list[Path], verb: str) -> list[Path]:
    if paths:
        return paths
    newest = newest_version_directory(DEFAULT_OUTPUT)
    if newest is None:
        raise EcsTemplatesError("no templates/v*/ directory here; run `ecs-templates build` first "
                                f"or name the templates to {verb}")
    return [newest]


def run_lint(args: argparse.Namespace) -> int:
    paths = _paths_or_newest(list(args.paths), "lint")
    findings = Validator().lint_paths(paths)
    for finding in findings:
        print(finding)
    if findings:
        print(f"ecs-templates: cfn-lint found {len(findings)} problem(s)", file=sys.stderr)
        return 1
    return 0


def run_scan(args: argparse.Namespace) -> int:
    from ecs_templates.security import gate

    result = gate.scan(_paths_or_newest(list(args.paths), "scan"), checkov=args.checkov)
    for line in result.lines():
        print(line)
    print(f"ecs-templates: {result.summary()}", file=sys.stderr if not result.ok else sys.stdout)
    return 0 if result.ok else 1


def run_import_compose(args: argparse.Namespace) -> int:
    from ecs_templates.importers.compose import import_compose, render_config

    result = import_compose(args.file, environ=os.environ, lenient=args.lenient, profiles=args.profile)
    for warning in result.warnings:
        print(f"ecs-templates: warning: {warning}", file=sys.stderr)
    for note in result.notes:
        print(f"ecs-templates: note: {note}", file=sys.stderr)
    text = render_config(result.data, source=args.file.name)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    write_file_atomically(args.output, text.encode("utf-8"))
    app = result.config.application
    print(f"{args.output}: {len(app.containers)} container(s), {len(app.secrets)} generated secret(s); "
          f"next: ecs-templates build --config {args.output}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments and arguments[0] in deploy_commands.COMMANDS:
        try:
            return deploy_commands.run_script(arguments[0], arguments[1:])
        except EcsTemplatesError as error:
            print(f"ecs-templates: error: {error}", file=sys.stderr)
            return 1
    args = parser().parse_args(arguments)
    try:
        return args.run(args)
    except EcsTemplatesError as error:
        print(f"ecs-templates: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("ecs-templates: interrupted", file=sys.stderr)
        return 130
    finally:
        # The process exits next. Its last garbage collections would walk and free, one by
        # one, everything still alive: about half a second once cfn-lint's rules and schemas
        # are loaded. They leave frozen objects alone; the system takes the memory back anyway.
        gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
