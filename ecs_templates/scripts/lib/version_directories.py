"""The version directories of templates/ (v<version>/): their order, their stacks, their platform.

Standard library only, like cfn_helper.py, which calls it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from helper_input import InputError, load_json  # scripts/lib/, on sys.path through cfn_helper.py


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
