"""Amazon EFS: an encrypted file system that outlives the stack, reached through access points.

Each named volume gets an access point. For a directory the image table knows (a web root,
a database's data) it enforces that image's POSIX user and creates its root directory with
that owner, so the official images work unchanged; for any other volume it creates a root-
owned directory and enforces no user, and the task role may act as root there, so that an
entrypoint started as root can chown it. Tasks mount with TLS and their IAM role; the file
system policy refuses any client that does neither.

A file system kept from an earlier stack (Retain) can be given back through the parameter
ExistingFileSystemId: the stack then creates none and puts its access points on that one.
"""
from __future__ import annotations

import json
from typing import Any, Sequence

from awacs import elasticfilesystem as efs_actions
from awacs.aws import Allow, Bool, Condition, Deny, Everybody, PolicyDocument, Principal, Statement, StringEquals
from troposphere import Equals, GetAtt, If, Ref, Sub, Tags, Template, ecs, efs

from ecs_templates.builders.template import add_condition, add_parameter
from ecs_templates.config.images import DataPath
from ecs_templates.naming import logical_id

STORAGE_GROUP = "Data kept from an earlier deployment (optional)"
CREATE_FILE_SYSTEM = "CreateFileSystem"


def add_existing_file_system_parameter(template: Template) -> Ref:
    parameter = add_parameter(
        template, "ExistingFileSystemId", group=STORAGE_GROUP, label="Existing EFS file system ID (optional)",
        Type="String", Default="", AllowedPattern=r"^$|^fs-[0-9a-f]{8,40}$",
        ConstraintDescription="empty, or an EFS file system ID such as fs-0123456789abcdef0",
        Description="The file system a deleted copy of this stack kept (delete.sh prints its ID): the volumes "
                    "find their data again. Empty: create a new, empty file system.")
    add_condition(template, CREATE_FILE_SYSTEM, Equals(Ref(parameter), ""))
    return Ref(parameter)


def file_system_id(template: Template) -> Any:
    """The ID of the file system in use: the one created here, or the existing one."""
    return If(CREATE_FILE_SYSTEM, Ref("FileSystem"), Ref(template.parameters["ExistingFileSystemId"]))


def file_system_arn(template: Template) -> Any:
    return If(CREATE_FILE_SYSTEM, GetAtt("FileSystem", "Arn"), Sub(
        "arn:${AWS::Partition}:elasticfilesystem:${AWS::Region}:${AWS::AccountId}:file-system/${Id}",
        Id=Ref(template.parameters["ExistingFileSystemId"])))


def add_file_system(template: Template, *, name: str) -> efs.FileSystem:
    """Encrypted at rest, backed up daily by AWS Backup, kept when the stack is deleted or replaced.

    Created only when no ExistingFileSystemId is given.
    """
    add_existing_file_system_parameter(template)
    return template.add_resource(efs.FileSystem(
        "FileSystem",
        Condition=CREATE_FILE_SYSTEM,
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


def add_mount_targets(template: Template, *, file_system: Any, subnets: Sequence[Any],
                      security_group: Any) -> list[efs.MountTarget]:
    """One mount target per subnet (tasks mount the one in their Availability Zone); `file_system` an ID."""
    return [template.add_resource(efs.MountTarget(
        f"MountTarget{index + 1}",
        FileSystemId=file_system,
        SubnetId=subnet,
        SecurityGroups=[Ref(security_group)],
    )) for index, subnet in enumerate(subnets)]


def add_access_point(template: Template, ownership: DataPath, *, file_system: Any, name: str,
                     enforce_user: bool = True) -> efs.AccessPoint:
    """Directory /<name> of the file system (`file_system`: its ID), created with `ownership`.

    `enforce_user`: every client is seen as that user; off (images the table does not know),
    clients keep their own identity.
    """
    owner = dict(OwnerUid=str(ownership.uid), OwnerGid=str(ownership.gid), Permissions=ownership.permissions)
    return template.add_resource(efs.AccessPoint(
        logical_id(name, "access", "point"),
        FileSystemId=file_system,
        **({"PosixUser": efs.PosixUser(Uid=str(ownership.uid), Gid=str(ownership.gid))} if enforce_user else {}),
        RootDirectory=efs.RootDirectory(Path=f"/{name}", CreationInfo=efs.CreationInfo(**owner)),
        AccessPointTags=Tags(Name=Sub(f"${{AWS::StackName}}-{name}")),
    ))


def efs_volume(name: str, *, file_system: Any, access_point: efs.AccessPoint) -> ecs.Volume:
    """A task volume on the access point, mounted with TLS and the task role's identity."""
    return ecs.Volume(
        Name=name,
        EFSVolumeConfiguration=ecs.EFSVolumeConfiguration(
            FilesystemId=file_system,
            TransitEncryption="ENABLED",
            AuthorizationConfig=ecs.AuthorizationConfig(AccessPointId=Ref(access_point), IAM="ENABLED"),
        ),
    )


def mount_statement(*, file_system_arn: Any, access_point: efs.AccessPoint, root: bool = False) -> Statement:
    """The task role's right to mount and write the file system, through this access point only.

    `root`: also act as root there (ClientRootAccess), for volumes whose owner an entrypoint sets.
    """
    actions = [efs_actions.ClientMount, efs_actions.ClientWrite] + ([efs_actions.ClientRootAccess] if root else [])
    return Statement(
        Effect=Allow,
        Action=actions,
        Resource=[file_system_arn],
        Condition=Condition(StringEquals("elasticfilesystem:AccessPointArn", GetAtt(access_point, "Arn"))),
    )
