"""EC2 instance types the generator offers, by CPU architecture.

Data, not logic: the ECS-optimized AMI is built for one architecture, and an instance
type of the other one cannot boot it (the seed paired the arm64 AMI with t2.medium).
"""
from __future__ import annotations

from typing import NamedTuple

ARCHITECTURES = ("arm64", "x86_64")

# ECS runtime platform names, and the public SSM parameters of the recommended ECS-optimized
# Amazon Linux 2023 AMI (Amazon Linux 2 reached end of life on 2026-06-30):
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/retrieve-ecs-optimized_AMI.html
RUNTIME_CPU_ARCHITECTURE = {"arm64": "ARM64", "x86_64": "X86_64"}
AMI_OPERATING_SYSTEM = "Amazon Linux 2023"
ECS_AMI_SSM_PARAMETER = {
    "arm64": "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id",
    "x86_64": "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id",
}
# The root device of the ECS-optimized AL2023 AMIs (as of AL2), which the launch template's
# block device mapping must name to resize and encrypt the root volume rather than add a disk.
ECS_AMI_ROOT_DEVICE = "/dev/xvda"


class InstanceType(NamedTuple):
    name: str
    architecture: str
    vcpus: int
    memory_mib: int


_SIZES = {  # size -> (vCPUs, GiB) for the general-purpose burstable families
    "micro": (2, 1), "small": (2, 2), "medium": (2, 4), "large": (2, 8),
    "xlarge": (4, 16), "2xlarge": (8, 32),
}
_M_SIZES = {"large": (2, 8), "xlarge": (4, 16), "2xlarge": (8, 32), "4xlarge": (16, 64)}
_C_SIZES = {"large": (2, 4), "xlarge": (4, 8), "2xlarge": (8, 16), "4xlarge": (16, 32)}
_R_SIZES = {"large": (2, 16), "xlarge": (4, 32), "2xlarge": (8, 64), "4xlarge": (16, 128)}

_FAMILIES: dict[str, tuple[str, dict[str, tuple[int, int]]]] = {
    # arm64 (AWS Graviton)
    "t4g": ("arm64", _SIZES),
    "m6g": ("arm64", _M_SIZES), "m7g": ("arm64", _M_SIZES), "m8g": ("arm64", _M_SIZES),
    "c6g": ("arm64", _C_SIZES), "c7g": ("arm64", _C_SIZES), "c8g": ("arm64", _C_SIZES),
    "r6g": ("arm64", _R_SIZES), "r7g": ("arm64", _R_SIZES), "r8g": ("arm64", _R_SIZES),
    # x86_64 (Intel, AMD)
    "t2": ("x86_64", {k: v for k, v in _SIZES.items()}),
    "t3": ("x86_64", _SIZES), "t3a": ("x86_64", _SIZES),
    "m5": ("x86_64", _M_SIZES), "m6i": ("x86_64", _M_SIZES), "m6a": ("x86_64", _M_SIZES),
    "m7i": ("x86_64", _M_SIZES), "m7a": ("x86_64", _M_SIZES),
    "c5": ("x86_64", _C_SIZES), "c6i": ("x86_64", _C_SIZES), "c6a": ("x86_64", _C_SIZES),
    "c7i": ("x86_64", _C_SIZES), "c7a": ("x86_64", _C_SIZES),
    "r5": ("x86_64", _R_SIZES), "r6i": ("x86_64", _R_SIZES), "r7i": ("x86_64", _R_SIZES),
}

INSTANCE_TYPES: dict[str, InstanceType] = {
    f"{family}.{size}": InstanceType(f"{family}.{size}", arch, vcpus, gib * 1024)
    for family, (arch, sizes) in sorted(_FAMILIES.items())
    for size, (vcpus, gib) in sizes.items()
}


# What the ECS agent registers for tasks is less than the instance's memory (kernel, platform
# overhead): "an m4.large instance has 8 GiB of installed memory. However, this does not always
# translate to exactly 8192 MiB of memory available for tasks" (a 1 GiB t4g.micro registers well
# under 1024 MiB). https://docs.aws.amazon.com/AmazonECS/latest/developerguide/memory-management.html
# A task is taken to fit when its memory is at most this share of the instance's.
TASK_MEMORY_SHARE = 0.9


def usable_memory_mib(spec: InstanceType) -> int:
    """Memory (MiB) a task may reserve on one instance of `spec`, leaving the rest to the OS and agent."""
    return int(spec.memory_mib * TASK_MEMORY_SHARE)


def holds_task(spec: InstanceType, cpu: int, memory: int) -> bool:
    """Whether one task of `cpu` units and `memory` MiB can be placed on an instance of `spec`."""
    return memory <= usable_memory_mib(spec) and cpu <= spec.vcpus * 1024


def families(architecture: str) -> list[str]:
    """The instance families of one architecture, sorted."""
    return sorted(family for family, (arch, _) in _FAMILIES.items() if arch == architecture)


def instance_types(architecture: str) -> list[str]:
    """Every offered instance type of one architecture, sorted."""
    return sorted(name for name, spec in INSTANCE_TYPES.items() if spec.architecture == architecture)


def instance_types_for_task(architecture: str, cpu: int, memory: int) -> list[str]:
    """The instance types of one architecture that hold a task of that size, sorted (AllowedValues)."""
    return [name for name in instance_types(architecture) if holds_task(INSTANCE_TYPES[name], cpu, memory)]
