"""The services stacks' volumes: one encrypted EFS file system (Retain), one access point per named volume."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from awacs.aws import Statement
from troposphere import Ref, Template, ecs, efs

from ecs_templates.builders import efs as efs_builder
from ecs_templates.builders.network import IngressRule, add_security_group
from ecs_templates.config.topology import Service

NFS_PORT = 2049


@dataclass
class Storage:
    file_system_id: Any = None
    file_system_arn: Any = None
    mount_targets: list[efs.MountTarget] = field(default_factory=list)
    access_points: dict[str, efs.AccessPoint] = field(default_factory=dict)
    root_access: dict[str, bool] = field(default_factory=dict)

    def volumes_of(self, service: Service) -> list[ecs.Volume]:
        names = sorted({volume.name for volume in service.volumes})
        return [efs_builder.efs_volume(name, file_system=self.file_system_id, access_point=self.access_points[name])
                for name in names]

    def statements_of(self, service: Service) -> list[Statement]:
        names = sorted({volume.name for volume in service.volumes})
        return [efs_builder.mount_statement(file_system_arn=self.file_system_arn, access_point=self.access_points[name],
                                            root=self.root_access[name]) for name in names]


def add_storage(template: Template, services: list[Service], *, vpc: Any,
                subnets: list[Any], groups: dict[str, Any]) -> Storage:
    """EFS for the named volumes of `services`, reachable on NFS only from the services that mount it."""
    users = [service for service in services if service.volumes]
    if not users:
        return Storage()
    file_system_group = add_security_group(
        template, "FileSystemSecurityGroup", vpc=vpc,
        ingress=[IngressRule(NFS_PORT, f"NFS from the {service.name} tasks", source_security_group=Ref(groups[service.name]))
                 for service in users],
        description="EFS mount targets: NFS from the services that mount a volume only",
        egress_description="Outbound: AWS default; mount targets only answer")
    efs_builder.add_file_system(template, name="volumes")
    storage = Storage(file_system_id=efs_builder.file_system_id(template),
                      file_system_arn=efs_builder.file_system_arn(template))
    storage.mount_targets = efs_builder.add_mount_targets(template, file_system=storage.file_system_id,
                                                          subnets=subnets, security_group=file_system_group)
    for name in sorted({volume.name for service in users for volume in service.volumes}):
        volume = next(v for service in users for v in service.volumes if v.name == name)
        storage.access_points[name] = efs_builder.add_access_point(
            template, volume.ownership, file_system=storage.file_system_id, name=name, enforce_user=volume.known)
        storage.root_access[name] = not volume.known
    return storage
