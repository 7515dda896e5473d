"""Checks shared by the config's sections: names, and task sizes against Fargate and instance types."""
from __future__ import annotations

import re

from ecs_templates.config import fargate_sizes, instance_types
from ecs_templates.errors import ConfigError

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,62}$")


def check_name(value: str, field_path: str) -> str:
    if not NAME_PATTERN.match(value):
        raise ConfigError(field_path, f"{value!r} is not a valid name: use lower-case letters, "
                                      "digits and hyphens, starting with a letter (at most 63)")
    return value


def check_fargate_size(cpu: int, memory: int, path: str, cpu_key: str = "task_cpu",
                       memory_key: str = "task_memory") -> None:
    """Refuse a task size Fargate would refuse at deploy time, naming the valid values."""
    if cpu not in fargate_sizes.VALID_MEMORY_MIB:
        raise ConfigError(f"{path}.{cpu_key}",
                          f"{cpu} is not a Fargate CPU size; choose one of "
                          f"{', '.join(map(str, fargate_sizes.CPU_VALUES))} (1024 = 1 vCPU)")
    if not fargate_sizes.is_valid(cpu, memory):
        raise ConfigError(f"{path}.{memory_key}",
                          f"{memory} MiB does not go with {cpu_key} {cpu} on "
                          f"Fargate; valid memory values for {cpu} CPU units (MiB): "
                          f"{fargate_sizes.describe_memory_values(cpu)}; or change "
                          f"{path}.{cpu_key}")


def check_fits_instance(cpu: int, memory: int, instance: instance_types.InstanceType, path: str,
                        cpu_key: str = "task_cpu", memory_key: str = "task_memory") -> None:
    """A task must fit on one container instance, leaving ~10 % of its memory to the OS and agent."""
    usable_mib = instance_types.usable_memory_mib(instance)
    if memory > usable_mib:
        raise ConfigError(f"{path}.{memory_key}",
                          f"{memory} MiB does not fit on {instance.name} "
                          f"({instance.memory_mib} MiB, about {usable_mib} MiB usable by tasks); "
                          "choose a larger ec2.capacity.instance_type or a smaller task")
    if cpu > instance.vcpus * 1024:
        raise ConfigError(f"{path}.{cpu_key}",
                          f"{cpu} CPU units exceed the {instance.vcpus * 1024} of "
                          f"{instance.name}; choose a larger instance type or fewer units")
