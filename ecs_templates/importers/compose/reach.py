"""Services that others reach by name get a port: one they list, one named in the value, or the image's.

In the services stacks every compose service is an ECS service that accepts traffic only on
its ports, from the services that use them (config/topology.py derives the links). A
service reached by name (`depends_on`, `links`, a host in an environment value) with no
port in `ports` or `expose` would accept nothing: it gets the port a value names
(`zoo1:2888`), else the port the project says it listens on (found_ports.py: its listen
address, a proxy label, its Dockerfile's EXPOSE or the image table, a client's nginx.conf),
else the import stops with the fix.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from ecs_templates.config.addresses import find_address, named_hosts
from ecs_templates.importers.compose.found_ports import found_ports, reached_names
from ecs_templates.importers.compose.report import Report
from ecs_templates.importers.compose.draft import Draft

# Conditions under which a dependency is a start order only: the other one has run and exited.
_COMPLETION = ("SUCCESS", "COMPLETE")


@dataclass(frozen=True)
class Reference:
    client: str        # the compose name of the service that reaches ...
    server: str        # ... this container (its ECS name) ...
    port: int | None   # ... on this port, if the reference names one
    key: str           # where: environment.DB_HOST, links, depends_on.db


def hosts_of(draft: Draft, drafts: Mapping[str, Draft]) -> dict[str, str]:
    """The names under which `draft` reaches the other services (compose and ECS names, network and link aliases)."""
    hosts = {other.compose_name: other.name for other in drafts.values()}
    hosts.update({other.name: other.name for other in drafts.values()})
    mine = set(draft.networks or ("default",))
    for other in drafts.values():
        # A network alias resolves for the services on that network only, as in Compose.
        hosts.update({alias: other.name for alias, network in other.aliases.items() if network in mine})
    hosts.update(draft.links)
    return {host: container for host, container in hosts.items() if container != draft.name}


def references(drafts: Mapping[str, Draft]) -> list[Reference]:
    found: list[Reference] = []
    for draft in drafts.values():
        hosts = hosts_of(draft, drafts)
        for variable in sorted(draft.environment):
            value, key = draft.environment[variable], f"environment.{variable}"
            whole = find_address(variable, value, hosts)
            if whole is not None:
                found.append(Reference(draft.compose_name, whole.target, whole.port, key))
            for name, port in named_hosts(variable, value, hosts):
                if port is not None:
                    found.append(Reference(draft.compose_name, hosts[name], port, key))
        for alias, container in sorted(draft.links.items()):
            found.append(Reference(draft.compose_name, container, None, f"links.{alias}"))
        for container, condition in sorted(draft.depends_on.items()):
            if condition not in _COMPLETION:
                found.append(Reference(draft.compose_name, container, None, f"depends_on.{container}"))
    return found


def give_ports(drafts: Mapping[str, Draft], report: Report, directory: Path) -> None:
    """Every service reached by name ends with at least the port it is reached on."""
    by_container = {draft.name: draft for draft in drafts.values()}
    found = references(drafts)
    for reference in found:
        target = by_container[reference.server]
        if reference.port is not None and reference.port not in target.ports:
            target.ports[reference.port] = {"container": reference.port}
            target.sources[reference.port] = f"named by {reference.client} ({reference.key})"
    for reference in found:
        target = by_container[reference.server]
        if target.ports:
            continue
        clients = sorted({r.client for r in found if r.server == target.name})
        ports = found_ports(target, [drafts[name] for name in clients],
                            reached_names(target, drafts), directory)
        if not ports:
            image = target.data.get("image", "")
            what = f"the image table knows none for {image}" if image else \
                "it is built here (build:) and its Dockerfile exposes none"
            raise report.error(target.compose_name, "expose",
                               f"{reference.client} reaches {target.compose_name} by name ({reference.key}), "
                               f"but {target.compose_name} lists no port (ports: or expose:), {what}, and no "
                               "file of the project names one; add the port it listens on, e.g. "
                               "expose: [\"8080\"]")
        for entry in ports:
            target.ports[entry.port] = {"container": entry.port}
            target.sources[entry.port] = f"{entry.source}: {reference.client} reaches it by name and it lists no port"
