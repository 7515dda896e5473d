"""The draft one Compose service becomes, and the context every service is read against.

`service.ServiceReader` fills a `Draft` per service; the cross-service steps (reach.py,
uses.py, plan.py, ...) read and complete the drafts once every service has one.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ecs_templates.importers.compose import values
from ecs_templates.importers.compose.report import Report
from ecs_templates.importers.compose.secrets import SecretBook


@dataclass
class Draft:
    """What one service becomes; `data` holds the container keys that need no other service."""

    compose_name: str
    name: str
    data: dict[str, Any] = field(default_factory=dict)
    ports: dict[int, dict[str, Any]] = field(default_factory=dict)
    environment: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    hosts: dict[str, str] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)
    depends_on: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    volumes: set[str] = field(default_factory=set)
    sources: dict[int, str] = field(default_factory=dict)   # port -> where it came from (the import report)
    replicas: int | None = None                               # deploy.replicas
    limits: dict[str, int] = field(default_factory=dict)      # deploy.resources.limits: cpu units, memory MiB
    assembled: dict[str, str] = field(default_factory=dict)   # variable -> password secret (URL values)
    networks: tuple[str, ...] = ()                            # () = the default network
    aliases: dict[str, str] = field(default_factory=dict)     # network alias -> its network (config name)
    published: dict[int, values.HostPort] = field(default_factory=dict)  # container port -> its other host port


@dataclass
class Context:
    """What every service is read against: the whole file's names and variables."""

    report: Report
    variables: Mapping[str, str]
    book: SecretBook
    directory: Path
    services: Mapping[str, str]        # Compose service name -> container name
    volumes: Mapping[str, str]         # top-level volume -> task volume name
    secrets: Mapping[str, str]         # top-level secret -> application secret name
    networks: Mapping[str, str] = field(default_factory=dict)  # top-level network -> config name
