"""Service names used as host names in environment values (`db:3306`, `mysql://db/app`).

Compose resolves a service name on its network. In ECS that holds only under bridge
with links; under awsvpc the containers of a task answer on 127.0.0.1. So the compose
importer turns such a value into a `uses` entry, and the generator writes the address for
each network mode; the services stacks read the same values to know who talks to whom.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping

# Keys whose bare value is a host name (DB_HOST: db); elsewhere a bare word is only a word.
HOST_KEY = re.compile(r"(HOST|HOSTNAME|SERVER|ADDR|ADDRESS|ENDPOINT)$", re.IGNORECASE)

_ADDRESS = re.compile(
    r"^(?P<prefix>[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/\s]*@)?)?"
    r"(?P<host>[A-Za-z0-9_.-]+)"
    r"(?::(?P<port>\d{1,5}))?"
    r"(?P<suffix>[/?#].*)?$", re.DOTALL)


@dataclass(frozen=True)
class Address:
    """`value` names `target` (a service), at `port` if the value gives one, shaped by `format`."""

    target: str
    port: int | None
    format: str


def find_address(key: str, value: str, hosts: Mapping[str, str]) -> Address | None:
    """The service that `value` names as a host, if it does; `hosts` maps names and aliases to services.

    A bare name counts only under a host-like key (DB_HOST: db), since a database or user
    name often equals a service name (WORDPRESS_DB_NAME: wordpress).
    """
    match = _ADDRESS.match(value)
    if not match or match.group("host") not in hosts:
        return None
    prefix, port, suffix = match.group("prefix") or "", match.group("port"), match.group("suffix") or ""
    if not prefix and not port and (suffix or not HOST_KEY.search(key)):
        return None
    shape = _escape(prefix) + "{host}" + (":{port}" if port else "") + _escape(suffix)
    return Address(hosts[match.group("host")], int(port) if port else None, shape)


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def named_hosts(key: str, value: str, names: Iterable[str]) -> list[tuple[str, int | None]]:
    """Every (name, port) that `value` names as a host: a whole address, or `name:port` inside a longer value.

    ZooKeeper's `ZOO_SERVERS: server.1=zoo1:2888:3888;2181 ...` names zoo1 on 2888.
    """
    hosts = {name: name for name in names}
    whole = find_address(key, value, hosts)
    found = [(whole.target, whole.port)] if whole else []
    for name in hosts:
        for match in re.finditer(rf"(?:(?<![\w.-])|(?<=://)|(?<=@)){re.escape(name)}:(\d{{1,5}})(?![\w.])", value):
            found.append((name, int(match.group(1))))
        if re.search(rf"(?:://|@){re.escape(name)}(?![\w.:-])", value):
            found.append((name, None))
    return sorted(set(found), key=lambda item: (item[0], item[1] or 0))
