"""The services model's plain data: endpoints, volumes, services, links, the topology (config/topology.py derives it)."""
from __future__ import annotations

from dataclasses import dataclass

from ecs_templates.config import images
from ecs_templates.config.container import Container
from ecs_templates.config.images import DatabaseEngine, DataPath
from ecs_templates.config.services import ServiceSettings

HTTP_PROTOCOLS = ("http", "http2", "grpc")
MAIN_HTTP_PORT, MAIN_HTTPS_PORT = 80, 443


@dataclass(frozen=True)
class Endpoint:
    """A port of a service: reached by name inside the stack, and at `published` from the internet if public."""

    service: str
    container: str
    port: int
    transport: str      # tcp | udp
    app_protocol: str   # http | http2 | grpc | tcp | udp
    public: bool
    published: int      # the load balancer's listener port (public endpoints)

    @property
    def is_http(self) -> bool:
        return self.app_protocol in HTTP_PROTOCOLS

    @property
    def port_name(self) -> str:
        """The task definition's port mapping name, Service Connect's portName and discoveryName."""
        return f"{self.service}-{self.port}" + ("-udp" if self.transport == "udp" else "")


@dataclass(frozen=True)
class Volume:
    """A named volume mounted by a container of a service, and the ownership it gets on EFS."""

    name: str
    container: str
    path: str
    ownership: DataPath
    known: bool  # the image table knows this path (else the default ownership)


@dataclass(frozen=True)
class Service:
    name: str
    containers: tuple[Container, ...]  # the main container first, then its sidecars
    settings: ServiceSettings
    endpoints: tuple[Endpoint, ...]
    volumes: tuple[Volume, ...]
    database: DatabaseEngine | None
    generated_secrets: tuple[tuple[str, str], ...]  # (variable, secret name), from the image table

    @property
    def main(self) -> Container:
        return self.containers[0]

    @property
    def holds_data(self) -> bool:
        """One task and a stop-before-start deployment: a database, or volumes no two tasks may write."""
        if self.database is not None:
            return True
        shared = self.settings.replicas_share_volumes or all(v.ownership.shared_by_replicas for v in self.volumes)
        return bool(self.volumes) and not shared

    @property
    def public_endpoints(self) -> tuple[Endpoint, ...]:
        return tuple(endpoint for endpoint in self.endpoints if endpoint.public)

    @property
    def health_check_path(self) -> str:
        known = images.known_image(self.main.image)
        return self.settings.health_check_path or (known.health_check_path if known else "/")


@dataclass(frozen=True)
class Link:
    """`client` opens `port` of `server`."""

    client: str
    server: str
    port: int
    transport: str = "tcp"


@dataclass(frozen=True)
class Topology:
    services: tuple[Service, ...]
    links: tuple[Link, ...]

    def service(self, name: str) -> Service:
        return next(service for service in self.services if service.name == name)

    def clients_of(self, server: str) -> tuple[str, ...]:
        return tuple(sorted({link.client for link in self.links if link.server == server}))

    def links_to(self, server: str) -> tuple[Link, ...]:
        return tuple(link for link in self.links if link.server == server)

    @property
    def volume_names(self) -> tuple[str, ...]:
        return tuple(sorted({volume.name for service in self.services for volume in service.volumes}))

    def volume_users(self, name: str) -> tuple[Service, ...]:
        return tuple(service for service in self.services if any(v.name == name for v in service.volumes))


def service_name_of(container: Container) -> str:
    """The service whose task holds `container` (a one-shot job: its own name; see `topology`)."""
    return container.sidecar_of or container.name
