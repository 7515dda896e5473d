"""The single-task stacks' sections (ec2, fargate) and the shared ones (registry, logs), each setting declared once."""
from __future__ import annotations

from dataclasses import dataclass

from ecs_templates.config import instance_types
from ecs_templates.config.checks import check_fargate_size, check_fits_instance, check_name
from ecs_templates.config.settings import section, setting
from ecs_templates.errors import ConfigError

SPOT_ARCHITECTURE = "x86_64"  # the only one Fargate Spot runs


@dataclass(frozen=True)
class Ec2Capacity:
    """The Auto Scaling group behind the EC2 capacity provider."""

    architecture: str = setting("arm64", "CPU architecture of the instances and their ECS-optimized AMI",
                                choices=instance_types.ARCHITECTURES)
    instance_type: str = setting("t4g.medium", "EC2 instance type (the InstanceType parameter offers those that "
                                               "hold the task)")
    min_size: int = setting(0, "Auto Scaling group minimum", minimum=0, maximum=100)
    desired_size: int = setting(1, "instances at first", minimum=0, maximum=100)
    max_size: int = setting(2, "Auto Scaling group maximum", minimum=1, maximum=100)
    root_volume_gib: int = setting(30, "encrypted gp3 root volume (GiB; the AMI needs 30)", minimum=30,
                                   maximum=16384)

    def __post_init__(self) -> None:
        path = "ec2.capacity"
        if self.architecture not in instance_types.ARCHITECTURES:
            raise ConfigError(f"{path}.architecture", f"{self.architecture!r} is not one of: "
                                                      f"{', '.join(instance_types.ARCHITECTURES)}")
        spec = instance_types.INSTANCE_TYPES.get(self.instance_type)
        if spec is None:
            family = self.instance_type.split(".")[0]
            known = instance_types.families(self.architecture)
            hint = (f"sizes offered for {family}: "
                    + ", ".join(t for t in instance_types.instance_types(self.architecture)
                                if t.startswith(family + ".")))
            if family not in known and family not in instance_types.families("x86_64") + \
                    instance_types.families("arm64"):
                hint = f"{self.architecture} families offered: {', '.join(known)}"
            raise ConfigError(f"{path}.instance_type", f"{self.instance_type!r} is not offered; {hint}")
        if spec.architecture != self.architecture:
            raise ConfigError(
                f"{path}.instance_type",
                f"{self.instance_type} is an {spec.architecture} instance type and cannot boot the "
                f"{self.architecture} ECS-optimized AMI; choose a type of the families "
                f"{', '.join(instance_types.families(self.architecture))} (e.g. "
                f"{_example_type(self.architecture)}), or set {path}.architecture: {spec.architecture}")
        if not self.min_size <= self.desired_size <= self.max_size:
            raise ConfigError(f"{path}.desired_size",
                              f"sizes must satisfy min_size <= desired_size <= max_size, got "
                              f"{self.min_size} <= {self.desired_size} <= {self.max_size}")
        if self.max_size < 1:
            raise ConfigError(f"{path}.max_size", "must be at least 1 to run any task")

    @property
    def instance(self) -> instance_types.InstanceType:
        return instance_types.INSTANCE_TYPES[self.instance_type]


def _example_type(architecture: str) -> str:
    return "t4g.medium" if architecture == "arm64" else "t3.medium"


@dataclass(frozen=True)
class Ec2Deployment:
    """Stack `ecs-ec2`: the seed's section 3.3 (cluster, task, service on EC2 instances)."""

    cluster_name: str = setting("", "ECS cluster name (default of the ClusterName parameter)",
                                derived="{app}-cluster")
    task_family: str = setting("", "task definition family", derived="{app}-task")
    service_name: str = setting("", "ECS service name", derived="{app}-service")
    task_cpu: int = setting(1024, "CPU units of the task (1024 = 1 vCPU)", minimum=128, maximum=16384)
    task_memory: int = setting(1024, "memory of the task (MiB); must fit the instance type", minimum=128,
                               maximum=122880)
    desired_count: int = setting(1, "tasks to run", minimum=0, maximum=100)
    capacity: Ec2Capacity = section(Ec2Capacity, "the instances (Auto Scaling group) behind the capacity provider")

    def __post_init__(self) -> None:
        for name in ("cluster_name", "task_family", "service_name"):
            check_name(getattr(self, name), f"ec2.{name}")
        check_fits_instance(self.task_cpu, self.task_memory, self.capacity.instance, "ec2")


@dataclass(frozen=True)
class FargateDeployment:
    """Stack `ecs-fargate`: the seed's section 3.4 (cluster, task, service on Fargate).

    `spot_weight` is the share of tasks placed on FARGATE_SPOT against 1 on FARGATE
    (0: on-demand only; the cluster offers both capacity providers either way).
    """

    cluster_name: str = setting("", "ECS cluster name", derived="{app}-fargate-cluster")
    task_family: str = setting("", "task definition family", derived="{app}-fargate-task")
    service_name: str = setting("", "ECS service name", derived="{app}-fargate-service")
    task_cpu: int = setting(512, "CPU units of the task, a Fargate size (1024 = 1 vCPU)")
    task_memory: int = setting(1024, "memory of the task (MiB), one that Fargate offers with task_cpu")
    desired_count: int = setting(1, "tasks to run", minimum=0, maximum=100)
    architecture: str = setting("arm64", "CPU architecture of the task", choices=instance_types.ARCHITECTURES)
    spot_weight: int = setting(0, "tasks on FARGATE_SPOT per task on FARGATE (0: on-demand only; x86_64 only)",
                               minimum=0, maximum=1000)

    @classmethod
    def for_application(cls, app_name: str) -> FargateDeployment:
        """The default deployment of an application: names derived from its name."""
        return cls(cluster_name=f"{app_name}-fargate-cluster", task_family=f"{app_name}-fargate-task",
                   service_name=f"{app_name}-fargate-service")

    def __post_init__(self) -> None:
        for name in ("cluster_name", "task_family", "service_name"):
            check_name(getattr(self, name), f"fargate.{name}")
        if self.architecture not in instance_types.ARCHITECTURES:
            raise ConfigError("fargate.architecture", f"{self.architecture!r} is not one of: "
                                                      f"{', '.join(instance_types.ARCHITECTURES)}")
        check_fargate_size(self.task_cpu, self.task_memory, "fargate")
        if not 0 <= self.spot_weight <= 1000:
            raise ConfigError("fargate.spot_weight", f"{self.spot_weight} is outside 0..1000")
        # "Fargate Spot only supports Linux tasks with the X86_64 architecture":
        # https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html
        if self.spot_weight > 0 and self.architecture != SPOT_ARCHITECTURE:
            raise ConfigError("fargate.spot_weight",
                              f"Fargate Spot runs only {SPOT_ARCHITECTURE} Linux tasks, not {self.architecture}; "
                              f"set fargate.architecture: {SPOT_ARCHITECTURE} to use Spot, or spot_weight: 0")


@dataclass(frozen=True)
class RegistrySettings:
    """Stack `ecr`."""

    untagged_image_days: int = setting(14, "untagged images expire after this many days", minimum=1, maximum=3650)
    max_tagged_images: int = setting(30, "tagged images kept per repository (the oldest expire)", minimum=1,
                                     maximum=10000)


@dataclass(frozen=True)
class LogSettings:
    retention_days: int = setting(30, "default of the LogRetentionDays parameter (a CloudWatch Logs retention)")


# Every stack the project builds, in build order (ecs_templates/stacks registers one builder each).
