"""Stacks `ecs-services-*`: the web container and its database as separate services that keep their data.

The seed's single task cannot grow: the database lives inside it and a restarted task
loses the site. Here the web container scales behind a load balancer with its files on
EFS, and the database is either its own one-task service on EFS (`mariadb`) or Amazon
RDS (`rds`); `both` builds one template for each.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ecs_templates.config.model import (
    Application,
    Container,
    Ec2Capacity,
    GeneratedSecret,
    check_fargate_size,
    check_fits_instance,
    check_name,
)
from ecs_templates.config import instance_types
from ecs_templates.config.database_user import MASTER_USERNAME
from ecs_templates.errors import ConfigError

PATH = "services"
DATABASE_CHOICES = ("mariadb", "rds", "both", "none")
VARIANTS = ("mariadb", "rds")
LAUNCH_TYPES = ("fargate", "ec2")
# An ACM certificate: arn:<partition>:acm:<region>:<account>:certificate/<id>. Also the parameter's AllowedPattern.
ACM_CERTIFICATE_ARN = r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[A-Za-z0-9-]+$"
DNS_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
DB_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,15}$")
# RDS for MariaDB versions are X.Y (the major version) or X.Y.Z (a minor version, in RDS's words).
# Major only is the default: RDS then takes the default minor version and, with automatic minor
# version upgrades on, keeps patching it, while a pinned X.Y.Z is eventually deprecated.
# https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/MariaDB.Concepts.VersionMgmt.html
ENGINE_VERSION = re.compile(r"^(\d+)\.(\d+)(\.\d+)?$")
# From 11.8 on, RDS for MariaDB turns require_secure_transport ON by default, and WordPress (like
# the MariaDB container it replaces) connects without TLS:
# https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/mariadb-ssl-connections.require-ssl.html
FIRST_TLS_ONLY_VERSION = (11, 8)
INSTANCE_CLASS = re.compile(r"^db\.[a-z0-9]+\.[a-z0-9]+$")
# The environment names the official mariadb/mysql images read for the application's database.
DATABASE_NAME_ENV = ("MARIADB_DATABASE", "MYSQL_DATABASE")
DATABASE_USER_ENV = ("MARIADB_USER", "MYSQL_USER")
DATABASE_PASSWORD_ENV = ("MARIADB_PASSWORD", "MYSQL_PASSWORD")


@dataclass(frozen=True)
class FileShare:
    """A directory of a container kept on EFS, through an access point that enforces one POSIX user."""

    path: str
    uid: int
    gid: int
    permissions: str = "0755"

    def check(self, field_path: str) -> None:
        if not self.path.startswith("/") or self.path == "/":
            raise ConfigError(f"{field_path}.path", f"{self.path!r} must be an absolute directory, not /")
        if not re.match(r"^0?[0-7]{3}$", self.permissions):
            raise ConfigError(f"{field_path}.permissions", f"{self.permissions!r} is not an octal mode like 0755")


@dataclass(frozen=True)
class RdsSettings:
    """Choice `rds`: Amazon RDS for MariaDB; instance class and Multi-AZ are also parameters."""

    instance_class: str = "db.t4g.micro"
    allocated_storage_gib: int = 20
    max_allocated_storage_gib: int = 100
    engine_version: str = "11.4"
    backup_retention_days: int = 7
    multi_az: bool = False

    def check(self, field_path: str) -> None:
        if not INSTANCE_CLASS.match(self.instance_class):
            raise ConfigError(f"{field_path}.instance_class",
                              f"{self.instance_class!r} is not an RDS instance class such as db.t4g.micro")
        version = ENGINE_VERSION.match(self.engine_version)
        if not version:
            raise ConfigError(f"{field_path}.engine_version",
                              f"{self.engine_version!r}: give an RDS for MariaDB major version such as 11.4 "
                              "(RDS keeps it patched), or a full version such as 11.4.8")
        if (int(version.group(1)), int(version.group(2))) >= FIRST_TLS_ONLY_VERSION:
            raise ConfigError(f"{field_path}.engine_version",
                              f"RDS for MariaDB {self.engine_version} requires TLS for every connection "
                              "(require_secure_transport ON), and the web container connects without it; "
                              "use 11.4 or 10.11 (long-term releases)")
        if self.max_allocated_storage_gib < self.allocated_storage_gib:
            raise ConfigError(f"{field_path}.max_allocated_storage_gib",
                              f"{self.max_allocated_storage_gib} GiB is below allocated_storage_gib "
                              f"{self.allocated_storage_gib}; storage autoscaling can only grow")


def _default_wordpress_keys() -> tuple[tuple[str, str], ...]:
    names = [f"WORDPRESS_{kind}_{what}" for what in ("KEY", "SALT")
             for kind in ("AUTH", "SECURE_AUTH", "LOGGED_IN", "NONCE")]
    return tuple(sorted((name, name.lower().replace("wordpress_", "wp-").replace("_", "-")) for name in names))


@dataclass(frozen=True)
class ServicesDeployment:
    """The scale-out deployment: which containers, how many web tasks, which database."""

    database: str = "both"
    web_container: str = "wordpress"
    database_container: str = "mariadb"
    launch_type: str = "fargate"
    architecture: str = "arm64"
    task_cpu: int = 512
    task_memory: int = 1024
    min_tasks: int = 1
    desired_tasks: int = 2
    max_tasks: int = 4
    cpu_target_percent: int = 60
    requests_per_target: int = 200
    health_check_path: str = "/"
    certificate_arn: str = ""
    namespace: str = "wordpress.internal"
    database_cpu: int = 512
    database_memory: int = 1024
    web_files: FileShare = field(default_factory=lambda: FileShare("/var/www/html", 33, 33))
    database_files: FileShare = field(default_factory=lambda: FileShare("/var/lib/mysql", 999, 999, "0700"))
    # Environment variables of the web container filled from secrets generated for these stacks.
    web_secrets: tuple[tuple[str, str], ...] = field(default_factory=_default_wordpress_keys)
    rds: RdsSettings = field(default_factory=RdsSettings)

    def __post_init__(self) -> None:
        if self.database not in DATABASE_CHOICES:
            raise ConfigError(f"{PATH}.database", f"{self.database!r} is not one of: "
                                                  f"{', '.join(DATABASE_CHOICES)} (mariadb: a MariaDB "
                                                  "service on EFS; rds: Amazon RDS; both: one template each)")
        if self.launch_type not in LAUNCH_TYPES:
            raise ConfigError(f"{PATH}.launch_type", f"{self.launch_type!r} is not one of: {', '.join(LAUNCH_TYPES)}")
        if self.architecture not in instance_types.ARCHITECTURES:
            raise ConfigError(f"{PATH}.architecture", f"{self.architecture!r} is not one of: "
                                                      f"{', '.join(instance_types.ARCHITECTURES)}")
        if self.min_tasks > self.max_tasks:
            raise ConfigError(f"{PATH}.min_tasks",
                              f"min_tasks {self.min_tasks} is greater than max_tasks {self.max_tasks}; "
                              "scaling needs min_tasks <= desired_tasks <= max_tasks")
        if not self.min_tasks <= self.desired_tasks <= self.max_tasks:
            raise ConfigError(f"{PATH}.desired_tasks",
                              f"{self.desired_tasks} is outside min_tasks..max_tasks "
                              f"({self.min_tasks}..{self.max_tasks}); scaling needs "
                              "min_tasks <= desired_tasks <= max_tasks")
        if self.certificate_arn and not re.match(ACM_CERTIFICATE_ARN, self.certificate_arn):
            raise ConfigError(f"{PATH}.certificate_arn",
                              f"{self.certificate_arn!r} is not an ACM certificate ARN "
                              "(arn:aws:acm:<region>:<account>:certificate/<id>); leave it empty for HTTP only")
        if not DNS_NAME.match(self.namespace):
            raise ConfigError(f"{PATH}.namespace",
                              f"{self.namespace!r} is not a private DNS domain such as wordpress.internal")
        if not self.health_check_path.startswith("/"):
            raise ConfigError(f"{PATH}.health_check_path", f"{self.health_check_path!r} must start with /")
        check_fargate_size(self.database_cpu, self.database_memory, PATH, "database_cpu", "database_memory")
        if self.launch_type == "fargate":
            check_fargate_size(self.task_cpu, self.task_memory, PATH)
        self.web_files.check(f"{PATH}.web_files")
        self.database_files.check(f"{PATH}.database_files")
        self.rds.check(f"{PATH}.rds")
        for env, secret in self.web_secrets:
            check_name(secret, f"{PATH}.secrets.{env}")

    @property
    def variants(self) -> tuple[str, ...]:
        """The database kinds to build a template for."""
        if self.database == "both":
            return VARIANTS
        return () if self.database == "none" else (self.database,)

    def cluster_name(self, app_name: str, variant: str) -> str:
        return f"{app_name}-{variant}-cluster"

    def task_family(self, app_name: str, variant: str, role: str) -> str:
        return f"{app_name}-{variant}-{role}"

    def check_against(self, app: Application, capacity: Ec2Capacity) -> None:
        """What the deployment needs from the application (and from the EC2 capacity, when it uses it)."""
        if not self.variants:
            return
        web = self._container(app, "web_container", self.web_container)
        public = [port for port in web.ports if port.public]
        if len(public) != 1:
            raise ConfigError(f"{PATH}.web_container",
                              f"{web.name} has {len(public)} public ports; the load balancer forwards to "
                              "exactly one: mark one port `public: true`")
        database = self._container(app, "database_container", self.database_container)
        if database.name == web.name:
            raise ConfigError(f"{PATH}.database_container", "must differ from services.web_container")
        others = sorted({c.name for c in app.containers} - {web.name, database.name})
        if others:
            raise ConfigError(f"{PATH}.web_container",
                              f"the services stacks run {web.name} and {database.name} only, but the "
                              f"application also has {', '.join(others)}; remove it, or set services.database: none")
        if not any(connection.container == database.name for connection in web.uses):
            raise ConfigError(f"{PATH}.database_container",
                              f"{web.name} has no `uses` entry for {database.name}, so it would not get the "
                              f"database's address; add `uses: [{{container: {database.name}, port: ..., env: ...}}]`")
        known = {secret.name for secret in app.secrets}
        web_env = set(web.environment_map) | {name for name, _ in web.secrets}
        for env, secret in self.web_secrets:
            if secret in known:
                raise ConfigError(f"{PATH}.secrets.{env}",
                                  f"secret {secret!r} is also an application secret; give it another name")
            if env in web_env:
                raise ConfigError(f"{PATH}.secrets.{env}",
                                  f"{web.name} already sets {env}; remove one of them")
        if "mariadb" in self.variants and database.health_check is None:
            raise ConfigError(f"{PATH}.database_container",
                              f"{database.name} has no health_check; its service (choice mariadb) needs one "
                              "so that a task that never accepts connections is replaced")
        if "rds" in self.variants:
            self.rds_database_settings(database)
        if self.launch_type == "ec2":
            if capacity.architecture != self.architecture:
                raise ConfigError(f"{PATH}.architecture",
                                  f"{self.architecture} differs from ec2.capacity.architecture "
                                  f"{capacity.architecture}, whose instances run the web tasks; make them equal")
            check_fits_instance(self.task_cpu, self.task_memory, capacity.instance, PATH)

    def rds_database_settings(self, database: Container) -> tuple[str, str, str]:
        """(database name, application user, its password secret) that RDS takes over from the container.

        RDS replaces the database container, so it keeps the container's database, user and that
        user's password secret; the master user (the container's root) is another one, whose
        password RDS manages and rotates (see config/database_user.py).
        """
        env = database.environment_map
        secrets = dict(database.secrets)
        found: dict[str, tuple[str, str]] = {}
        for names, source, what in ((DATABASE_NAME_ENV, env, "database name"),
                                    (DATABASE_USER_ENV, env, "user"),
                                    (DATABASE_PASSWORD_ENV, secrets, "password secret")):
            key = next((name for name in names if name in source), None)
            if key is None:
                raise ConfigError(f"{PATH}.database_container",
                                  f"choice rds takes the {what} from {database.name}'s {' or '.join(names)}, "
                                  f"which it does not set; add it, or set services.database: mariadb")
            found[what] = (key, source[key])
        for what in ("database name", "user"):
            key, value = found[what]
            if not DB_IDENTIFIER.match(value):
                raise ConfigError(f"{database.path}.environment.{key}",
                                  f"{value!r} is not valid as an RDS {what}: a letter, then letters, digits "
                                  "or _ (at most 16)")
        key, user = found["user"]
        if user == MASTER_USERNAME:
            raise ConfigError(f"{database.path}.environment.{key}",
                              f"{user!r} is the RDS master user of choice rds; the application connects as its "
                              "own user: give it another name")
        return found["database name"][1], found["user"][1], found["password secret"][1]

    def web_secret_definitions(self, web: str) -> tuple[GeneratedSecret, ...]:
        return tuple(GeneratedSecret(name=secret, description=f"{env} of {web} (generated)", length=64)
                     for env, secret in self.web_secrets)

    @staticmethod
    def _container(app: Application, key: str, name: str) -> Container:
        try:
            return app.container(name)
        except KeyError:
            raise ConfigError(f"{PATH}.{key}",
                              f"no container named {name!r} (containers: "
                              f"{', '.join(c.name for c in app.containers)}); name one of them") from None

