"""The issue-12 measurement: each compose file of docker/awesome-compose imported and built as separate services.

The corpus is read from a git clone (bare or not), never copied into this repository:
AWESOME_COMPOSE=<path> (default: bench/peer.py's DEFAULT_CORPUS). Per file it prints how the
import went (strict; lenient, when strict refuses a key without an ECS meaning; refused, with
the first line of the message), whether every stack the import chose built cfn-lint clean, and
whether the file uses `build:` (those are counted apart). Totals at the end; exit 0 unless an
import or build raised something other than the import's own error (a traceback).

    .venv/bin/python bench/awesome_compose.py [--only NAME ...] [--assume-built]

--assume-built measures the `build:` files as if their images were built already (each
built service gets `image: <folder>-<service>:built` and loses `build:`), to show what
else in them the import refuses.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peer import DEFAULT_CORPUS, corpus_files, corpus_revision  # noqa: E402

from ecs_templates.artifacts import render_templates  # noqa: E402
from ecs_templates.errors import ComposeError  # noqa: E402
from ecs_templates.importers.compose import import_compose  # noqa: E402
from ecs_templates.stacks import build_all  # noqa: E402
from ecs_templates.validation import Validator  # noqa: E402


def uses_build(path: Path) -> bool:
    try:
        document = yaml.safe_load(path.read_text("utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return False
    services = document.get("services") if isinstance(document, dict) else None
    return isinstance(services, dict) and any(isinstance(s, dict) and "build" in s for s in services.values())


def assume_built(path: Path) -> Path:
    """A copy of the compose file beside it whose built services name an image instead."""
    document = yaml.safe_load(path.read_text("utf-8"))
    for name, service in document["services"].items():
        if isinstance(service, dict) and "build" in service:
            service.pop("build")
            service.setdefault("image", f"{path.parent.name.lower()}-{name}:built")
    assumed = path.with_name("compose.assumed-built.yaml")
    assumed.write_text(yaml.safe_dump(document, sort_keys=False), "utf-8")
    return assumed


def measure(path: Path, validator: Validator, built: bool = False) -> dict[str, Any]:
    row: dict[str, Any] = {"build": uses_build(path), "import": "refused", "message": "", "lint": None}
    if built and row["build"]:
        path = assume_built(path)
    result = None
    for mode, lenient in (("strict", False), ("lenient", True)):
        try:
            result = import_compose(path, environ={}, lenient=lenient)
        except ComposeError as error:
            row["message"] = str(error).splitlines()[0].replace(f"{path.parent.parent}/", "")
            continue
        row["import"] = mode
        break
    if result is None:
        return row
    files = render_templates(build_all(result.config))
    findings = [finding for stack in result.config.stacks
                for finding in validator.lint_text(files[f"{stack}.json"].decode(), f"{path.parent.name}/{stack}")]
    row["lint"] = not findings
    if "ecs-services.json" in files:
        row["reachable"] = reachable_with_volumes(path, result, json.loads(files["ecs-services.json"]))
    elif len(result.config.application.containers) > 1:
        row["reachable"] = f"no ecs-services stack for {len(result.config.application.containers)} services"
    else:  # one service in one task (network_mode: host runs on ecs-ec2 only): nothing to reach by name
        row["message"] = f"one service, stacks {','.join(result.config.stacks)} {row['message']}".strip()
    row["stacks"] = ",".join(result.config.stacks)
    row["services"] = len(result.config.application.containers)
    if findings:
        row["message"] = str(findings[0])
    return row


def reachable_with_volumes(path: Path, result: Any, template: dict[str, Any]) -> str:
    """"" when each compose service is an ECS service, found under its compose name if it has a port,
    and each named volume a service mounts is an EFS access point; else what is missing."""
    document = yaml.safe_load(path.read_text("utf-8"))
    resources = template["Resources"].values()
    services = [r["Properties"] for r in resources if r["Type"] == "AWS::ECS::Service"]
    names = {alias["DnsName"] for service in services
             for entry in service.get("ServiceConnectConfiguration", {}).get("Services", [])
             for alias in entry.get("ClientAliases", [])}
    containers = {c.name: c for c in result.config.application.containers}
    missing = []
    if len(services) != len(containers):
        missing.append(f"{len(services)} ECS services for {len(containers)} compose services")
    for name, container in containers.items():
        compose = next((c for c in (document.get("services") or {}) if c.lower() == name or
                        c.lower().replace("_", "-") == name), name)
        # Service Connect carries TCP only: a UDP-only service (wireguard) has no name to be found by.
        tcp = [port for port in container.ports if port.protocol == "tcp"]
        if tcp and compose not in names and name not in names:
            missing.append(f"{compose} not found by name")
    declared = {str(name).lower().replace("_", "-") for name in document.get("volumes") or {}}
    mounted = {m.volume for c in result.config.application.containers for m in c.mounts
               if m.volume.lower().replace("_", "-") in declared}
    points = sum(r["Type"] == "AWS::EFS::AccessPoint" for r in resources)
    if points < len(mounted):
        missing.append(f"{points} EFS access points for {len(mounted)} named volumes")
    return "; ".join(missing)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None, help="example folders to measure")
    parser.add_argument("--assume-built", action="store_true", help="treat built services as if their image existed")
    args = parser.parse_args(argv)
    corpus = Path(os.environ.get("AWESOME_COMPOSE", str(DEFAULT_CORPUS)))
    if not corpus.exists():
        print(f"no corpus at {corpus}; set AWESOME_COMPOSE to a clone of docker/awesome-compose")
        return 2
    validator = Validator()
    crashed = unreachable = 0
    totals = {"strict": 0, "lenient": 0, "refused": 0, "lint clean": 0}
    build_totals = {"strict": 0, "lenient": 0, "refused": 0, "lint clean": 0}
    with tempfile.TemporaryDirectory() as work:
        paths = corpus_files(corpus, Path(work))
        print(f"docker/awesome-compose at {corpus_revision(corpus)}: {len(paths)} compose files")
        for path in paths:
            name = path.parent.name
            if args.only and name not in args.only:
                continue
            try:
                row = measure(path, validator, args.assume_built)
            except Exception:  # the measurement's own finding: a traceback is a bug to fix
                crashed += 1
                print(f"{name:40} TRACEBACK {traceback.format_exc().splitlines()[-1]}")
                continue
            bucket = build_totals if row["build"] else totals
            bucket[row["import"]] += 1
            bucket["lint clean"] += bool(row["lint"])
            lint = {None: "-", True: "lint clean", False: "LINT FINDINGS"}[row["lint"]]
            if row.get("reachable"):
                unreachable += 1
                row["message"] = f"{row['reachable']} {row['message']}".strip()
            print(f"{name:40} {'build: ' if row['build'] else '       '}{row['import']:8} {lint:13} "
                  f"{row.get('services', '')!s:3} {row['message']}")
    for label, bucket in (("without build:", totals), ("with build:", build_totals)):
        print(f"{label:15} " + ", ".join(f"{key} {value}" for key, value in bucket.items()))
    imported = sum(bucket[key] for bucket in (totals, build_totals) for key in ("strict", "lenient"))
    measured = sum(bucket[key] for bucket in (totals, build_totals) for key in ("strict", "lenient", "refused"))
    clean = totals["lint clean"] + build_totals["lint clean"]
    print(f"all:            imported {imported} of {measured + crashed}, built lint clean {clean}, "
          f"reachable by name with volumes on EFS {imported - unreachable}, tracebacks {crashed}")
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
