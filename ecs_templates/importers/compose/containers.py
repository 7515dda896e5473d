"""The drafts written as the config's containers, in the config's key order, and the tags of their task."""
from __future__ import annotations

from typing import Any, Mapping

from ecs_templates.importers.compose.draft import Draft
from ecs_templates.importers.compose.report import Report

_CONTAINER_ORDER = ("image", "essential", "ports", "environment", "secrets", "uses", "depends_on",
                    "health_check", "command", "entry_point", "working_directory", "user", "cpu",
                    "memory", "memory_reservation", "labels", "mounts", "networks", "stop_timeout", "build", "copies",
                    "stop_signal", "interactive", "pseudo_terminal", "host_mounts", "linux")


def task_tags(drafts: Mapping[str, Draft], report: Report) -> dict[str, str]:
    tags: dict[str, str] = {}
    owners: dict[str, str] = {}
    for draft in drafts.values():
        for key, value in draft.tags.items():
            if key in tags and tags[key] != value:
                raise report.error(draft.compose_name, f"deploy.labels.{key}",
                                   f"{value!r} differs from {owners[key]}'s {tags[key]!r}; the services share "
                                   "one task, which has one set of tags")
            tags[key], owners[key] = value, draft.compose_name
    return dict(sorted(tags.items()))


def container_config(draft: Draft, drafts: Mapping[str, Draft], uses: list[dict[str, Any]]) -> dict[str, Any]:
    # A container others wait for to complete must be allowed to exit.
    must_exit = any(other.depends_on.get(draft.name) == "SUCCESS" for other in drafts.values())
    container: dict[str, Any] = {
        **draft.data,
        "essential": not must_exit,
        "ports": [draft.ports[port] for port in sorted(draft.ports)],
        "environment": dict(sorted(draft.environment.items())),
        "secrets": dict(sorted(draft.secrets.items())),
        "uses": uses,
        "depends_on": dict(sorted(draft.depends_on.items())),
    }
    return {key: container[key] for key in _CONTAINER_ORDER if container.get(key) not in (None, [], {})
            or key == "essential"}
