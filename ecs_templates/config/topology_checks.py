"""What the services stacks refuse in a topology, and where the load balancer takes each public port."""
from __future__ import annotations

from ecs_templates.config.application import Application
from ecs_templates.config.container import PortMapping
from ecs_templates.config.services import PATH, ServiceSettings
from ecs_templates.config.topology_types import MAIN_HTTP_PORT, MAIN_HTTPS_PORT, Endpoint, Service, Topology, service_name_of
from ecs_templates.errors import ConfigError


def check_topology(result: Topology, defaults: ServiceSettings) -> None:
    """Refuse what the services stacks cannot run, each error naming the field and the fix."""
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
    """Where the load balancer takes this public endpoint: the main HTTP service and routed ones on 80."""
    if endpoint.is_http and (endpoint == first_http or settings.host_header or settings.path_pattern):
        return MAIN_HTTP_PORT
    return endpoint.published


def first_http_endpoint(result: Topology) -> Endpoint | None:
    """The public HTTP endpoint the main listener (80) serves: the one published at 80, else the first.

    An endpoint whose published port is not its container port (`host: 81` for 5000) keeps the
    listener port it was given, so it is never moved to 80.
    """
    unrouted = [e for s in result.services for e in s.public_endpoints
                if e.is_http and not (s.settings.host_header or s.settings.path_pattern)]
    return next((e for e in unrouted if e.published == MAIN_HTTP_PORT),
                next((e for e in unrouted if e.published == e.port), None))


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
