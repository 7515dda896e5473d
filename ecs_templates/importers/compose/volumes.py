"""Volumes: the file's top-level `volumes:`, each service's `volumes:` as mounts, and what a volume becomes on ECS.

A named volume is a task volume (`mounts` of the container); a bind mount is the host
mount options.py allows; an anonymous volume is left in the container.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

from ecs_templates.config.fields import type_name
from ecs_templates.importers.compose import options
from ecs_templates.importers.compose.document import named_entries
from ecs_templates.importers.compose.draft import Draft
from ecs_templates.importers.compose.report import Report


def top_level_volumes(value: Any, variables: Mapping[str, str], report: Report) -> dict[str, str]:
    """Top-level volume -> task volume name."""
    volumes = {}
    for name, options, where in named_entries(value, "volumes", report):
        for key in sorted(options, key=str):
            if not str(key).startswith("x-"):
                report.unsupported(None, f"{where}.{key}", "ECS task storage has no drivers, labels or external volumes")
        volumes[name] = re.sub(r"[^A-Za-z0-9_-]", "-", name)
    return volumes


def read_mounts(reader: Any) -> None:
    if reader.raw.get("volumes") is None:
        return
    listed = reader.resolved("volumes")
    if not isinstance(listed, list):
        raise reader.error("volumes", f"expected a list of volumes, got {type_name(listed)}")
    mounts = []
    for index, item in enumerate(listed):
        key = f"volumes[{index}]"
        mount = _mount(reader, key, item)
        if mount:
            mounts.append(mount)
    if mounts:
        reader.draft.data["mounts"] = mounts


def _mount(reader: Any, key: str, item: Any) -> dict[str, Any] | None:
    if isinstance(item, str):
        parts = item.split(":")
        if len(parts) == 1:
            kind, source, target, read_only = "volume", "", parts[0], False
        else:
            source, target = parts[0], parts[1]
            read_only = len(parts) > 2 and "ro" in parts[2].split(",")
            kind = "bind" if source.startswith(("/", ".", "~")) or "/" in source else "volume"
    elif isinstance(item, dict):
        kind, source = str(item.get("type", "volume")), str(item.get("source") or "")
        target, read_only = str(item.get("target") or ""), item.get("read_only") is True
    else:
        raise reader.error(key, f"expected 'volume:/path' or a mapping, got {type_name(item)}")
    if not target.startswith("/"):
        raise reader.error(key, f"the mount path {target!r} must be absolute")
    if kind == "bind":
        host_mount = options.bind_mount(reader, key, source, target, read_only)
        if host_mount is not None:
            reader.draft.data.setdefault("host_mounts", []).append(host_mount)
        return None
    if kind != "volume":
        reader.report.unsupported(reader.service, key, f"a {kind} mount has no ECS meaning here")
        return None
    if not source:
        reader.warn(key, f"anonymous volume {target}: on ECS the data stays in the container for the "
                         "life of the task; not imported as a volume")
        return None
    if source not in reader.context.volumes:
        raise reader.error(key, f"volume {source!r} is not defined under the top-level volumes:")
    reader.draft.volumes.add(source)
    mount: dict[str, Any] = {"volume": reader.context.volumes[source], "path": target}
    if read_only:
        mount["read_only"] = True
    return mount


def warn_volumes(drafts: Mapping[str, Draft], report: Report) -> None:
    used = sorted({volume for draft in drafts.values() for volume in draft.volumes})
    for volume in used:
        report.warn(None, f"volumes.{volume}", "becomes a task volume shared by its containers: on ecs-ec2 a "
                                               "Docker volume of the instance (kept across task restarts there, "
                                               "lost with the instance), on ecs-fargate task storage (a replaced "
                                               "task starts empty); in ecs-services an access point on the "
                                               "stack's EFS file system, which is kept")
