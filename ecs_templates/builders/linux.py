"""A container's Linux parameters and host paths, rendered into its container definition.

What each launch type takes is `config/container_options.check_launch_type`; this module
only writes the properties:
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ecs-taskdefinition-linuxparameters.html
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ecs-taskdefinition-containerdefinition.html
"""
from __future__ import annotations

import hashlib
import re
from typing import Any, Sequence

from troposphere import ecs

from ecs_templates.config.container import Container


def linux_properties(container: Container) -> dict[str, Any]:
    """The container definition's LinuxParameters, Privileged, Ulimits and SystemControls (None: unset)."""
    linux = container.linux
    if linux is None:
        return {}
    parameters: dict[str, Any] = {
        "Capabilities": ecs.KernelCapabilities(**{key: list(names) for key, names in
                                                  (("Add", linux.cap_add), ("Drop", linux.cap_drop)) if names})
        if linux.cap_add or linux.cap_drop else None,
        "Devices": [ecs.Device(HostPath=device.host_path, ContainerPath=device.container_path,
                               **({"Permissions": list(device.permissions)} if device.permissions else {}))
                    for device in linux.devices] or None,
        "InitProcessEnabled": linux.init,
        "SharedMemorySize": linux.shm_size,
        "Tmpfs": [ecs.Tmpfs(ContainerPath=mount.path, Size=mount.size) for mount in linux.tmpfs] or None,
    }
    parameters = {key: value for key, value in parameters.items() if value is not None}
    return {
        "LinuxParameters": ecs.LinuxParameters(**parameters) if parameters else None,
        "Privileged": True if linux.privileged else None,
        "Ulimits": [ecs.Ulimit(Name=ulimit.name, SoftLimit=ulimit.soft, HardLimit=ulimit.hard)
                    for ulimit in linux.ulimits] or None,
        "SystemControls": [ecs.SystemControl(Namespace=name, Value=value) for name, value in linux.sysctls] or None,
    }


def host_volume_name(source: str) -> str:
    """A task volume name for an instance path: readable, and distinct for distinct paths."""
    readable = re.sub(r"[^A-Za-z0-9_-]+", "-", source).strip("-")[:200] or "root"
    return f"host-{readable}-{hashlib.sha256(source.encode()).hexdigest()[:8]}"


def host_mount_points(container: Container) -> list[ecs.MountPoint]:
    return [ecs.MountPoint(SourceVolume=host_volume_name(mount.source), ContainerPath=mount.path,
                           ReadOnly=mount.read_only) for mount in container.host_mounts]


def host_volumes(containers: Sequence[Container]) -> list[ecs.Volume]:
    """Bind mounts of the container instance's paths (Host.SourcePath), one per distinct path.

    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ecs-taskdefinition-hostvolumeproperties.html
    """
    sources = sorted({mount.source for container in containers for mount in container.host_mounts})
    return [ecs.Volume(Name=host_volume_name(source), Host=ecs.Host(SourcePath=source)) for source in sources]
