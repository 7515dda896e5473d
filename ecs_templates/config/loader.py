"""Read YAML configuration into the frozen model: the embedded default, then the user's file.

Mappings merge key by key onto the default (so `ec2: {capacity: {max_size: 3}}` changes
one value); a key set to null goes back to its built-in default or, for a container or
secret, removes it. `application: {extends: none}` starts the application from nothing,
for a set of containers that has nothing to do with WordPress.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any, Mapping

import yaml

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
)
from ecs_templates.config.services import FileShare, RdsSettings, ServicesDeployment
from ecs_templates.errors import ConfigError


def default_data() -> dict[str, Any]:
    """The embedded default (the seed's WordPress + MariaDB) as plain data."""
    text = resources.files("ecs_templates.config").joinpath("default.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def read_yaml_file(path: Path, what: str = "config file") -> Any:
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
        return yaml.safe_load(text)
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


TOP_LEVEL_KEYS = ("application", "ec2", "fargate", "registry", "logs", "services")


def parse_config(overrides: Mapping[str, Any]) -> Config:
    """Build the validated Config from user overrides (already parsed YAML)."""
    overrides = expect_mapping(overrides, "")
    check_keys(overrides, TOP_LEVEL_KEYS, "")
    base = default_data()
    application = overrides.get("application")
    if isinstance(application, Mapping) and "extends" in application:
        extends = get_str(application, "extends", "application", choices=("default", "none"))
        if extends == "none":
            base["application"] = {}
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
        services=parse_services(data.get("services"), app, ec2.capacity, explicit="services" in overrides),
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


CONTAINER_KEYS = ("image", "repository", "ports", "environment", "secrets", "health_check",
                  "essential", "depends_on", "links", "uses", "command", "entry_point",
                  "working_directory", "user", "cpu", "memory", "memory_reservation", "labels",
                  "mounts")


def parse_container(name: str, data: Any) -> Container:
    path = f"application.containers.{name}"
    data = expect_mapping(data, path)
    check_keys(data, CONTAINER_KEYS, path)
    image = get_str(data, "image", path)
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
    )


def parse_mount(data: Any, path: str) -> Mount:
    data = expect_mapping(data, path)
    check_keys(data, ("volume", "path", "read_only"), path)
    return Mount(volume=get_str(data, "volume", path), path=get_str(data, "path", path),
                 read_only=get_bool(data, "read_only", path, default=False))


def parse_port(data: Any, path: str) -> PortMapping:
    if isinstance(data, int) and not isinstance(data, bool):
        return PortMapping(container_port=check_int(data, path, 1, 65535))
    data = expect_mapping(data, path)
    check_keys(data, ("container", "host", "public", "protocol"), path)
    return PortMapping(
        container_port=get_int(data, "container", path, minimum=1, maximum=65535),
        host_port=get_int(data, "host", path, default=None, minimum=0, maximum=65535),
        public=get_bool(data, "public", path, default=False),
        protocol=get_str(data, "protocol", path, default="tcp", choices=("tcp", "udp")),
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
    check_keys(data, ("container", "port", "env", "format"), path)
    connection = Connection(
        container=get_str(data, "container", path),
        port=get_int(data, "port", path, minimum=1, maximum=65535),
        env=get_str(data, "env", path),
        format=get_str(data, "format", path, default="{host}:{port}"),
    )
    if "{host}" not in connection.format:
        raise ConfigError(join(path, "format"), "must contain {host}, e.g. '{host}:{port}' or '{host}'")
    try:
        connection.format.format(host="h", port=1)
    except (KeyError, IndexError, ValueError):
        raise ConfigError(join(path, "format"), "may use only {host} and {port}") from None
    return connection


def parse_ec2(data: Mapping[str, Any], app: Application) -> Ec2Deployment:
    path = "ec2"
    check_keys(data, ("cluster_name", "task_family", "service_name", "task_cpu", "task_memory",
                      "desired_count", "capacity"), path)
    capacity_path = join(path, "capacity")
    capacity = expect_mapping(data.get("capacity", {}), capacity_path)
    check_keys(capacity, ("architecture", "instance_type", "min_size", "desired_size", "max_size",
                          "root_volume_gib"), capacity_path)
    return Ec2Deployment(
        cluster_name=get_str(data, "cluster_name", path, default=f"{app.name}-cluster"),
        task_family=get_str(data, "task_family", path, default=f"{app.name}-task"),
        service_name=get_str(data, "service_name", path, default=f"{app.name}-service"),
        task_cpu=get_int(data, "task_cpu", path, default=1024, minimum=128, maximum=16384),
        task_memory=get_int(data, "task_memory", path, default=1024, minimum=128, maximum=122880),
        desired_count=get_int(data, "desired_count", path, default=1, minimum=0, maximum=100),
        capacity=Ec2Capacity(
            architecture=get_str(capacity, "architecture", capacity_path, default="arm64"),
            instance_type=get_str(capacity, "instance_type", capacity_path, default="t4g.medium"),
            min_size=get_int(capacity, "min_size", capacity_path, default=0, minimum=0, maximum=100),
            desired_size=get_int(capacity, "desired_size", capacity_path, default=1, minimum=0, maximum=100),
            max_size=get_int(capacity, "max_size", capacity_path, default=2, minimum=1, maximum=100),
            root_volume_gib=get_int(capacity, "root_volume_gib", capacity_path, default=30,
                                    minimum=30, maximum=16384),
        ),
    )


def parse_fargate(data: Mapping[str, Any], app: Application) -> FargateDeployment:
    path = "fargate"
    check_keys(data, ("cluster_name", "task_family", "service_name", "task_cpu", "task_memory",
                      "desired_count", "architecture", "spot_weight"), path)
    names = FargateDeployment.for_application(app.name)
    return FargateDeployment(
        cluster_name=get_str(data, "cluster_name", path, default=names.cluster_name),
        task_family=get_str(data, "task_family", path, default=names.task_family),
        service_name=get_str(data, "service_name", path, default=names.service_name),
        # No bounds here: the model checks the pair against the Fargate table and names the valid values.
        task_cpu=get_int(data, "task_cpu", path, default=512),
        task_memory=get_int(data, "task_memory", path, default=1024),
        desired_count=get_int(data, "desired_count", path, default=1, minimum=0, maximum=100),
        architecture=get_str(data, "architecture", path, default="arm64"),
        spot_weight=get_int(data, "spot_weight", path, default=0, minimum=0, maximum=1000),
    )


def parse_registry(data: Mapping[str, Any]) -> RegistrySettings:
    check_keys(data, ("untagged_image_days", "max_tagged_images"), "registry")
    return RegistrySettings(
        untagged_image_days=get_int(data, "untagged_image_days", "registry", default=14,
                                    minimum=1, maximum=3650),
        max_tagged_images=get_int(data, "max_tagged_images", "registry", default=30,
                                  minimum=1, maximum=10000),
    )


def parse_logs(data: Mapping[str, Any]) -> LogSettings:
    check_keys(data, ("retention_days",), "logs")
    return LogSettings(retention_days=get_int(data, "retention_days", "logs", default=30))


SERVICES_KEYS = ("database", "web_container", "database_container", "launch_type", "architecture",
                 "task_cpu", "task_memory", "min_tasks", "desired_tasks", "max_tasks", "cpu_target_percent",
                 "requests_per_target", "health_check_path", "certificate_arn", "namespace", "database_cpu",
                 "database_memory", "web_files", "database_files", "secrets", "rds")


def parse_services(data: Any, app: Application, capacity: Ec2Capacity, *,
                   explicit: bool = True) -> ServicesDeployment | None:
    """The `services:` section, or None: no services stacks.

    The embedded default's section describes the default application (a web container
    `wordpress` using a database container `mariadb`). When the user's config has no
    `services:` section and that description does not fit their application (other
    containers, an imported Compose file), there are no services stacks: a build never
    fails over a stack nobody asked for. A `services:` section the user wrote is checked.
    """
    if data is None:
        return None
    if explicit:
        return _parse_services(data, app)
    try:
        services = _parse_services(data, app)
        services.check_against(app, capacity)
    except ConfigError:
        return None
    return services


def _parse_services(data: Any, app: Application) -> ServicesDeployment:
    path = "services"
    data = expect_mapping(data, path)
    check_keys(data, SERVICES_KEYS, path)
    defaults = ServicesDeployment()
    rds_path = join(path, "rds")
    rds = expect_mapping(data.get("rds", {}), rds_path)
    check_keys(rds, ("instance_class", "allocated_storage_gib", "max_allocated_storage_gib", "engine_version",
                     "backup_retention_days", "multi_az"), rds_path)
    rds_defaults = RdsSettings()
    certificate = data.get("certificate_arn", "")
    return ServicesDeployment(
        database=get_str(data, "database", path, default=defaults.database),
        web_container=get_str(data, "web_container", path, default=defaults.web_container),
        database_container=get_str(data, "database_container", path, default=defaults.database_container),
        launch_type=get_str(data, "launch_type", path, default=defaults.launch_type),
        architecture=get_str(data, "architecture", path, default=defaults.architecture),
        # No bounds on sizes here: the model checks them against the Fargate table or the instance.
        task_cpu=get_int(data, "task_cpu", path, default=defaults.task_cpu),
        task_memory=get_int(data, "task_memory", path, default=defaults.task_memory),
        min_tasks=get_int(data, "min_tasks", path, default=defaults.min_tasks, minimum=1, maximum=100),
        desired_tasks=get_int(data, "desired_tasks", path, default=defaults.desired_tasks, minimum=1, maximum=100),
        max_tasks=get_int(data, "max_tasks", path, default=defaults.max_tasks, minimum=1, maximum=100),
        cpu_target_percent=get_int(data, "cpu_target_percent", path, default=defaults.cpu_target_percent,
                                   minimum=10, maximum=95),
        requests_per_target=get_int(data, "requests_per_target", path, default=defaults.requests_per_target,
                                    minimum=1, maximum=100000),
        health_check_path=get_str(data, "health_check_path", path, default=defaults.health_check_path),
        certificate_arn="" if certificate in ("", None) else get_str(data, "certificate_arn", path),
        namespace=get_str(data, "namespace", path, default=f"{app.name}.internal"),
        database_cpu=get_int(data, "database_cpu", path, default=defaults.database_cpu),
        database_memory=get_int(data, "database_memory", path, default=defaults.database_memory),
        web_files=parse_file_share(data.get("web_files"), join(path, "web_files"), defaults.web_files),
        database_files=parse_file_share(data.get("database_files"), join(path, "database_files"),
                                        defaults.database_files),
        web_secrets=tuple(sorted(get_scalar_mapping(data, "secrets", path))),
        rds=RdsSettings(
            instance_class=get_str(rds, "instance_class", rds_path, default=rds_defaults.instance_class),
            allocated_storage_gib=get_int(rds, "allocated_storage_gib", rds_path,
                                          default=rds_defaults.allocated_storage_gib, minimum=20, maximum=65536),
            max_allocated_storage_gib=get_int(rds, "max_allocated_storage_gib", rds_path,
                                              default=rds_defaults.max_allocated_storage_gib,
                                              minimum=20, maximum=65536),
            engine_version=str(rds.get("engine_version", rds_defaults.engine_version)),
            backup_retention_days=get_int(rds, "backup_retention_days", rds_path,
                                          default=rds_defaults.backup_retention_days, minimum=1, maximum=35),
            multi_az=get_bool(rds, "multi_az", rds_path, default=rds_defaults.multi_az),
        ),
    )


def parse_file_share(data: Any, path: str, default: FileShare) -> FileShare:
    if data is None:
        return default
    data = expect_mapping(data, path)
    check_keys(data, ("path", "uid", "gid", "permissions"), path)
    return FileShare(
        path=get_str(data, "path", path, default=default.path),
        uid=get_int(data, "uid", path, default=default.uid, minimum=0, maximum=4294967295),
        gid=get_int(data, "gid", path, default=default.gid, minimum=0, maximum=4294967295),
        permissions=get_str(data, "permissions", path, default=default.permissions),
    )
