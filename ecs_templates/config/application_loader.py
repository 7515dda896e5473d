"""Read `application:` into the model: its name, tags, generated secrets and containers.

A container's keys are listed once, in CONTAINER_KEYS (which docs/configuration.md
renders); the parts it is built of are read by config/container_parts_loader.py, the
options of config/container_options.py by config/container_loader.py.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

from ecs_templates.config.application import Application, GeneratedSecret
from ecs_templates.config.container import Container
from ecs_templates.config.container_loader import OPTION_KEYS, container_options
from ecs_templates.config.container_parts_loader import (
    parse_connection,
    parse_dependencies,
    parse_health_check,
    parse_mount,
    parse_port,
)
from ecs_templates.config.fields import (
    check_keys,
    expect_mapping,
    get_bool,
    get_int,
    get_list,
    get_scalar_mapping,
    get_str,
    get_str_list,
    join,
)
from ecs_templates.errors import ConfigError


def parse_application(data: Mapping[str, Any]) -> Application:
    path = "application"
    check_keys(data, ("name", "containers", "secrets", "tags"), path)
    containers = expect_mapping(data.get("containers", {}), join(path, "containers"))
    secrets = expect_mapping(data.get("secrets", {}) or {}, join(path, "secrets"))
    return Application(
        name=get_str(data, "name", path),
        containers=tuple(parse_container(name, containers[name]) for name in sorted(containers)),
        secrets=tuple(parse_secret(name, secrets[name] or {}) for name in sorted(secrets)),
        tags=get_scalar_mapping(data, "tags", path),
    )


def parse_secret(name: str, data: Any) -> GeneratedSecret:
    path = f"application.secrets.{name}"
    data = expect_mapping(data, path)
    check_keys(data, ("description", "length"), path)
    return GeneratedSecret(
        name=name,
        description=get_str(data, "description", path, default="") if data.get("description") else "",
        length=get_int(data, "length", path, default=32, minimum=16, maximum=128),
    )


NETWORK_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

# The keys of application.containers.<name>, each with its one-line description (docs/configuration.md).
CONTAINER_KEYS = {
    "image": "the image to run (required); pushed to this account's ECR repository by push-images",
    "repository": "the ECR repository it is pushed to (default: the container's name)",
    "ports": "list of {container, host, public, protocol: tcp|udp, app_protocol: http|http2|grpc|tcp|udp}",
    "environment": "plain environment variables (never passwords: use secrets)",
    "secrets": "environment variable -> name of an application secret (generated in Secrets Manager)",
    "health_check": "{command: [CMD-SHELL, ...], interval, timeout, retries, start_period}",
    "essential": "false: a one-shot job; it runs in the task of each service that waits for it",
    "depends_on": "container -> START | COMPLETE | SUCCESS | HEALTHY (start order; across services, CloudFormation order)",
    "links": "bridge-mode links (ecs-ec2)",
    "uses": "list of {container, port, env, format, password}: the address of another container, written per "
            "stack; with password (a secret), {password} in format and the whole value a secret",
    "command": "the command, as a list",
    "entry_point": "the entry point, as a list",
    "working_directory": "the working directory",
    "user": "the user (uid[:gid]) the process runs as",
    "cpu": "CPU units reserved for this container inside its task",
    "memory": "hard memory limit of the container (MiB)",
    "memory_reservation": "soft memory limit of the container (MiB)",
    "labels": "Docker labels",
    "mounts": "list of {volume, path, read_only}: named volumes (on EFS in the services stacks)",
    "sidecar_of": "the service whose task this container joins in the services stacks",
    **OPTION_KEYS,
    "stop_timeout": "seconds between SIGTERM and SIGKILL when the task stops (2-120; default ECS's 30)",
    "networks": "the networks it joins in the services stacks (default: one shared network); a service "
                "reaches another only through a network they share",
}


def parse_container(name: str, data: Any) -> Container:
    path = f"application.containers.{name}"
    data = expect_mapping(data, path)
    check_keys(data, tuple(CONTAINER_KEYS), path)
    options = container_options(data, path)
    # A built image needs no name of its own: the repository's is its local tag.
    image = (get_str(data, "image", path, default=None) if options["build"] else get_str(data, "image", path)) \
        or name
    return Container(
        name=name,
        image=image,
        repository=get_str(data, "repository", path, default=None) or name,
        ports=tuple(parse_port(item, join(join(path, "ports"), index))
                    for index, item in enumerate(get_list(data, "ports", path))),
        environment=get_scalar_mapping(data, "environment", path),
        secrets=get_scalar_mapping(data, "secrets", path),
        health_check=parse_health_check(data.get("health_check"), join(path, "health_check")),
        essential=get_bool(data, "essential", path, default=True),
        depends_on=parse_dependencies(data.get("depends_on"), join(path, "depends_on")),
        links=get_str_list(data, "links", path),
        uses=tuple(parse_connection(item, join(join(path, "uses"), index))
                   for index, item in enumerate(get_list(data, "uses", path))),
        command=get_str_list(data, "command", path),
        entry_point=get_str_list(data, "entry_point", path),
        working_directory=get_str(data, "working_directory", path, default=None),
        user=get_str(data, "user", path, default=None),
        cpu=get_int(data, "cpu", path, default=None, minimum=0, maximum=16384),
        memory=get_int(data, "memory", path, default=None, minimum=6, maximum=122880),
        memory_reservation=get_int(data, "memory_reservation", path, default=None,
                                   minimum=4, maximum=122880),
        labels=get_scalar_mapping(data, "labels", path),
        mounts=tuple(parse_mount(item, join(join(path, "mounts"), index))
                     for index, item in enumerate(get_list(data, "mounts", path))),
        sidecar_of=get_str(data, "sidecar_of", path, default=None),
        **options,
        **parse_networks(data, path),
        **parse_stop_timeout(data, path),
    )


def parse_stop_timeout(data: Mapping[str, Any], path: str) -> dict[str, Any]:
    """`stop_timeout`: ECS takes 2 to 120 seconds (Fargate's maximum; the EC2 agent default is 30):
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html"""
    return {"stop_timeout": get_int(data, "stop_timeout", path, default=None, minimum=2, maximum=120)}


def parse_networks(data: Mapping[str, Any], path: str) -> dict[str, Any]:
    """The container's `networks` (each named once), as Container keywords."""
    networks = get_str_list(data, "networks", path)
    for index, network in enumerate(networks):
        if not NETWORK_PATTERN.match(network):
            raise ConfigError(join(join(path, "networks"), index),
                              f"{network!r} is not a network name; use letters, digits, '_' and '-'")
        if network in networks[:index]:
            raise ConfigError(join(join(path, "networks"), index), f"{network} is listed twice")
    return {"networks": tuple(sorted(networks))}
