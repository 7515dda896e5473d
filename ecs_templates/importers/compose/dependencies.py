"""A service's `depends_on:` and `links:` read into its draft's start order and link aliases."""
from __future__ import annotations

from typing import Any

from ecs_templates.config.fields import type_name
from ecs_templates.importers.compose import values
from ecs_templates.importers.compose.keys import CONDITIONS


def read_dependencies(reader: Any) -> None:
    if reader.raw.get("depends_on") is not None:
        value = reader.resolved("depends_on")
        if isinstance(value, list):
            value = {name: None for name in value}
        for target, options in reader.mapping("depends_on", value).items():
            key = f"depends_on.{target}"
            options = options or {}
            if not isinstance(options, dict):
                raise reader.error(key, f"expected a mapping with condition:, got {type_name(options)}")
            condition = options.get("condition", "service_started")
            if condition not in CONDITIONS:
                raise reader.error(f"{key}.condition", f"{condition!r} is not one of: {', '.join(CONDITIONS)}")
            if options.get("restart"):
                reader.warn(f"{key}.restart", "ECS does not restart a container when the one it depends "
                                              "on restarts; not imported")
            if options.get("required") is False:
                reader.warn(f"{key}.required", "ECS starts the task only with every container; the "
                                               "dependency is imported as required")
            reader.draft.depends_on[_target(reader, key, target)] = CONDITIONS[condition]
    if reader.raw.get("links") is not None:
        links = reader.convert("links", values.string_list, reader.resolved("links"), "service[:alias] names")
        for link in links:
            target, _, alias = link.partition(":")
            container = _target(reader, f"links.{link}", target)
            reader.draft.links[alias or target] = container
            reader.draft.depends_on.setdefault(container, "START")  # links imply start order


def _target(reader: Any, key: str, target: Any) -> str:
    if target not in reader.context.services:
        raise reader.error(key, f"no service named {target!r} in this file "
                                f"(services: {', '.join(sorted(reader.context.services))})")
    if target == reader.service:
        raise reader.error(key, "a service cannot refer to itself")
    return reader.context.services[target]
