"""What a container needs beyond an image from a registry: a build, files copied in, host
paths, Linux parameters; and which launch type takes which of them.

Each is a frozen dataclass of its own, read by `config/container_loader.py`, so that the
container model grows by one field per concern.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ecs_templates.errors import ConfigError

FARGATE = "FARGATE"
EC2 = "EC2"
# Fargate lets a container add one capability, SYS_PTRACE; devices, sharedMemorySize, tmpfs,
# privileged and the host network mode are not valid there:
# https://docs.aws.amazon.com/AmazonECS/latest/userguide/fargate-tasks-services.html
# https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ecs-taskdefinition-linuxparameters.html
FARGATE_CAPABILITIES = frozenset(("SYS_PTRACE",))
# ipcMode is not valid on Fargate, so only the network namespace's sysctls (net.*) apply there:
# https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_SystemControl.html
FARGATE_SYSCTL_PREFIXES = ("net.",)
CAPABILITY_PATTERN = re.compile(r"^[A-Z_]+$")
ULIMIT_NAMES = ("core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile",
                "nproc", "rss", "rtprio", "rttime", "sigpending", "stack")
# A stop signal as Docker's STOPSIGNAL takes it: a name (SIGINT) or a number.
# https://docs.docker.com/reference/dockerfile/#stopsignal
STOP_SIGNAL_PATTERN = re.compile(r"^(SIG[A-Z0-9+-]+|[1-9][0-9]?)$")
EC2_OPTION = ("run it on EC2: build the stack ecs-ec2, or set services.launch_type: ec2 for the "
              "ecs-services stacks")


@dataclass(frozen=True)
class Build:
    """`docker buildx build` of the image; paths relative to the project (the config file's directory)."""

    context: str
    dockerfile: str = "Dockerfile"
    args: tuple[tuple[str, str], ...] = ()
    target: str | None = None


@dataclass(frozen=True)
class FileCopy:
    """A project file or directory copied into a derived image at `path` (a read-only bind mount)."""

    source: str
    path: str


@dataclass(frozen=True)
class HostMount:
    """A path of the container instance mounted into the container (EC2 only)."""

    source: str
    path: str
    read_only: bool = False


@dataclass(frozen=True)
class Ulimit:
    name: str
    soft: int
    hard: int


@dataclass(frozen=True)
class Tmpfs:
    path: str
    size: int  # MiB


@dataclass(frozen=True)
class Device:
    host_path: str
    container_path: str
    permissions: tuple[str, ...] = ()


@dataclass(frozen=True)
class LinuxOptions:
    """Linux parameters of the container definition (LinuxParameters, Privileged, Ulimits, SystemControls)."""

    cap_add: tuple[str, ...] = ()
    cap_drop: tuple[str, ...] = ()
    sysctls: tuple[tuple[str, str], ...] = ()
    ulimits: tuple[Ulimit, ...] = ()
    shm_size: int | None = None  # MiB
    init: bool | None = None
    privileged: bool = False
    tmpfs: tuple[Tmpfs, ...] = ()
    devices: tuple[Device, ...] = ()
    host_network: bool = False

    def check(self, path: str) -> None:
        for key, names in (("cap_add", self.cap_add), ("cap_drop", self.cap_drop)):
            for name in names:
                if not CAPABILITY_PATTERN.match(name):
                    raise ConfigError(f"{path}.{key}", f"{name!r} is not a Linux capability name "
                                                       "(e.g. NET_ADMIN, without CAP_)")
        for ulimit in self.ulimits:
            if ulimit.name not in ULIMIT_NAMES:
                raise ConfigError(f"{path}.ulimits.{ulimit.name}",
                                  f"is not a ulimit ECS sets; use one of: {', '.join(ULIMIT_NAMES)}")
            if ulimit.soft > ulimit.hard:
                raise ConfigError(f"{path}.ulimits.{ulimit.name}",
                                  f"soft {ulimit.soft} exceeds hard {ulimit.hard}")
        for mount in self.tmpfs:
            if not mount.path.startswith("/"):
                raise ConfigError(f"{path}.tmpfs", f"{mount.path!r} must be an absolute path")


def fargate_refusals(linux: LinuxOptions | None, host_mounts: tuple[HostMount, ...]) -> list[tuple[str, str]]:
    """(key, reason) for each option of a container that Fargate does not take."""
    refusals = [("host_mounts", f"{mount.source}:{mount.path}: Fargate tasks have no host paths")
                for mount in host_mounts]
    if linux is None:
        return refusals
    refusals += [("linux.cap_add", f"Fargate adds only SYS_PTRACE, not {name}")
                 for name in linux.cap_add if name not in FARGATE_CAPABILITIES]
    refusals += [("linux.sysctls", f"{name}: Fargate sets only network (net.*) sysctls")
                 for name, _ in linux.sysctls if not name.startswith(FARGATE_SYSCTL_PREFIXES)]
    for key, present, what in (("linux.shm_size", linux.shm_size is not None, "sharedMemorySize"),
                               ("linux.privileged", linux.privileged, "privileged"),
                               ("linux.tmpfs", bool(linux.tmpfs), "tmpfs"),
                               ("linux.devices", bool(linux.devices), "devices"),
                               ("linux.host_network", linux.host_network, "the host network mode")):
        if present:
            refusals.append((key, f"Fargate does not support {what}"))
    return refusals


def check_launch_type(container_path: str, name: str, compatibility: str, linux: LinuxOptions | None,
                      host_mounts: tuple[HostMount, ...], network_mode: str) -> None:
    """Refuse what the launch type or the network mode cannot run, naming where it would run."""
    if linux is not None and linux.host_network and network_mode != "host":
        raise ConfigError(f"{container_path}.linux.host_network",
                          f"{name}: the host network mode is the whole task's, and this stack runs "
                          f"{network_mode}; build the stack ecs-ec2, which runs the task in the host mode, "
                          "or remove host_network")
    if compatibility == FARGATE:
        for key, reason in fargate_refusals(linux, host_mounts):
            raise ConfigError(f"{container_path}.{key}", f"{name}: {reason}; {EC2_OPTION}")
