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
from dataclasses import replace
from typing import Iterable

from ecs_templates.config import images
from ecs_templates.config.addresses import named_hosts
from ecs_templates.config.application import Application
from ecs_templates.config.container import Container, Mount, PortMapping
from ecs_templates.config.model import Config
from ecs_templates.config.services import PATH
from ecs_templates.config.topology_checks import (  # noqa: F401  (re-exported: the stacks and importer use them)
    check_topology,
    first_http_endpoint,
    listener_port,
    single_task_port_clashes,
)
from ecs_templates.config.topology_types import (  # noqa: F401  (re-exported)
    HTTP_PROTOCOLS,
    MAIN_HTTP_PORT,
    MAIN_HTTPS_PORT,
    Endpoint,
    Link,
    Service,
    Topology,
    Volume,
    service_name_of,
)
from ecs_templates.errors import ConfigError


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
    check_topology(result, settings.defaults)
    return result
