"""The configuration model: frozen dataclasses that check themselves when built.

Build-time choices live here (containers, sizes, names). Deploy-time values (VPC,
subnets, key pair, image URIs, role ARNs) are CloudFormation parameters instead.
Every error names the dotted field and says how to fix it.

This module holds the whole: `Config`, its sections, and the stacks it can ask for. The
application and its containers are in config/application.py and config/container.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ecs_templates.config.application import Application
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

STACK_NAMES = ("ecr", "ecs-ec2", "ecs-fargate", "ecs-services", "ecs-services-rds")
# Without a `stacks:` list: every stack but the RDS variant, which needs a database service to replace.
DEFAULT_STACKS = STACK_NAMES[:4]

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
