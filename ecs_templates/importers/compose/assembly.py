"""The Compose file as Compose itself sees it: `include`, `extends` and `profiles` applied.

The services that come out are the ones `docker compose up` (with the same `--profile`
options) would start, each with what it inherits written in, so that the rest of the
import reads plain services. The merge follows the Compose Specification
(https://docs.docker.com/reference/compose-file/merge/): mappings merge key by key, the
sequences of `_SEQUENCES` are concatenated without repeats, any other value is replaced;
`!reset` and `!override` (tags.py) remove or replace what a key inherits.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Sequence

from ecs_templates.config.fields import type_name
from ecs_templates.config.loader import read_yaml_file
from ecs_templates.errors import ConfigError
from ecs_templates.importers.compose.report import Report
from ecs_templates.importers.compose.tags import ComposeLoader, Override, Reset, plain

_SEQUENCES = frozenset(("ports", "expose", "volumes", "secrets", "configs", "env_file", "dns", "dns_search",
                        "cap_add", "cap_drop", "devices", "links", "external_links", "tmpfs", "extra_hosts",
                        "security_opt", "volumes_from", "profiles"))
_PAIRS = frozenset(("environment", "labels"))
_MERGED_TOP_LEVEL = ("services", "volumes", "networks", "secrets", "configs")


def assemble(document: dict[str, Any], path: Path, report: Report, profiles: Sequence[str]) -> dict[str, Any]:
    """`document` (a checked Compose file at `path`) with includes merged, extends resolved, profiles applied."""
    document = _included(document, path, report, [path.resolve()])
    services = document.get("services") or {}
    if not services:
        raise report.error(None, "services", "no services defined, here or in the included files; add at "
                                             "least one under services:")
    resolved: dict[str, Any] = {}
    for name in sorted(services, key=str):
        resolved[name] = _extended(report, services, str(name), path.parent, [])
    document = plain({**document, "services": resolved})
    return _with_profiles(document, report, profiles)


# -- include -----------------------------------------------------------------------------------

def _included(document: dict[str, Any], path: Path, report: Report, chain: list[Path]) -> dict[str, Any]:
    value = document.get("include")
    if value is None:
        return document
    items = value if isinstance(value, list) else [value]
    merged = {key: document[key] for key in document if key != "include"}
    for index, item in enumerate(items):
        where = f"include[{index}]"
        project_directory = None
        if isinstance(item, dict):
            paths = item.get("path")
            for key in sorted(set(item) - {"path", "project_directory", "env_file"}):
                raise report.error(None, f"{where}.{key}", "unknown key; include has path, project_directory, env_file")
            if item.get("env_file") is not None:
                report.unsupported(None, f"{where}.env_file", "the import interpolates every file with the "
                                   "environment and the main file's .env; put these variables there")
            if item.get("project_directory") is not None:
                if not isinstance(item["project_directory"], str):
                    raise report.error(None, f"{where}.project_directory",
                                       f"expected a directory, got {type_name(item['project_directory'])}")
                project_directory = (path.parent / item["project_directory"]).resolve()
        else:
            paths = item
        paths = paths if isinstance(paths, list) else [paths]
        for relative in paths:
            if not isinstance(relative, str) or not relative:
                raise report.error(None, where, f"expected the path of a Compose file, got {type_name(relative)}")
            target = (path.parent / relative).resolve()
            if target in chain:
                raise report.error(None, where, f"{relative} includes itself (through "
                                                f"{' -> '.join(p.name for p in chain)}); remove one include")
            try:
                included = read_yaml_file(target, "included Compose file", ComposeLoader)
            except ConfigError as error:
                raise report.error(None, where, f"{relative}: {error.message}") from None
            if not isinstance(included, dict) or not isinstance(included.get("services") or {}, dict):
                raise report.error(None, where, f"{relative} is not a Compose file (a mapping with services:)")
            included = _included(included, target, report, [*chain, target])
            for key in _MERGED_TOP_LEVEL:
                for name, entry in (included.get(key) or {}).items():
                    if name in (merged.get(key) or {}):
                        raise report.error(None, f"{key}.{name}", f"is defined both here and in the included "
                                                                  f"{relative}, which Compose refuses; rename one")
                    if key == "services":
                        entry = _rooted(entry, project_directory or target.parent, path.parent)
                    merged.setdefault(key, {})[name] = entry
    return merged


def _rooted(service: Any, directory: Path, root: Path) -> Any:
    """Relative paths of an included service (env_file, extends.file, build context, bind mount
    sources) are its project directory's (the included file's, or include's project_directory):
    make them absolute."""
    if not isinstance(service, dict) or directory == root.resolve():
        return service
    service = dict(service)
    env_files = service.get("env_file")
    if isinstance(env_files, str):
        service["env_file"] = str(directory / env_files)
    elif isinstance(env_files, list):
        service["env_file"] = [str(directory / item) if isinstance(item, str) else
                               {**item, "path": str(directory / item["path"])} if isinstance(item, dict)
                               and isinstance(item.get("path"), str) else item for item in env_files]
    extends = service.get("extends")
    if isinstance(extends, dict) and isinstance(extends.get("file"), str):
        service["extends"] = {**extends, "file": str(directory / extends["file"])}
    # Project paths stay relative (to the main file's directory): an absolute one is a host path.
    build = service.get("build")
    if isinstance(build, str):
        service["build"] = _from_root(build, directory, root)
    elif isinstance(build, dict) and isinstance(build.get("context", "."), str):
        service["build"] = {**build, "context": _from_root(build.get("context", "."), directory, root)}
    if isinstance(service.get("volumes"), list):
        service["volumes"] = [_rooted_volume(item, directory, root) for item in service["volumes"]]
    return service


def _from_root(relative: str, directory: Path, root: Path) -> str:
    return "./" + Path(os.path.relpath(directory / relative, root.resolve())).as_posix()


def _rooted_volume(item: Any, directory: Path, root: Path) -> Any:
    """`./conf:/etc/conf` (short) or {type: bind, source: ./conf} (long), from the included project."""
    if isinstance(item, str) and item.startswith("."):
        source, colon, rest = item.partition(":")
        return _from_root(source, directory, root) + colon + rest
    if isinstance(item, dict) and isinstance(item.get("source"), str) and item["source"].startswith("."):
        return {**item, "source": _from_root(item["source"], directory, root)}
    return item


# -- extends -----------------------------------------------------------------------------------

def _extended(report: Report, services: dict[str, Any], name: str, directory: Path,
              chain: list[tuple[str, str]]) -> Any:
    service = services.get(name)
    if not isinstance(service, dict) or "extends" not in service:
        return service
    where = "extends"
    extends = service["extends"]
    if isinstance(extends, str):
        extends = {"service": extends}
    if not isinstance(extends, dict) or not isinstance(extends.get("service"), str):
        raise report.error(name, where, "expected a service name, or a mapping with service: (and file:)")
    base_name, base_services, base_directory = extends["service"], services, directory
    if extends.get("file") is not None:
        file = directory / str(extends["file"])
        try:
            other = read_yaml_file(file, "Compose file", ComposeLoader)
        except ConfigError as error:
            raise report.error(name, f"{where}.file", error.message) from None
        base_services = other.get("services") if isinstance(other, dict) else None
        if not isinstance(base_services, dict):
            raise report.error(name, f"{where}.file", f"{extends['file']} has no services:")
        base_directory = file.parent
    link = (str(extends.get("file") or ""), name)
    if link in chain:
        cycle = " -> ".join(service for _, service in [*chain, link])
        raise report.error(name, where, f"extends itself in a circle ({cycle}); break the circle")
    if base_name not in base_services:
        raise report.error(name, f"{where}.service", f"no service named {base_name!r} to extend"
                                                     + (f" in {extends['file']}" if extends.get("file") else ""))
    if base_services is services and base_name == name:
        raise report.error(name, where, f"extends itself in a circle ({name} -> {name}); break the circle")
    base = _extended(report, base_services, base_name, base_directory, [*chain, link])
    if not isinstance(base, dict):
        raise report.error(name, f"{where}.service", f"{base_name} is not a service mapping")
    own = {key: value for key, value in service.items() if key != "extends"}
    inherited = {key: value for key, value in base.items() if key not in ("depends_on", "links", "volumes_from")
                 or base_services is services}
    return merge_service(inherited, own)


def merge_service(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Reset):
            merged.pop(key, None)  # !reset: nothing inherited
        elif isinstance(value, Override):
            merged[key] = value.value  # !override: replaced whole, not merged
        elif key not in merged:
            merged[key] = value
        elif key in _PAIRS:
            merged[key] = {**_pairs(merged[key]), **_pairs(value)}
        elif key in _SEQUENCES and isinstance(merged[key], list) and isinstance(value, list):
            merged[key] = merged[key] + [item for item in value if item not in merged[key]]
        elif isinstance(merged[key], dict) and isinstance(value, dict) and key not in ("command", "entrypoint"):
            merged[key] = merge_service(merged[key], value)
        else:
            merged[key] = value
    return merged


def _pairs(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    pairs: dict[str, Any] = {}
    for item in value if isinstance(value, list) else []:
        name, equals, text = str(item).partition("=")
        pairs[name] = text if equals else None
    return pairs


# -- profiles ----------------------------------------------------------------------------------

def _with_profiles(document: dict[str, Any], report: Report, profiles: Sequence[str]) -> dict[str, Any]:
    """Services with `profiles:` start only when one of theirs is chosen (`--profile`), as in Compose."""
    services = document["services"]
    known: set[str] = set()
    for name, service in services.items():
        listed = service.get("profiles", []) if isinstance(service, dict) else []
        if not isinstance(listed, list) or not all(isinstance(item, str) for item in listed):
            raise report.error(str(name), "profiles", f"expected a list of profile names, got {type_name(listed)}")
        known.update(listed)
    for profile in profiles:
        if profile not in known:
            raise report.error(None, "", f"--profile {profile}: no service of the file has that profile "
                                         f"(profiles: {', '.join(sorted(known)) or 'none'}); name one of them")
    active = {name: {key: value for key, value in service.items() if key != "profiles"}
              if isinstance(service, dict) else service
              for name, service in services.items()
              if not isinstance(service, dict) or not service.get("profiles")
              or set(service["profiles"]) & set(profiles)}
    for name, service in sorted(services.items()):
        if name in active:
            continue
        report.note(str(name), "profiles", f"not imported: its profiles ({', '.join(service['profiles'])}) are "
                                           "not chosen; add --profile to import it")
        for other in sorted(active):
            depends = active[other].get("depends_on") if isinstance(active[other], dict) else None
            if name in (depends or []):
                raise report.error(str(other), f"depends_on.{name}",
                                   f"{name} is off (profiles: {', '.join(service['profiles'])}); add "
                                   f"--profile {service['profiles'][0]}, or remove the dependency")
    if not active:
        raise report.error(None, "services", "every service has a profile that is not chosen; add --profile "
                                             + "|".join(sorted(known)))
    return {**document, "services": active}
