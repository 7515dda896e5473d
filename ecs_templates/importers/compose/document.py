"""The Compose file's top level checked: a mapping of known keys that defines services.

Services written at the top level instead of under `services:` (a file mis-indented by
two spaces) get an error that says so, rather than "unknown top-level key".
`named_entries` walks one of the top-level sections of named entries (volumes:, networks:, secrets:).
"""
from __future__ import annotations

from typing import Any, Iterator

from ecs_templates.config.fields import type_name
from ecs_templates.importers.compose.keys import TOP_LEVEL_KEYS, TOP_LEVEL_UNSUPPORTED
from ecs_templates.importers.compose.report import Report

_SERVICE_HINTS = ("image", "build", "ports", "environment", "depends_on", "command")


def check_document(document: Any, report: Report) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise report.error(None, "", f"expected a mapping at the top level (services:, volumes:, ...), "
                                     f"got {type_name(document)}")
    services = document.get("services")
    strays = sorted(key for key, value in document.items()
                    if key not in TOP_LEVEL_KEYS and not str(key).startswith("x-")
                    and isinstance(value, dict) and any(hint in value for hint in _SERVICE_HINTS))
    if strays and not services:
        listed = ", ".join(strays)
        state = "is empty" if "services" in document else "is missing"
        raise report.error(None, "services", f"{state} while {listed} at the top level look like services: "
                                             f"the services look mis-indented; indent {listed} under "
                                             "services: (two more spaces)")
    for key in document:
        if not isinstance(key, str) or (key not in TOP_LEVEL_KEYS and not key.startswith("x-")):
            raise report.error(None, str(key), f"unknown top-level key; a Compose file has "
                                               f"{', '.join(TOP_LEVEL_KEYS)} (and x-* extensions)")
    if document.get("include") and services is None:
        document = {**document, "services": {}}  # a file of includes only; assembly checks what they give
        services = document["services"]
    elif "services" not in document or not services:
        raise report.error(None, "services", "no services defined; add at least one under services:")
    if not isinstance(services, dict):
        raise report.error(None, "services", f"expected a mapping of service names, got {type_name(services)}")
    version = document.get("version")
    if version is not None and not isinstance(version, (str, int, float)):
        raise report.error(None, "version", f"expected a version such as '3.8', got {type_name(version)}")
    for key in sorted(TOP_LEVEL_UNSUPPORTED):
        if document.get(key):
            report.unsupported(None, key, TOP_LEVEL_UNSUPPORTED[key])
    return document


def named_entries(value: Any, section: str, report: Report,
                  entry: str = "a mapping") -> Iterator[tuple[str, dict[str, Any], str]]:
    """(name, options, where) of each entry of a top-level section, by name; an empty entry has no options."""
    if value is None:
        return
    if not isinstance(value, dict):
        raise report.error(None, section, f"expected a mapping of {section[:-1]} names, got {type_name(value)}")
    for name, options in sorted(value.items(), key=lambda item: str(item[0])):
        where = f"{section}.{name}"
        if not isinstance(options or {}, dict):
            raise report.error(None, where, f"expected {entry}, got {type_name(options)}")
        yield str(name), options or {}, where
