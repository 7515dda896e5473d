"""The application as services: who they are, what they publish, who talks to whom, what they keep.

Every container that is not a sidecar is a service named after it; its sidecars join its
task. The links between services (who may open which port of whom) come from the config:
`uses` (that port), `links`, `depends_on` and environment values that name a service as a
host (`db`, `db:5432`, `mysql://db/app`): those open the port named, or the service's main
port (its first) when none is. The security groups, Service Connect and the diagrams derive from
these links, so that a service accepts traffic only from those that use it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Iterable

from ecs_templates.config import images
from ecs_templates.config.addresses import named_hosts
from ecs_templates.config.images import DatabaseEngine, DataPath
from ecs_templates.config.model import Application, Config, Container, Mount, PortMapping
from ecs_templates.config.services import PATH, ServiceSettings
from ecs_templates.errors import ConfigError

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


def _endpoints(name: str, containers: tuple[Container, ...]) -> tuple[Endpoint, ...]:
    return tuple(Endpoint(
        service=name, container=container.name, port=port.container_port, transport=port.protocol,
        app_protocol=port.app_protocol or images.app_protocol(container.image, port.container_port, port.protocol),
        public=port.public, published=port.host_port or port.container_port)
        for container in containers for port in container.ports)


def _with_data_paths(container: Container, service: str) -> Container:
    """The container with a volume at every data path the image table knows and the config does not mount."""
    known = images.known_image(container.image)
    mounted = {mount.path.rstrip("/") for mount in container.mounts}
    extra = tuple(Mount(volume=f"{service}-{re.sub(r'[^A-Za-z0-9]+', '-', entry.path).strip('-')}", path=entry.path)
                  for entry in (known.data if known else ()) if entry.path not in mounted)
    return replace(container, mounts=container.mounts + extra) if extra else container


def _with_known_ports(container: Container) -> Container:
    """The container with its image's well-known ports added (internal), so that others can reach them.

    A ZooKeeper node that declares 2181 also listens on 2888 and 3888 for its peers.
    """
    declared = {(port.container_port, port.protocol) for port in container.ports}
    extra = tuple(PortMapping(container_port=port, protocol=transport)
                  for port, transport in ((p, "udp" if proto == "udp" else "tcp")
                                          for p, proto in images.known_ports(container.image))
                  if (port, transport) not in declared)
    return replace(container, ports=container.ports + extra) if extra else container


def _volumes(containers: tuple[Container, ...]) -> tuple[Volume, ...]:
    found = []
    for container in containers:
        known = images.known_image(container.image)
        known_paths = {entry.path for entry in known.data} if known else set()
        for mount in container.mounts:
            found.append(Volume(mount.volume, container.name, mount.path,
                                images.data_path(container.image, mount.path),
                                mount.path.rstrip("/") in known_paths))
    return tuple(found)


def _generated_secrets(container: Container, service: str) -> tuple[tuple[str, str], ...]:
    known = images.known_image(container.image)
    taken = set(container.environment_map) | {env for env, _ in container.secrets} | {u.env for u in container.uses}
    return tuple((env, f"{service}-{secret}") for env, secret in (known.generated_secrets if known else ())
                 if env not in taken)


def _links(app: Application, services: dict[str, Service]) -> tuple[Link, ...]:
    found: set[Link] = set()

    def add(client: str, server: str, port: int | None) -> None:
        if client == server or server not in services:
            return
        _check_shared_network(services[client], services[server])
        if not services[server].endpoints:
            raise ConfigError(f"application.containers.{server}.ports",
                              f"{client} reaches {server} by name, but {server} has no port and the image table "
                              f"does not know {services[server].main.image}; add the port it listens on "
                              "(`ports: [{container: <port>}]`)")
        # No port named (`DB_HOST: db`, depends_on, links): the service's main port, its first one.
        endpoints = services[server].endpoints
        for endpoint in (endpoints[:1] if port is None else [e for e in endpoints if e.port == port]):
            found.add(Link(client, server, endpoint.port, endpoint.transport))

    hosts: dict[str, list[str]] = {}
    for service in services.values():
        for container in service.containers:
            hosts.setdefault(container.name, []).append(service.name)
    for container in app.containers:
        for client in hosts.get(container.name, []):
            for connection in container.uses:
                add(client, service_name_of(app.container(connection.container)), connection.port)
            for target in [link.split(":")[0] for link in container.links] + [d.container for d in container.depends_on]:
                add(client, service_name_of(app.container(target)), None)
            for key, value in container.environment:
                for server, port in named_hosts(key, value, services) + _chained_ports(value, services):
                    add(client, server, port)
    return tuple(sorted(found, key=lambda link: (link.server, link.client, link.port, link.transport)))


def _check_shared_network(client: Service, server: Service) -> None:
    """Least privilege between services: a client reaches a server only through a network they share.

    Each network stands for who may talk to whom, as in Compose; the services stacks then open the
    server's security group to that client alone, on the ports its references name (traffic.py).
    """
    mine, theirs = client.main.network_names, server.main.network_names
    if not mine & theirs:
        raise ConfigError(f"application.containers.{client.name}.networks",
                          f"{client.name} reaches {server.name} by name, but they share no network "
                          f"({client.name}: {', '.join(sorted(mine))}; {server.name}: {', '.join(sorted(theirs))}); "
                          f"add one of {server.name}'s networks to {client.name}'s networks, or remove the reference")


def _chained_ports(value: str, names: Iterable[str]) -> list[tuple[str, int]]:
    """`zoo1:2888:3888` names zoo1 on both ports (ZooKeeper's server list); `named_hosts` takes the first only."""
    found = []
    for name in names:
        for match in re.finditer(rf"(?<![\w.-]){re.escape(name)}((?::\d{{1,5}}){{2,}})(?![\w.])", value):
            found.extend((name, int(port)) for port in match.group(1).split(":")[1:])
    return found


def topology(config: Config) -> Topology:
    """The services of the application as the services stacks run them, checked."""
    app, settings = config.application, config.services
    sidecars: dict[str, list[Container]] = {}
    for container in app.containers:
        if container.sidecar_of is not None:
            sidecars.setdefault(container.sidecar_of, []).append(container)
    for job in (c for c in app.containers if c.sidecar_of is None and not c.essential):
        # A one-shot container (not essential) is no service, since ECS restarts what exits: it runs in
        # the task of each service that waits for it, before that service's container starts.
        waiting = [c for c in app.containers if c.name != job.name and c.essential
                   and any(d.container == job.name for d in c.depends_on)]
        if not waiting:
            raise ConfigError(f"application.containers.{job.name}.essential",
                              f"{job.name} is a one-shot container (not essential) that no service waits for, "
                              "and an ECS service restarts what exits; add `depends_on: {" + job.name +
                              ": SUCCESS}` to the container that needs it, or make it essential")
        for container in waiting:
            sidecars.setdefault(service_name_of(container), []).insert(0, job)
    known_names = {c.name for c in app.containers if c.sidecar_of is None and c.essential}
    for name, _ in settings.tasks:
        if name not in known_names:
            raise ConfigError(f"{PATH}.tasks.{name}",
                              f"no service named {name!r} (services: {', '.join(sorted(known_names))}); "
                              "name one of them, or remove the entry")
    services: dict[str, Service] = {}
    for main in app.containers:
        if main.sidecar_of is not None or not main.essential:
            continue
        containers = tuple(_with_known_ports(_with_data_paths(c, main.name))
                           for c in [main, *sidecars.get(main.name, [])])
        service = Service(
            name=main.name, containers=containers, settings=settings.settings_of(main.name),
            endpoints=_endpoints(main.name, containers), volumes=_volumes(containers),
            database=images.database_engine(main.image), generated_secrets=_generated_secrets(main, main.name))
        services[service.name] = service
    result = Topology(tuple(services.values()), _links(app, services))
    _check(result, settings.defaults)
    return result


def _check(result: Topology, defaults: ServiceSettings) -> None:
    for service in result.services:
        path = f"application.containers.{service.name}"
        for endpoint in service.public_endpoints:
            if service.database is not None:
                raise ConfigError(f"{path}.ports", f"{service.name} is a database ({service.main.image}) and its "
                                                   f"port {endpoint.port} would be public; database ports are "
                                                   "never public: remove `public: true`")
            if endpoint.transport == "udp" and endpoint.is_http:
                raise ConfigError(f"{path}.ports", f"port {endpoint.port}: HTTP does not run over UDP")
        if service.holds_data and service.settings.desired_tasks > 1 and service.settings != defaults:
            raise ConfigError(f"{PATH}.tasks.{service.name}.desired_tasks",
                              f"{service.name} holds data ({_why_data(service)}) and runs one task, never two "
                              "writers at once; remove desired_tasks, or set replicas_share_volumes: true if "
                              "its volumes may be written by several tasks")
        for link in result.links_to(service.name):
            if link.transport == "udp":
                raise ConfigError(f"{path}.ports",
                                  f"{link.client} reaches {service.name} on UDP {link.port}, and Service Connect "
                                  "carries TCP only; publish the port instead (public: true) or use TCP")
    for name in result.volume_names:
        users = result.volume_users(name)
        owners = {(v.ownership.uid, v.ownership.gid) for s in users for v in s.volumes if v.name == name}
        # A read-only mount is no writer: a service that holds data may share its volume with readers.
        writers = [s for s in users if any(m.volume == name and not m.read_only for c in s.containers for m in c.mounts)]
        if len(users) > 1 and len(writers) > 1:
            single = [s.name for s in users if s.holds_data]
            if single:
                raise ConfigError(f"application.containers.{single[0]}.mounts",
                                  f"volume {name!r} is shared by {', '.join(s.name for s in users)}, but "
                                  f"{single[0]} holds data and must be its only writer; give the others a "
                                  "volume of their own")
        if len(owners) > 1:
            raise ConfigError(f"application.containers.{users[-1].name}.mounts",
                              f"volume {name!r} is mounted by images that run as different users "
                              f"({', '.join(f'{u}:{g}' for u, g in sorted(owners))}), which one EFS access point "
                              "cannot serve; give each its own volume")
    _check_published_ports(result)


def _why_data(service: Service) -> str:
    return f"a {service.database.rds_engine} database" if service.database else \
        "volumes " + ", ".join(v.name for v in service.volumes)


def listener_port(endpoint: Endpoint, first_http: Endpoint | None, settings: ServiceSettings) -> int:
    """Where the load balancer takes this public endpoint: the first public HTTP service and routed ones on 80."""
    if endpoint.is_http and (endpoint == first_http or settings.host_header or settings.path_pattern):
        return MAIN_HTTP_PORT
    return endpoint.published


def first_http_endpoint(result: Topology) -> Endpoint | None:
    return next((e for s in result.services for e in s.public_endpoints
                 if e.is_http and not (s.settings.host_header or s.settings.path_pattern)), None)


def _check_published_ports(result: Topology) -> None:
    first = first_http_endpoint(result)
    taken: dict[tuple[int, str], Endpoint] = {}
    for service in result.services:
        for endpoint in service.public_endpoints:
            port = listener_port(endpoint, first, service.settings)
            transport = "tcp" if endpoint.transport == "tcp" else "udp"
            if endpoint.is_http and (service.settings.host_header or service.settings.path_pattern):
                continue  # a listener rule on the main listener, not a listener of its own
            key = (port, transport)
            if port == MAIN_HTTPS_PORT and endpoint.is_http:
                raise ConfigError(f"application.containers.{endpoint.container}.ports",
                                  f"{service.name} publishes 443, which the load balancer keeps for HTTPS "
                                  "(CertificateArn); publish another port")
            if key in taken:
                other = taken[key]
                raise ConfigError(f"application.containers.{endpoint.container}.ports",
                                  f"{service.name} and {other.service} both publish {transport.upper()} {port} "
                                  "on the load balancer; give one another published port (`host`), or a "
                                  f"services.tasks.{service.name}.host_header or path_pattern rule")
            taken[key] = endpoint


def single_task_port_clashes(app: Application) -> tuple[str, str, PortMapping] | None:
    """Two services on one container port: what one task (one network namespace) cannot hold."""
    owner: dict[tuple[int, str], str] = {}
    for container in app.containers:
        for port in container.ports:
            key = (port.container_port, port.protocol)
            if key in owner and service_name_of(container) != owner[key]:
                return owner[key], container.name, port
            owner.setdefault(key, service_name_of(container))
    return None
