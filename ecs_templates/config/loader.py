"""Read YAML configuration into the frozen model: the embedded default, then the user's file.

Mappings merge key by key onto the default (so `ec2: {capacity: {max_size: 3}}` changes
one value); a key set to null goes back to its built-in default or, for a container or
secret, removes it. `application: {extends: none}` starts the application from nothing,
for a set of containers that has nothing to do with WordPress.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, Mapping

import re

import yaml

from ecs_templates.config.container_loader import OPTION_KEYS, container_options
from ecs_templates.config.fields import (
    check_int,
    check_keys,
    expect_mapping,
    get_bool,
    get_int,
    get_list,
    get_scalar_mapping,
    get_str,
    get_str_list,
    join,
    type_name,
)
from ecs_templates.config.model import (
    APP_PROTOCOLS,
    DEPENDENCY_CONDITIONS,
    Application,
    Config,
    Connection,
    Container,
    Dependency,
    Ec2Capacity,
    Ec2Deployment,
    FargateDeployment,
    GeneratedSecret,
    HealthCheck,
    LogSettings,
    Mount,
    PortMapping,
    RegistrySettings,
    DEFAULT_STACKS,
    STACK_NAMES,
)
from ecs_templates.config.services import ServiceSettings, ServicesDeployment
from ecs_templates.config.settings import read_settings
from ecs_templates.errors import ConfigError


# The embedded default ships as a plain file next to this module (package_data in setup.cfg).
DEFAULT_FILE = Path(__file__).with_name("default.yaml")
# libyaml's parser when PyYAML has it: the same data as the pure-Python one, several times faster.
# Only for the shipped default; user files keep PyYAML's own error messages (read_yaml_file).
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def default_data() -> dict[str, Any]:
    """The embedded default (the seed's WordPress + MariaDB) as plain data."""
    return yaml.load(DEFAULT_FILE.read_text("utf-8"), Loader=_FAST_LOADER)


def read_yaml_file(path: Path, what: str = "config file", loader: type[yaml.SafeLoader] = yaml.SafeLoader) -> Any:
    """Parse a YAML file, turning every way it can be unreadable into one clear error."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError("", f"{what} {path} does not exist; check the path") from None
    except IsADirectoryError:
        raise ConfigError("", f"{what} {path} is a directory; give a YAML file") from None
    except OSError as error:
        raise ConfigError("", f"cannot read {what} {path}: {error.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError("", f"{what} {path} is not UTF-8 text (binary file?); give a YAML file") from None
    if "\x00" in text:
        raise ConfigError("", f"{what} {path} contains NUL bytes (binary file?); give a YAML file")
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader (or a subclass of it)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ConfigError("", f"{what} {path} is not valid YAML{where}: {problem}") from None


def load_config(path: Path | None = None) -> Config:
    """The embedded default, overridden by the YAML file at `path` when one is given."""
    if path is None:
        return parse_config({})
    data = read_yaml_file(path)
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise ConfigError("", f"config file {path} must hold a mapping at the top level "
                              f"(application:, ec2:, ...), got {type_name(data)}")
    try:
        return parse_config(data)
    except ConfigError as error:
        raise ConfigError(error.field, f"{error.message} (in {path})") from None


def merge(base: Any, override: Any) -> Any:
    """Deep-merge `override` onto `base`: mappings key by key, null removes, anything else replaces."""
    if isinstance(base, Mapping) and isinstance(override, Mapping):
        merged = dict(base)
        for key, value in override.items():
            if value is None:
                merged.pop(key, None)
            elif key in merged:
                merged[key] = merge(merged[key], value)
            else:
                merged[key] = value
        return merged
    return override


TOP_LEVEL_KEYS = ("application", "ec2", "fargate", "registry", "logs", "services", "stacks")


def parse_config(overrides: Mapping[str, Any]) -> Config:
    """Build the validated Config from user overrides (already parsed YAML)."""
    overrides = expect_mapping(overrides, "")
    check_keys(overrides, TOP_LEVEL_KEYS, "")
    base = default_data()
    application = overrides.get("application")
    if isinstance(application, Mapping) and "extends" in application:
        extends = get_str(application, "extends", "application", choices=("default", "none"))
        if extends == "none":
            # Nothing of the default application stays: its containers, nor its services' settings and stacks.
            base["application"] = {}
            base.pop("stacks", None)
            base.get("services", {}).pop("tasks", None)
        overrides = dict(overrides, application={k: v for k, v in application.items() if k != "extends"})
    data = merge(base, overrides)
    app = parse_application(expect_mapping(data.get("application", {}), "application"))
    ec2 = parse_ec2(expect_mapping(data.get("ec2", {}), "ec2"), app)
    return Config(
        application=app,
        ec2=ec2,
        registry=parse_registry(expect_mapping(data.get("registry", {}), "registry")),
        logs=parse_logs(expect_mapping(data.get("logs", {}), "logs")),
        fargate=parse_fargate(expect_mapping(data.get("fargate", {}), "fargate"), app),
        services=parse_services(data.get("services"), app),
        stacks=parse_stacks(data.get("stacks")),
    )


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


def parse_ec2(data: Mapping[str, Any], app: Application) -> Ec2Deployment:
    return read_settings(Ec2Deployment, data, "ec2", app_name=app.name)


def parse_fargate(data: Mapping[str, Any], app: Application) -> FargateDeployment:
    return read_settings(FargateDeployment, data, "fargate", app_name=app.name)


def parse_registry(data: Mapping[str, Any]) -> RegistrySettings:
    return read_settings(RegistrySettings, data, "registry")


def parse_logs(data: Mapping[str, Any]) -> LogSettings:
    return read_settings(LogSettings, data, "logs")


def parse_services(data: Any, app: Application) -> ServicesDeployment:
    """The `services:` section; `tasks.<service>` are read onto `defaults`, setting by setting."""
    path = "services"
    data = expect_mapping(data or {}, path)
    tasks_path = join(path, "tasks")
    tasks = expect_mapping(data.get("tasks") or {}, tasks_path)
    defaults = read_settings(ServiceSettings, data.get("defaults"), join(path, "defaults"))
    per_service = tuple((name, read_settings(ServiceSettings, tasks[name], join(tasks_path, name), base=defaults))
                        for name in sorted(tasks))
    return replace(read_settings(ServicesDeployment, data, path, app_name=app.name, skip=("tasks",)),
                   tasks=per_service)


def parse_stacks(data: Any) -> tuple[str, ...]:
    if data is None:
        return DEFAULT_STACKS
    if not isinstance(data, list) or not all(isinstance(item, str) for item in data):
        raise ConfigError("stacks", f"expected a list of stack names ({', '.join(STACK_NAMES)}), "
                                    f"got {type_name(data)}")
    return tuple(data)
