"""Read the parts of a container (config/container.py): ports, health check, start-order
dependencies, connections to other containers, volume mounts.
"""
from __future__ import annotations

from typing import Any

from ecs_templates.config.container import (
    APP_PROTOCOLS,
    DEPENDENCY_CONDITIONS,
    Connection,
    Dependency,
    HealthCheck,
    Mount,
    PortMapping,
)
from ecs_templates.config.fields import (
    check_int,
    check_keys,
    expect_mapping,
    get_bool,
    get_int,
    get_str,
    get_str_list,
    join,
)
from ecs_templates.errors import ConfigError


def parse_mount(data: Any, path: str) -> Mount:
    data = expect_mapping(data, path)
    check_keys(data, ("volume", "path", "read_only"), path)
    return Mount(volume=get_str(data, "volume", path), path=get_str(data, "path", path),
                 read_only=get_bool(data, "read_only", path, default=False))


def parse_port(data: Any, path: str) -> PortMapping:
    if isinstance(data, int) and not isinstance(data, bool):
        return PortMapping(container_port=check_int(data, path, 1, 65535))
    data = expect_mapping(data, path)
    check_keys(data, ("container", "host", "public", "protocol", "app_protocol"), path)
    return PortMapping(
        container_port=get_int(data, "container", path, minimum=1, maximum=65535),
        host_port=get_int(data, "host", path, default=None, minimum=0, maximum=65535),
        public=get_bool(data, "public", path, default=False),
        protocol=get_str(data, "protocol", path, default="tcp", choices=("tcp", "udp")),
        app_protocol=get_str(data, "app_protocol", path, default=None, choices=APP_PROTOCOLS),
    )


def parse_health_check(data: Any, path: str) -> HealthCheck | None:
    if data is None:
        return None
    data = expect_mapping(data, path)
    check_keys(data, ("command", "interval", "timeout", "retries", "start_period"), path)
    command = get_str_list(data, "command", path)
    if len(command) < 2:
        raise ConfigError(join(path, "command"),
                          "give the test as a list, e.g. [CMD-SHELL, 'curl -f http://127.0.0.1/ || exit 1']")
    health_check = HealthCheck(
        command=command,
        interval=get_int(data, "interval", path, default=30, minimum=5, maximum=300),
        timeout=get_int(data, "timeout", path, default=5, minimum=2, maximum=120),
        retries=get_int(data, "retries", path, default=3, minimum=1, maximum=10),
        start_period=get_int(data, "start_period", path, default=0, minimum=0, maximum=300),
    )
    if health_check.timeout >= health_check.interval:
        raise ConfigError(join(path, "timeout"),
                          f"{health_check.timeout}s must be shorter than interval {health_check.interval}s")
    return health_check


def parse_dependencies(data: Any, path: str) -> tuple[Dependency, ...]:
    if data is None:
        return ()
    data = expect_mapping(data, path)
    return tuple(
        Dependency(container=name,
                   condition=get_str(data, name, path, choices=DEPENDENCY_CONDITIONS))
        for name in sorted(data)
    )


def parse_connection(data: Any, path: str) -> Connection:
    data = expect_mapping(data, path)
    check_keys(data, ("container", "port", "env", "format", "password"), path)
    connection = Connection(
        container=get_str(data, "container", path),
        port=get_int(data, "port", path, minimum=1, maximum=65535),
        env=get_str(data, "env", path),
        format=get_str(data, "format", path, default="{host}:{port}"),
        password=get_str(data, "password", path, default=None),
    )
    if "{host}" not in connection.format:
        raise ConfigError(join(path, "format"), "must contain {host}, e.g. '{host}:{port}' or '{host}'")
    try:
        connection.format.format(host="h", port=1, **({"password": "p"} if connection.password else {}))
    except (KeyError, IndexError, ValueError):
        raise ConfigError(join(path, "format"), "may use only {host} and {port}"
                          + (" and {password}" if connection.password else "")) from None
    if connection.password and "{password}" not in connection.format:
        raise ConfigError(join(path, "format"), "must contain {password}, where the secret `password` goes, "
                                                "e.g. 'mysql://root:{password}@{host}:{port}/app'")
    return connection
