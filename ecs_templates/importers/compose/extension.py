"""`x-ecs`: the one extension key of ours, per service, for what Compose cannot say.

    services:
      web:
        x-ecs:
          public: false                # its published ports stay private (default true: as published)
          scaling: {min: 2, desired: 2, max: 10}
          size: {cpu: 1024, memory: 2048}   # the Fargate size of each task
      db:
        x-ecs:
          rds: true                    # Amazon RDS in its place (ecs-services-rds); false: keep the container

It maps onto the config the import writes: `public` onto the service's ports, `scaling` and
`size` onto `services.tasks.<service>` (min_tasks, desired_tasks, max_tasks, cpu, memory; over
what `deploy:` gave), `rds` onto `services.rds.replace`. Compose ignores `x-` keys, so the file
still runs locally unchanged.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from ecs_templates.config.fields import type_name
from ecs_templates.importers.compose.report import Report

KEY = "x-ecs"
_KEYS = ("public", "scaling", "size", "rds")
_SCALING = {"min": "min_tasks", "desired": "desired_tasks", "max": "max_tasks"}
_SIZE = {"cpu": "cpu", "memory": "memory"}


@dataclass(frozen=True)
class Extension:
    public: bool | None = None
    rds: bool | None = None
    settings: dict[str, int] = field(default_factory=dict)   # services.tasks.<service> keys


def read_extension(report: Report, service: str, raw: Any) -> Extension:
    value = raw.get(KEY) if isinstance(raw, dict) else None
    if value is None:
        return Extension()
    if not isinstance(value, dict):
        raise report.error(service, KEY, f"expected a mapping ({', '.join(_KEYS)}), got {type_name(value)}")
    for key in sorted(value, key=str):
        if key not in _KEYS:
            raise report.error(service, f"{KEY}.{key}", f"unknown key; {KEY} has {', '.join(_KEYS)}")
    flags = {}
    for key in ("public", "rds"):
        if key in value and not isinstance(value[key], bool):
            raise report.error(service, f"{KEY}.{key}", f"expected true or false, got {value[key]!r}")
        flags[key] = value.get(key)
    settings: dict[str, int] = {}
    for group, names in (("scaling", _SCALING), ("size", _SIZE)):
        section = value.get(group) or {}
        if not isinstance(section, dict):
            raise report.error(service, f"{KEY}.{group}", f"expected a mapping ({', '.join(names)}), got "
                                                          f"{type_name(section)}")
        for key, number in sorted(section.items(), key=lambda item: str(item[0])):
            if key not in names:
                raise report.error(service, f"{KEY}.{group}.{key}", f"unknown key; {group} has {', '.join(names)}")
            if isinstance(number, bool) or not isinstance(number, int) or number < 1:
                raise report.error(service, f"{KEY}.{group}.{key}", f"expected a whole number above 0, got {number!r}")
            settings[names[key]] = number
    return Extension(public=flags["public"], rds=flags["rds"], settings=settings)


def apply_ports(extensions: Mapping[str, Extension], drafts: Mapping[str, Any], report: Report) -> None:
    """`public: false`: the service's published ports become private (reached by other services only)."""
    for draft in drafts.values():
        if extensions[draft.compose_name].public is False:
            for port in draft.ports.values():
                if port.pop("public", None):
                    port.pop("host", None)
                    report.note(draft.compose_name, f"{KEY}.public", f"port {port['container']} stays private")


def merged_tasks(extensions: Mapping[str, Extension], drafts: Mapping[str, Any],
                 tasks: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """`services.tasks` with each service's `x-ecs` scaling and size over what `deploy:` gave."""
    merged = {name: dict(settings) for name, settings in tasks.items()}
    for draft in drafts.values():
        settings = extensions[draft.compose_name].settings
        if settings:
            entry = merged.setdefault(draft.name, {})
            entry.update(settings)
            if "desired_tasks" in settings and "max_tasks" not in settings:
                entry["max_tasks"] = max(entry.get("max_tasks", 0), settings["desired_tasks"], 4)
            if "min_tasks" in settings and "desired_tasks" not in entry:
                entry["desired_tasks"] = max(settings["min_tasks"], 1)
    return dict(sorted(merged.items()))


def rds_choice(extensions: Mapping[str, Extension], drafts: Mapping[str, Any],
               databases: list[str]) -> tuple[bool | None, list[str]]:
    """(whether RDS is wanted: None = as the import decides, the services it replaces)."""
    names = {draft.compose_name: draft.name for draft in drafts.values()}
    wanted = sorted(names[s] for s, e in extensions.items() if e.rds is True)
    refused = {names[s] for s, e in extensions.items() if e.rds is False}
    if wanted:
        return True, wanted
    if refused:
        rest = sorted(name for name in databases if name not in refused)
        return (None, rest) if rest else (False, [])
    return None, []
