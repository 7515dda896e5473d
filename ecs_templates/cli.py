"""The command line: the only place that parses arguments and turns errors into exit codes."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from ecs_templates import __version__
from ecs_templates.artifacts import newest_version_directory, write_version
from ecs_templates.build import build_files
from ecs_templates.config.loader import load_config
from ecs_templates.errors import EcsTemplatesError
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

    scan = commands.add_parser("scan", help="security gate: checkov's CloudFormation checks plus this "
                                            "project's own rules (IAM, NoEcho, plaintext secrets)")
    scan.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                      help="template files or directories (default: the newest templates/v*/)")
    scan.add_argument("--checkov", metavar="PATH",
                      help="the checkov program (default: $CHECKOV, else checkov on PATH)")
    scan.set_defaults(run=run_scan)
    return root


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


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except EcsTemplatesError as error:
        print(f"ecs-templates: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("ecs-templates: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
