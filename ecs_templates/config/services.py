"""The `services:` section: how the stacks `ecs-services` and `ecs-services-rds` run the application.

Every container that is not another's sidecar is one application service, run as its own
ECS service (config/topology.py derives them). This section holds only what those stacks
need beyond the application itself: capacity, sizes and scaling per service, the load
balancer's certificate, the Service Connect namespace, and the RDS settings. It knows
nothing of the application model (no import of config/model.py): the cross-checks live in
config/topology.py.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, fields

from ecs_templates.config import instance_types
from ecs_templates.config.checks import check_fargate_size
from ecs_templates.config.settings import declaration, section, setting
from ecs_templates.errors import ConfigError

PATH = "services"
LAUNCH_TYPES = ("fargate", "ec2")
# An ACM certificate: arn:<partition>:acm:<region>:<account>:certificate/<id>. Also the parameter's AllowedPattern.
ACM_CERTIFICATE_ARN = r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[A-Za-z0-9-]+$"
# A Cloud Map namespace name: "up to 1,024 characters ... letters, numbers, hyphens, periods":
# https://docs.aws.amazon.com/cloud-map/latest/api/API_CreateHttpNamespace.html
NAMESPACE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{0,1023}$")
HOST_HEADER = re.compile(r"^[A-Za-z0-9*?.-]{1,128}$")
# RDS versions are X.Y (a major version) or X.Y.Z. Major only: RDS takes the default minor version and,
# with automatic minor version upgrades on, keeps patching it, while a pinned X.Y.Z is deprecated in turn:
# https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/MariaDB.Concepts.VersionMgmt.html
ENGINE_VERSION = re.compile(r"^(\d+)(?:\.(\d+))?(\.\d+)?$")
INSTANCE_CLASS = re.compile(r"^db\.[a-z0-9]+\.[a-z0-9]+$")


@dataclass(frozen=True)
class ServiceSettings:
    """One application service in the services stacks; `services.defaults`, overridden per service."""

    cpu: int = setting(512, "CPU units of each of the service's tasks (1024 = 1 vCPU), a Fargate size")
    memory: int = setting(1024, "memory of each task (MiB), one that Fargate offers with `cpu`")
    min_tasks: int = setting(1, "scaling never goes below this many tasks (default of <Service>MinTasks)",
                             minimum=1, maximum=100)
    desired_tasks: int = setting(1, "tasks started at first; a service that holds data always runs one",
                                 minimum=1, maximum=100)
    max_tasks: int = setting(4, "scaling never goes above this many tasks (default of <Service>MaxTasks)",
                             minimum=1, maximum=100)
    cpu_target_percent: int = setting(60, "target tracking: the average CPU of the service's tasks",
                                      minimum=10, maximum=95)
    requests_per_target: int = setting(200, "target tracking of public HTTP services: load balancer requests "
                                            "per task per minute", minimum=1, maximum=100000)
    health_check_path: str = setting("", "path the load balancer checks (public HTTP); empty: the image "
                                         "table's, else /")
    host_header: str = setting("", "public HTTP: only requests for this host name reach the service, through "
                                   "the main listener (e.g. admin.example.com)")
    path_pattern: str = setting("", "public HTTP: only these paths reach the service, through the main listener "
                                    "(e.g. /api/*)")
    replicas_share_volumes: bool = setting(False, "its volumes may be written by several tasks at once, so it "
                                                  "scales; off: a service with a volume keeps one task")

    def check(self, path: str) -> None:
        check_fargate_size(self.cpu, self.memory, path, "cpu", "memory")
        if not self.min_tasks <= self.desired_tasks <= self.max_tasks:
            raise ConfigError(f"{path}.desired_tasks",
                              f"{self.desired_tasks} is outside min_tasks..max_tasks ({self.min_tasks}.."
                              f"{self.max_tasks}); scaling needs min_tasks <= desired_tasks <= max_tasks")
        if self.health_check_path and not self.health_check_path.startswith("/"):
            raise ConfigError(f"{path}.health_check_path", f"{self.health_check_path!r} must start with /")
        if self.path_pattern and not self.path_pattern.startswith("/"):
            raise ConfigError(f"{path}.path_pattern", f"{self.path_pattern!r} must start with /, e.g. /api/*")
        if self.host_header and not HOST_HEADER.match(self.host_header):
            raise ConfigError(f"{path}.host_header",
                              f"{self.host_header!r} is not a host name such as admin.example.com (* and ? allowed)")


@dataclass(frozen=True)
class RdsSettings:
    """Stack `ecs-services-rds`: Amazon RDS in place of the database services of a known engine."""

    replace: tuple[str, ...] = setting((), "the database services RDS replaces; empty: every service whose image "
                                           "the image table knows as a database")
    instance_class: str = setting("db.t4g.micro", "default of the DatabaseInstanceClass parameter")
    allocated_storage_gib: int = setting(20, "storage at creation (GiB)", minimum=20, maximum=65536)
    max_allocated_storage_gib: int = setting(100, "storage autoscaling ceiling (GiB)", minimum=20, maximum=65536)
    engine_version: str = setting("", "RDS major version (e.g. 11.4); empty: the image table's for the engine")
    backup_retention_days: int = setting(7, "days of automated backups", minimum=1, maximum=35)
    multi_az: bool = setting(False, "default of the MultiAz parameter (a standby in a second zone)")

    def check(self, path: str) -> None:
        if not INSTANCE_CLASS.match(self.instance_class):
            raise ConfigError(f"{path}.instance_class",
                              f"{self.instance_class!r} is not an RDS instance class such as db.t4g.micro")
        if self.engine_version and not ENGINE_VERSION.match(self.engine_version):
            raise ConfigError(f"{path}.engine_version",
                              f"{self.engine_version!r}: give an RDS major version such as 11.4 (RDS keeps it "
                              "patched), or a full version such as 11.4.8; empty takes the image table's")
        if self.max_allocated_storage_gib < self.allocated_storage_gib:
            raise ConfigError(f"{path}.max_allocated_storage_gib",
                              f"{self.max_allocated_storage_gib} GiB is below allocated_storage_gib "
                              f"{self.allocated_storage_gib}; storage autoscaling can only grow")


@dataclass(frozen=True)
class ServicesDeployment:
    """The services stacks as a whole; `tasks` holds each service's settings merged onto `defaults`."""

    launch_type: str = setting("fargate", "where services without data run: fargate, or ec2 (instances from "
                                          "ec2.capacity; services that hold data stay on Fargate)",
                               choices=LAUNCH_TYPES)
    architecture: str = setting("arm64", "CPU architecture of every task", choices=instance_types.ARCHITECTURES)
    certificate_arn: str = setting("", "default of the CertificateArn parameter; empty: HTTP only")
    namespace: str = setting("", "Service Connect namespace (default of the NamespaceName parameter)",
                             derived="{app}.internal")
    defaults: ServiceSettings = section(ServiceSettings, "settings of every service, unless services.tasks says "
                                                         "otherwise")
    tasks: tuple[tuple[str, ServiceSettings], ...] = setting(
        (), "per service: services.tasks.<service>.<setting>, any setting of services.defaults")
    rds: RdsSettings = section(RdsSettings, "Amazon RDS (stack ecs-services-rds)")

    def __post_init__(self) -> None:
        if self.certificate_arn and not re.match(ACM_CERTIFICATE_ARN, self.certificate_arn):
            raise ConfigError(f"{PATH}.certificate_arn",
                              f"{self.certificate_arn!r} is not an ACM certificate ARN "
                              "(arn:aws:acm:<region>:<account>:certificate/<id>); leave it empty for HTTP only")
        if self.namespace and not NAMESPACE_NAME.match(self.namespace):
            raise ConfigError(f"{PATH}.namespace",
                              f"{self.namespace!r} is not a namespace name: letters, digits, hyphens and "
                              "periods, such as shop.internal")
        self.defaults.check(f"{PATH}.defaults")
        for name, settings in self.tasks:
            settings.check(f"{PATH}.tasks.{name}")
        self.rds.check(f"{PATH}.rds")

    def namespace_for(self, app_name: str) -> str:
        """The configured namespace, or the one derived from the application's name (a Config built in Python)."""
        declared = next(f for f in fields(self) if f.name == "namespace")
        return self.namespace or str(declaration(declared).derived_default).format(app=app_name)

    def settings_of(self, service: str) -> ServiceSettings:
        return dict(self.tasks).get(service, self.defaults)
