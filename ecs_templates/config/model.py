"""The configuration model: frozen dataclasses that check themselves when built.

Build-time choices live here (containers, sizes, names). Deploy-time values (VPC,
subnets, key pair, image URIs, role ARNs) are CloudFormation parameters instead.
Every error names the dotted field and says how to fix it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ecs_templates.config.container_options import Build, FileCopy, HostMount, LinuxOptions
from ecs_templates.config.checks import (  # noqa: F401  (re-exported)
    NAME_PATTERN,
    check_fargate_size,
    check_fits_instance,
    check_name,
)
from ecs_templates.config.deployments import (  # noqa: F401  (re-exported: the stacks' sections)
    Ec2Capacity,
    Ec2Deployment,
    FargateDeployment,
    LogSettings,
    RegistrySettings,
)
from ecs_templates.config.services import ServicesDeployment
from ecs_templates.errors import ConfigError

# Dots included: Docker and ECS pass them, and images read them (Elasticsearch's `discovery.type`).
ENV_NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
DEPENDENCY_CONDITIONS = ("START", "COMPLETE", "SUCCESS", "HEALTHY")
NETWORK_MODES = ("bridge", "awsvpc")
VOLUME_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
LOCALHOST_PORT_PATTERN = re.compile(r"\blocalhost:(\d{1,5})\b", re.IGNORECASE)


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
class GeneratedSecret:
    """A secret that Secrets Manager generates at deploy time; no value is ever in a file."""

    name: str
    description: str = ""
    length: int = 32


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


@dataclass(frozen=True)
class Application:
    """The containers that make one ECS task, and the secrets they share."""

    name: str
    containers: tuple[Container, ...]
    secrets: tuple[GeneratedSecret, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        check_name(self.name, "application.name")
        for key, value in self.tags:
            if len(key) > 128 or key.lower().startswith("aws:"):
                raise ConfigError(f"application.tags.{key}",
                                  "a tag key has at most 128 characters and cannot start with aws:")
            if len(value) > 256:
                raise ConfigError(f"application.tags.{key}", "a tag value has at most 256 characters")
        if not self.containers:
            raise ConfigError("application.containers", "define at least one container")
        by_name = {container.name: container for container in self.containers}
        secret_names = {secret.name for secret in self.secrets}
        if not any(container.essential for container in self.containers):
            raise ConfigError("application.containers",
                              "no container is essential; mark the main one `essential: true`")
        for container in self.containers:
            for env_name, secret in container.secrets:
                if secret not in secret_names:
                    raise ConfigError(
                        f"{container.path}.secrets.{env_name}",
                        f"refers to secret {secret!r}, which application.secrets does not define "
                        f"(defined: {', '.join(sorted(secret_names)) or 'none'})")
            for dependency in container.depends_on:
                _check_target(container, dependency.container, by_name, "depends_on")
                target = by_name[dependency.container]
                if dependency.condition == "HEALTHY" and target.health_check is None:
                    raise ConfigError(
                        f"{container.path}.depends_on.{dependency.container}",
                        f"waits for HEALTHY but {dependency.container} has no health_check; add one")
            for link in container.links:
                _check_target(container, link.split(":")[0], by_name, "links")
            for connection in container.uses:
                _check_target(container, connection.container, by_name, "uses")
                if connection.password is not None and connection.password not in secret_names:
                    raise ConfigError(f"{container.path}.uses.{connection.container}.password",
                                      f"refers to secret {connection.password!r}, which application.secrets "
                                      f"does not define (defined: {', '.join(sorted(secret_names)) or 'none'})")
                target_ports = {port.container_port for port in by_name[connection.container].ports}
                if connection.port not in target_ports:
                    raise ConfigError(
                        f"{container.path}.uses.{connection.container}.port",
                        f"{connection.container} does not expose port {connection.port}; add it to "
                        f"{connection.container}'s ports (it has: "
                        f"{', '.join(map(str, sorted(target_ports))) or 'none'})")
            _check_no_localhost_to_siblings(container, by_name)
            if container.sidecar_of is not None:
                _check_target(container, container.sidecar_of, by_name, "sidecar_of")
                if by_name[container.sidecar_of].sidecar_of is not None:
                    raise ConfigError(f"{container.path}.sidecar_of",
                                      f"{container.sidecar_of} is itself a sidecar of "
                                      f"{by_name[container.sidecar_of].sidecar_of}; name that service instead")
        _check_acyclic(by_name)

    def container(self, name: str) -> Container:
        for container in self.containers:
            if container.name == name:
                return container
        raise KeyError(name)

    @property
    def repositories(self) -> tuple[str, ...]:
        """ECR repository names, one per distinct repository, in container order."""
        return tuple(dict.fromkeys(container.repository for container in self.containers))


def _check_target(container: Container, target: str, by_name: dict[str, Container], key: str) -> None:
    if target not in by_name:
        raise ConfigError(f"{container.path}.{key}.{target}",
                          f"no container named {target!r} in the task "
                          f"(containers: {', '.join(sorted(by_name))}); define {target} under "
                          f"application.containers or remove it from {container.name}'s {key}")
    if target == container.name:
        raise ConfigError(f"{container.path}.{key}.{target}", "a container cannot refer to itself")


def _check_no_localhost_to_siblings(container: Container, by_name: dict[str, Container]) -> None:
    """`localhost:<port of another container>` is the seed's Fargate failure: refuse it, point at `uses`.

    Under bridge the other container is not on this container's localhost at all; under
    awsvpc PHP's MySQL client (and others) read the name `localhost` as "use the Unix
    socket", which lives in the other container. `uses` renders the right address per mode.
    """
    for name, value in container.environment:
        for match in LOCALHOST_PORT_PATTERN.finditer(value):
            port = int(match.group(1))
            owners = sorted(other.name for other in by_name.values() if other.name != container.name
                            and port in {p.container_port for p in other.ports})
            if owners:
                raise ConfigError(
                    f"{container.path}.environment.{name}",
                    f"{value!r} reaches {owners[0]} through `localhost`, which fails (a Unix socket "
                    f"for PHP's MySQL client under awsvpc, another network namespace under bridge); "
                    f"remove {name} from environment and add `uses: [{{container: {owners[0]}, "
                    f"port: {port}, env: {name}}}]`, which renders the right address per network mode")


def _check_acyclic(by_name: dict[str, Container]) -> None:
    """Start-order dependencies must form no cycle, or ECS never starts the task."""
    state: dict[str, str] = {}

    def visit(name: str, trail: list[str]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            cycle = " -> ".join(trail[trail.index(name):] + [name])
            raise ConfigError(f"application.containers.{name}.depends_on",
                              f"dependency cycle {cycle}; remove one of these dependencies")
        state[name] = "visiting"
        for dependency in by_name[name].depends_on:
            visit(dependency.container, trail + [name])
        state[name] = "done"

    for name in sorted(by_name):
        visit(name, [])


STACK_NAMES = ("ecr", "ecs-ec2", "ecs-fargate", "ecs-services", "ecs-services-rds")
# Without a `stacks:` list: every stack but the RDS variant, which needs a database service to replace.
DEFAULT_STACKS = STACK_NAMES[:4]
APP_PROTOCOLS = ("http", "http2", "grpc", "tcp", "udp")

LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
                      1096, 1827, 2192, 2557, 2922, 3288, 3653)


@dataclass(frozen=True)
class Config:
    """The whole build-time configuration: the embedded default plus the user's overrides."""

    application: Application
    ec2: Ec2Deployment
    registry: RegistrySettings = field(default_factory=RegistrySettings)
    logs: LogSettings = field(default_factory=LogSettings)
    # None (callers that predate Fargate) means the application's default Fargate deployment.
    fargate: FargateDeployment | None = None
    services: ServicesDeployment = field(default_factory=ServicesDeployment)
    # The stacks to build, by name; each one the application cannot run is an error that says why.
    stacks: tuple[str, ...] = DEFAULT_STACKS

    def __post_init__(self) -> None:
        if self.fargate is None:
            object.__setattr__(self, "fargate", FargateDeployment.for_application(self.application.name))
        if not self.stacks:
            raise ConfigError("stacks", f"name at least one stack of: {', '.join(STACK_NAMES)}")
        for index, name in enumerate(self.stacks):
            if name not in STACK_NAMES:
                raise ConfigError(f"stacks[{index}]", f"{name!r} is not a stack; the stacks are: "
                                                      f"{', '.join(STACK_NAMES)}")
        if len(set(self.stacks)) != len(self.stacks):
            raise ConfigError("stacks", "names a stack twice; list each once")
        fixed_ports = [port.host_port for container in self.application.containers
                       for port in container.ports if port.host_port]
        if fixed_ports and "ecs-ec2" in self.stacks and self.ec2.desired_count > self.ec2.capacity.max_size:
            raise ConfigError("ec2.desired_count",
                              f"{self.ec2.desired_count} tasks with fixed host port {fixed_ports[0]} "
                              f"need as many instances, but ec2.capacity.max_size is "
                              f"{self.ec2.capacity.max_size}; raise max_size or lower desired_count")
        if self.logs.retention_days not in LOG_RETENTION_DAYS:
            raise ConfigError("logs.retention_days",
                              f"{self.logs.retention_days} is not a CloudWatch Logs retention; "
                              f"choose one of {', '.join(map(str, LOG_RETENTION_DAYS))}")
