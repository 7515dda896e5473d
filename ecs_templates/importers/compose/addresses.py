"""Service names used as host names in environment values (`db:3306`, `mysql://db/app`).

Compose resolves a service name on its network. In ECS that holds only under bridge
with links; under awsvpc the containers of a task answer on 127.0.0.1. So such a value
becomes a `uses` entry and the generator writes the address for each network mode.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from ecs_templates.importers.compose.keys import HOST_KEY

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
