"""The application: the containers that make one ECS task, and the secrets they share.

`Application` checks, when built, what involves more than one container: that every
secret, dependency, link, connection and sidecar names something the task defines, that
start-order dependencies form no cycle, and that no container reaches another through
`localhost`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ecs_templates.config.checks import check_name
from ecs_templates.config.container import Container
from ecs_templates.errors import ConfigError

LOCALHOST_PORT_PATTERN = re.compile(r"\blocalhost:(\d{1,5})\b", re.IGNORECASE)


@dataclass(frozen=True)
class GeneratedSecret:
    """A secret that Secrets Manager generates at deploy time; no value is ever in a file."""

    name: str
    description: str = ""
    length: int = 32


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
