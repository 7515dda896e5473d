"""The port of a service others reach by name, when its compose entry lists none: where the project says it.

A service that others reach by name accepts traffic in the services stacks only on its
ports (reach.py). When `ports:` and `expose:` are silent, the import reads what the project
itself says, in this order, and the import report names the file and line of each finding:
1. the service's own runtime settings: a listen-all address in its environment or command
   (`ASPNETCORE_URLS=http://+:8000`, `gunicorn -b 0.0.0.0:8000`) or a `PORT` variable;
2. a label that tells a proxy its port (images.PORT_LABELS: Traefik's
   `traefik.http.services.<name>.loadbalancer.server.port=80`);
3. its image: the Dockerfile's EXPOSE for a built service (dockerfile.py), else the image
   table's main port;
4. the files its clients carry into their images (their build context, the project files
   copied into them): a client's nginx.conf saying `proxy_pass http://backend:8000`.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from ecs_templates.config import images
from ecs_templates.config.addresses import named_hosts
from ecs_templates.importers.compose.dockerfile import exposed_ports
from ecs_templates.importers.compose.draft import Draft

_LISTEN_ALL = re.compile(r"(?<![\w.:\]-])(?:0\.0\.0\.0|\[::\]|\*|\+):(\d{1,5})(?![\w.])")
_PORT_VARIABLE = "PORT"   # the twelve-factor convention: the port a web process binds (https://12factor.net/port-binding)
# The files of a client that are read: text under this size, outside dependency and VCS folders.
_MAX_FILE_BYTES = 256 * 1024
_MAX_FILES = 2000
_SKIPPED_DIRECTORIES = frozenset((".git", "node_modules", "vendor", "target", "__pycache__", ".venv", "dist"))


@dataclass(frozen=True)
class FoundPort:
    port: int
    source: str     # for the import report: where the project says it


def found_ports(server: Draft, clients: Sequence[Draft], names: Iterable[str], directory: Path) -> list[FoundPort]:
    """The ports `server` listens on by the first source above that names any; [] when none does."""
    for finder in (lambda: _runtime(server), lambda: _labels(server), lambda: _image(server, directory),
                   lambda: _client_files(clients, sorted(set(names)), directory)):
        found = finder()
        if found:
            unique: dict[int, FoundPort] = {}
            for entry in found:
                unique.setdefault(entry.port, entry)
            return list(unique.values())
    return []


def _valid(text: str) -> int | None:
    number = int(text)
    return number if 0 < number <= 65535 else None


def _runtime(server: Draft) -> list[FoundPort]:
    found: list[FoundPort] = []
    for variable in sorted(server.environment):
        value = server.environment[variable]
        if variable == _PORT_VARIABLE and value.strip().isdigit() and _valid(value.strip()):
            found.append(FoundPort(int(value.strip()), f"its environment ({variable}={value.strip()})"))
        for match in _LISTEN_ALL.finditer(value):
            if _valid(match.group(1)):
                found.append(FoundPort(int(match.group(1)), f"its environment ({variable}: {match.group(0)})"))
    for key in ("entry_point", "command"):
        words = server.data.get(key) or []
        for match in _LISTEN_ALL.finditer(" ".join(words)):
            if _valid(match.group(1)):
                found.append(FoundPort(int(match.group(1)), f"its {key} ({match.group(0)})"))
    return found


def _labels(server: Draft) -> list[FoundPort]:
    found: list[FoundPort] = []
    for label, value in sorted((server.data.get("labels") or {}).items()):
        if any(pattern.fullmatch(label) for pattern in images.PORT_LABELS) and str(value).isdigit() \
                and _valid(str(value)):
            found.append(FoundPort(int(value), f"its label {label}={value}"))
    return found


def _image(server: Draft, directory: Path) -> list[FoundPort]:
    build = server.data.get("build")
    if build is not None:
        shown = os.path.normpath(os.path.join(build["context"], build["dockerfile"]))
        return [FoundPort(entry.port, entry.where) for entry in exposed_ports(directory / build["context"], build["dockerfile"],
                                           build.get("target"), build.get("args") or {}, shown)
                if entry.protocol == "tcp"]
    image = server.data.get("image", "")
    well_known = images.well_known_ports(image) if image else ()
    return [FoundPort(well_known[0], f"image table ({images.repository_of(image)})")] if well_known else []


def _client_files(clients: Sequence[Draft], names: Sequence[str], directory: Path) -> list[FoundPort]:
    found: list[FoundPort] = []
    for client in clients:
        for path in _carried_files(client, directory):
            try:
                data = path.read_bytes()
            except OSError:
                continue
            if b"\0" in data:
                continue  # binary
            shown = os.path.relpath(path, directory)
            for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), start=1):
                if not any(name in line for name in names):
                    continue
                for _, port in named_hosts("", line, names):
                    if port is not None and _valid(str(port)):
                        found.append(FoundPort(port, f"{shown}:{number}, which {client.compose_name} "
                                                     "carries into its image"))
    return found


def _carried_files(client: Draft, directory: Path) -> list[Path]:
    """The project files in `client`'s image: its build context and the files copied into it, sorted."""
    roots = [directory / copy["source"] for copy in client.data.get("copies") or []]
    if client.data.get("build") is not None:
        roots.append(directory / client.data["build"]["context"])
    files: list[Path] = []
    for root in roots:
        if root.is_file():
            files.append(root)
            continue
        for folder, subfolders, names in os.walk(root):
            subfolders[:] = sorted(name for name in subfolders if name not in _SKIPPED_DIRECTORIES)
            files += [Path(folder) / name for name in sorted(names)]
    unique = sorted(set(path for path in files if _small(path)))
    return unique[:_MAX_FILES]


def _small(path: Path) -> bool:
    try:
        return path.is_file() and path.stat().st_size <= _MAX_FILE_BYTES
    except OSError:
        return False


def reached_names(server: Draft, drafts: Mapping[str, Draft]) -> list[str]:
    """The names a client may call `server` by: compose name, ECS name, network aliases, link aliases."""
    names = {server.compose_name, server.name, *server.aliases}
    for draft in drafts.values():
        names.update(alias for alias, container in draft.links.items() if container == server.name)
    return sorted(names)
