"""The ECS names of the imported application and its containers, from the Compose project and service names.

Container names are lower-case letters, digits and hyphens; a service whose name is not
becomes its kebab-case form, with a warning, and two services may not end up with one name.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Mapping

from ecs_templates.config.model import NAME_PATTERN
from ecs_templates.importers.compose.interpolation import InterpolationError, resolve
from ecs_templates.importers.compose.report import Report

_NOT_NAME = re.compile(r"[^a-z0-9]+")


def _kebab(text: str) -> str:
    return _NOT_NAME.sub("-", text.lower()).strip("-")


def service_names(services: dict[str, Any], report: Report) -> dict[str, str]:
    """Compose service name -> ECS container name (lower-case letters, digits, hyphens)."""
    names: dict[str, str] = {}
    for service in sorted(services, key=str):
        name = _kebab(str(service))
        if not NAME_PATTERN.match(name):
            raise report.error(str(service), "", "cannot be an ECS container name; use letters, digits and "
                                                 "hyphens, starting with a letter")
        clash = [other for other, taken in names.items() if taken == name]
        if clash:
            raise report.error(str(service), "", f"becomes the container name {name}, like service {clash[0]}; "
                                                 "rename one of them")
        if name != service:
            report.warn(str(service), "", f"is named {name} on ECS (container names are lower-case letters, "
                                          "digits and hyphens); addresses naming it are rewritten")
        names[str(service)] = name
    return names


def application_name(document: dict[str, Any], path: Path, variables: Mapping[str, str],
                     report: Report) -> str:
    """The Compose project name: `name:`, else the directory of the file, as Compose does."""
    written = document.get("name")
    if written is not None:
        try:
            written = resolve(written, variables, [])
        except InterpolationError as error:
            raise report.error(None, "name", str(error)) from None
    raw = str(written) if written else path.resolve().parent.name
    name = _kebab(raw)
    if not name[:1].isalpha():
        name = f"app-{name}".rstrip("-")
    return name[:40].rstrip("-")
