"""Amazon EFS: an encrypted file system that outlives the stack, reached through access points.

Each directory a container keeps (WordPress's files, MariaDB's data) gets an access point
that enforces one POSIX user and creates its root directory with that owner, so the
official images work unchanged. Tasks mount with TLS and their IAM role; the file
system policy refuses any client that does neither.
"""
from __future__ import annotations

import json
from typing import Any, Sequence

from awacs import elasticfilesystem as efs_actions
from awacs.aws import Allow, Bool, Condition, Deny, Everybody, PolicyDocument, Principal, Statement, StringEquals
from troposphere import GetAtt, Ref, Sub, Tags, Template, ecs, efs

from ecs_templates.config.services import FileShare
from ecs_templates.naming import logical_id


def add_file_system(template: Template, *, name: str) -> efs.FileSystem:
    """Encrypted at rest, backed up daily by AWS Backup, kept when the stack is deleted or replaced."""
    return template.add_resource(efs.FileSystem(
        "FileSystem",
        Encrypted=True,
        PerformanceMode="generalPurpose",
        ThroughputMode="bursting",
        BackupPolicy=efs.BackupPolicy(Status="ENABLED"),
        FileSystemPolicy=json.loads(PolicyDocument(Version="2012-10-17", Statement=[
            # Without a policy any client that reaches a mount target may mount. With this one,
            # only IAM principals allowed by their own policy (the task roles) over TLS.
            Statement(Sid="DenyUnencryptedTransport", Effect=Deny, Principal=Principal(Everybody),
                      Action=[efs_actions.Action("*")],
                      Condition=Condition(Bool("aws:SecureTransport", "false"))),
        ]).to_json()),
        FileSystemTags=Tags(Name=Sub(f"${{AWS::StackName}}-{name}")),
        DeletionPolicy="Retain",
        UpdateReplacePolicy="Retain",
    ))


def add_mount_targets(template: Template, *, file_system: efs.FileSystem, subnets: Sequence[Any],
                      security_group: Any) -> list[efs.MountTarget]:
    """One mount target per subnet (tasks mount the one in their Availability Zone)."""
    return [template.add_resource(efs.MountTarget(
        f"MountTarget{index + 1}",
        FileSystemId=Ref(file_system),
        SubnetId=subnet,
        SecurityGroups=[Ref(security_group)],
    )) for index, subnet in enumerate(subnets)]


def add_access_point(template: Template, share: FileShare, *, file_system: efs.FileSystem,
                     name: str) -> efs.AccessPoint:
    """Directory /<name> of the file system, seen as `share.uid`:`share.gid` whoever the client is."""
    return template.add_resource(efs.AccessPoint(
        logical_id(name, "access", "point"),
        FileSystemId=Ref(file_system),
        PosixUser=efs.PosixUser(Uid=str(share.uid), Gid=str(share.gid)),
        RootDirectory=efs.RootDirectory(
            Path=f"/{name}",
            CreationInfo=efs.CreationInfo(OwnerUid=str(share.uid), OwnerGid=str(share.gid),
                                          Permissions=share.permissions)),
        AccessPointTags=Tags(Name=Sub(f"${{AWS::StackName}}-{name}")),
    ))


def efs_volume(name: str, *, file_system: efs.FileSystem, access_point: efs.AccessPoint) -> ecs.Volume:
    """A task volume on the access point, mounted with TLS and the task role's identity."""
    return ecs.Volume(
        Name=name,
        EFSVolumeConfiguration=ecs.EFSVolumeConfiguration(
            FilesystemId=Ref(file_system),
            TransitEncryption="ENABLED",
            AuthorizationConfig=ecs.AuthorizationConfig(AccessPointId=Ref(access_point), IAM="ENABLED"),
        ),
    )


def mount_statement(*, file_system: efs.FileSystem, access_point: efs.AccessPoint) -> Statement:
    """The task role's right to mount and write the file system, through this access point only."""
    return Statement(
        Effect=Allow,
        Action=[efs_actions.ClientMount, efs_actions.ClientWrite],
        Resource=[GetAtt(file_system, "Arn")],
        Condition=Condition(StringEquals("elasticfilesystem:AccessPointArn", GetAtt(access_point, "Arn"))),
    )
