"""How push-images.sh fills each repository, read from the ecr template's SourceImages.

A value is an image name (pull it), or {"Pull": image} / {"Build": {...}} with an optional
"Copy" list and "StopSignal" (a derived image FROM it adds those project files and that
STOPSIGNAL). Written by
ecs_templates/builders/images.py `source_image`; paths are relative to the project.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping


def sources(template: Mapping[str, Any]) -> dict[str, Any]:
    return dict(template.get("Metadata", {}).get("EcsTemplates", {}).get("SourceImages", {}))


def rows(template: Mapping[str, Any]) -> list[tuple[str, str, str, str]]:
    """(repository, pull|build, image to pull or -, copy|-) per repository, sorted."""
    result = []
    for repository, source in sorted(sources(template).items()):
        if isinstance(source, str):
            result.append((repository, "pull", source, "-"))
            continue
        kind = "build" if "Build" in source else "pull"
        derived = source.get("Copy") or source.get("StopSignal")
        result.append((repository, kind, source.get("Pull", "-"), "copy" if derived else "-"))
    return result


def build_arguments(template: Mapping[str, Any], repository: str, project: Path) -> list[str]:
    """`docker buildx build` options and the context (last), one per line for mapfile."""
    build = sources(template)[repository]["Build"]
    context = project / build["Context"]
    arguments = ["--file", str(context / build.get("Dockerfile", "Dockerfile"))]
    if build.get("Target"):
        arguments += ["--target", build["Target"]]
    for name, value in sorted(build.get("Args", {}).items()):
        arguments += ["--build-arg", f"{name}={value}"]
    return arguments + [str(context)]


def derived_dockerfile(template: Mapping[str, Any], repository: str, base: str) -> str:
    """FROM the repository's image, one COPY per read-only project file, its STOPSIGNAL (generated, never committed)."""
    source = sources(template)[repository]
    lines = [f"FROM {base}"]
    for copy in source.get("Copy", []):
        lines.append("COPY " + json.dumps([copy["Source"], copy["Path"]]))
    if source.get("StopSignal"):
        lines.append(f"STOPSIGNAL {source['StopSignal']}")
    return "\n".join(lines) + "\n"
