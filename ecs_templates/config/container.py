"""A container of the task and the parts it is built of: ports, health check, start-order
dependencies, connections to other containers, volume mounts.

Each part is a frozen dataclass; `Container` checks, when built, what it can check on its
own (its ports, environment, mounts, memory). What needs the other containers of the task
is checked by `Application` (config/application.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ecs_templates.config.checks import check_name
from ecs_templates.config.container_options import Build, FileCopy, HostMount, LinuxOptions
from ecs_templates.errors import ConfigError

# Dots included: Docker and ECS pass them, and images read them (Elasticsearch's `discovery.type`).
ENV_NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
DEPENDENCY_CONDITIONS = ("START", "COMPLETE", "SUCCESS", "HEALTHY")
NETWORK_MODES = ("bridge", "awsvpc")
VOLUME_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
APP_PROTOCOLS = ("http", "http2", "grpc", "tcp", "udp")


@dataclass(frozen=True)
class PortMapping:
    """A container port; `host_port` None means dynamic under bridge, the same port under awsvpc."""

    container_port: int
    host_port: int | None = None
    public: bool = False
    protocol: str = "tcp"
    # http, grpc, tcp or udp; None: derived (config/images.py: the image's table row, well-known web ports).
    app_protocol: str | None = None


@dataclass(frozen=True)
class HealthCheck:
    """A Docker health check; `command` starts with CMD or CMD-SHELL as ECS requires."""

    command: tuple[str, ...]
    interval: int = 30
    timeout: int = 5
    retries: int = 3
    start_period: int = 0


@dataclass(frozen=True)
class Dependency:
    """Start this container only when `container` reached `condition`."""

    container: str
    condition: str = "START"


DEFAULT_NETWORK = "default"


@dataclass(frozen=True)
class Connection:
    """This container talks to `container` on `port`; the address goes into `env`.

    One description, rendered per network mode by `ecs_templates.wiring`: a link and
    the container name under bridge, 127.0.0.1 under awsvpc (never `localhost`, which
    PHP's MySQL client turns into a Unix socket of the other container).
    """

    container: str
    port: int
    env: str
    format: str = "{host}:{port}"
    # An application secret whose value fills `{password}` in `format` (a URL or connection string
    # with a password): the whole value then becomes a secret of its own (builders/secrets.py).
    password: str | None = None


@dataclass(frozen=True)
class Mount:
    """A task volume mounted into a container at `path`, shared by the containers that mount it.

    On Fargate it is task storage: it lives as long as the task. On EC2 (ecs-ec2) it is a
    Docker volume of the container instance (scope shared), which outlives a restart of the
    task on that instance but not the instance. Keeping data beyond both needs EFS, which
    the services stacks attach by name.
    """

    volume: str
    path: str
    read_only: bool = False


@dataclass(frozen=True)
class Container:
    name: str
    image: str
    repository: str
    ports: tuple[PortMapping, ...] = ()
    environment: tuple[tuple[str, str], ...] = ()
    secrets: tuple[tuple[str, str], ...] = ()
    health_check: HealthCheck | None = None
    essential: bool = True
    depends_on: tuple[Dependency, ...] = ()
    links: tuple[str, ...] = ()
    uses: tuple[Connection, ...] = ()
    command: tuple[str, ...] = ()
    entry_point: tuple[str, ...] = ()
    working_directory: str | None = None
    user: str | None = None
    cpu: int | None = None
    memory: int | None = None
    memory_reservation: int | None = None
    labels: tuple[tuple[str, str], ...] = ()
    mounts: tuple[Mount, ...] = ()
    # The service whose task this container joins in the services stacks (a sidecar); None: its own service.
    sidecar_of: str | None = None
    # What `config/container_options.py` describes: how the image is built, files copied into it,
    # paths of the instance, Linux parameters.
    build: Build | None = None
    copies: tuple[FileCopy, ...] = ()
    host_mounts: tuple[HostMount, ...] = ()
    linux: LinuxOptions | None = None
    stop_signal: str | None = None  # the derived image's STOPSIGNAL
    interactive: bool = False       # ECS interactive: standard input kept open
    pseudo_terminal: bool = False   # ECS pseudoTerminal: a terminal allocated
    # The networks it joins in the services stacks (compose networks); () is the one default network.
    networks: tuple[str, ...] = ()
    # Seconds between SIGTERM and SIGKILL when the task stops (ECS stopTimeout); None: ECS's 30.
    stop_timeout: int | None = None

    @property
    def path(self) -> str:
        return f"application.containers.{self.name}"

    @property
    def network_names(self) -> frozenset[str]:
        return frozenset(self.networks or (DEFAULT_NETWORK,))

    def __post_init__(self) -> None:
        check_name(self.name, self.path)
        seen_ports: set[int] = set()
        for index, port in enumerate(self.ports):
            if port.app_protocol is not None and port.app_protocol not in APP_PROTOCOLS:
                raise ConfigError(f"{self.path}.ports[{index}].app_protocol",
                                  f"{port.app_protocol!r} is not one of: {', '.join(APP_PROTOCOLS)}")
            if port.app_protocol is not None and (port.app_protocol == "udp") != (port.protocol == "udp"):
                raise ConfigError(f"{self.path}.ports[{index}].app_protocol",
                                  f"{port.app_protocol} does not go with protocol {port.protocol}; "
                                  "udp ports speak udp, tcp ports http, http2, grpc or tcp")
            if port.container_port in seen_ports:
                raise ConfigError(f"{self.path}.ports[{index}]",
                                  f"container port {port.container_port} is listed twice")
            seen_ports.add(port.container_port)
        env_names = {name for name, _ in self.environment}
        for name, _ in self.environment + self.secrets:
            if not ENV_NAME_PATTERN.match(name):
                raise ConfigError(f"{self.path}.environment.{name}",
                                  "is not a valid environment variable name")
        for name, _ in self.secrets:
            if name in env_names:
                raise ConfigError(f"{self.path}.secrets.{name}",
                                  "is also a plain environment variable; keep it only in secrets")
        for connection in self.uses:
            if connection.env in env_names or connection.env in dict(self.secrets):
                raise ConfigError(f"{self.path}.uses.{connection.container}.env",
                                  f"{connection.env} is also set in environment or secrets; "
                                  "the generator writes it from `uses`, remove the other one")
        if self.health_check and self.health_check.command[0] not in ("CMD", "CMD-SHELL"):
            raise ConfigError(f"{self.path}.health_check.command",
                              "must start with CMD or CMD-SHELL, e.g. [CMD-SHELL, 'curl -f http://127.0.0.1/']")
        seen_paths: set[str] = set()
        for index, mount in enumerate(self.mounts):
            field_path = f"{self.path}.mounts[{index}]"
            if not VOLUME_NAME_PATTERN.match(mount.volume):
                raise ConfigError(f"{field_path}.volume", f"{mount.volume!r} is not a valid volume name: "
                                                          "use letters, digits, _ and - (at most 255)")
            if not mount.path.startswith("/"):
                raise ConfigError(f"{field_path}.path", f"{mount.path!r} must be an absolute path")
            if mount.path in seen_paths:
                raise ConfigError(f"{field_path}.path", f"{mount.path} is mounted twice")
            seen_paths.add(mount.path)
        if self.memory is not None and self.memory_reservation is not None \
                and self.memory_reservation > self.memory:
            raise ConfigError(f"{self.path}.memory_reservation",
                              f"{self.memory_reservation} MiB exceeds memory {self.memory} MiB")

    @property
    def environment_map(self) -> dict[str, str]:
        return dict(self.environment)
