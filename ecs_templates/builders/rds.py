"""Amazon RDS (MariaDB, MySQL, PostgreSQL): encrypted, private, its master password kept by Secrets Manager.

A snapshot that a deleted copy of the stack left (DeletionPolicy Snapshot) can be given back
through the parameter <Service>SnapshotIdentifier: the instance is then restored from it.
"""
from __future__ import annotations

from typing import Any

from troposphere import Equals, GetAtt, If, Join, NoValue, Not, Ref, Sub, Template, ec2, rds

from ecs_templates.builders.secrets import SecretSource
from ecs_templates.builders.suppressions import suppress, suppress_lint
from ecs_templates.builders.template import add_condition, add_parameter
from ecs_templates.config.rds_replacement import Replacement
from ecs_templates.config.services import RdsSettings
from ecs_templates.naming import logical_id

DATABASE_GROUP = "Database"
SNAPSHOT_GROUP = "Data kept from an earlier deployment (optional)"

# checkov CKV_AWS_118: enhanced monitoring needs an IAM role for RDS (the Learner Lab cannot create one).
ENHANCED_MONITORING_REASON = (
    "Enhanced monitoring needs a monitoring IAM role, which the AWS Academy Learner Lab forbids creating, "
    "and costs extra; RDS still sends its standard CloudWatch metrics and the error log is exported.")
# cfn-lint E3691 checks EngineVersion against its list of full versions (X.Y.Z) only, while RDS takes
# a major version (X.Y, or X for PostgreSQL) and picks its default minor version ("If you specify only a major version,
# Amazon RDS updates the DB instance to the default minor version"):
# https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBInstance.html
MAJOR_VERSION_REASON = (
    "EngineVersion is an RDS major version (X.Y, or X for PostgreSQL): RDS picks the default minor version and keeps "
    "patching it with automatic minor version upgrades; cfn-lint lists only full X.Y.Z versions, which RDS "
    "deprecates in turn.")
# checkov CKV_AWS_16 reads StorageEncrypted, which is true unless the instance is restored from a snapshot:
# RestoreDBInstanceFromDBSnapshot takes no encryption setting, the instance has the snapshot's.
RESTORED_ENCRYPTION_REASON = (
    "StorageEncrypted is true whenever the database is created empty; restored from a snapshot (the "
    "<Service>SnapshotIdentifier parameter), the instance takes the snapshot's encryption, and this stack's "
    "databases and their final snapshots are always encrypted.")
# checkov CKV_AWS_157 wants Multi-AZ; here it is the MultiAz parameter (off by default: twice the cost).
MULTI_AZ_REASON = (
    "Multi-AZ is the MultiAz parameter, chosen per environment: off by default because it doubles the "
    "database cost of a lab, on for production. Daily backups and a final snapshot keep the data either way.")


def add_database_parameters(template: Template, settings: RdsSettings) -> tuple[Ref, Ref]:
    """Instance class and Multi-AZ: choices a deployer makes per environment."""
    instance_class = add_parameter(
        template, "DatabaseInstanceClass", group=DATABASE_GROUP, label="RDS instance class",
        Type="String", Default=settings.instance_class, AllowedPattern=r"^db\.[a-z0-9]+\.[a-z0-9]+$",
        ConstraintDescription="an RDS instance class such as db.t4g.micro",
        Description="Instance class of the databases (db.t4g.micro: 2 vCPU burstable, 1 GiB).")
    multi_az = add_parameter(
        template, "MultiAz", group=DATABASE_GROUP, label="Multi-AZ standby",
        Type="String", Default=str(settings.multi_az).lower(), AllowedValues=["false", "true"],
        Description="true: a synchronous standby in a second Availability Zone takes over on failure "
                    "(about twice the cost).")
    return Ref(instance_class), Ref(multi_az)


def add_snapshot_parameter(template: Template, service: str) -> str:
    """`<Service>SnapshotIdentifier` and the condition that one was given."""
    name = logical_id(service, "snapshot", "identifier")
    parameter = add_parameter(
        template, name, group=SNAPSHOT_GROUP, label=f"{service}: RDS snapshot to restore (optional)",
        Type="String", Default="", AllowedPattern=r"^$|^[A-Za-z][A-Za-z0-9:-]{0,254}$",
        ConstraintDescription="empty, or a DB snapshot identifier or ARN",
        Description=f"The final snapshot a deleted copy of this stack left of {service}'s database (delete.sh "
                    "prints it): the database starts from that data. Empty: a new, empty database.")
    return add_condition(template, logical_id(service, "from", "snapshot"), Not(Equals(Ref(parameter), "")))


def add_database(template: Template, settings: RdsSettings, replacement: Replacement, *, subnets: Any,
                 security_group: ec2.SecurityGroup, deletion_protection: Any = "false",
                 secret_kms_key: Any = NoValue) -> rds.DBInstance:
    """A database instance reachable only inside the VPC, snapshotted when deleted or replaced.

    When restored from a snapshot, the database name, master user and encryption come from it:
    "If you specify the DBSnapshotIdentifier property ... don't specify [DBName, MasterUsername,
    StorageEncrypted]": https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbinstance.html
    """
    instance_class, multi_az = add_database_parameters(template, settings)
    name = replacement.service.name
    restore = add_snapshot_parameter(template, name)
    snapshot = Ref(template.parameters[logical_id(name, "snapshot", "identifier")])
    subnet_group = template.add_resource(rds.DBSubnetGroup(
        "DatabaseSubnetGroup",
        DBSubnetGroupDescription=Sub("Subnets of the databases of ${AWS::StackName}"),
        SubnetIds=subnets,
    )) if "DatabaseSubnetGroup" not in template.resources else template.resources["DatabaseSubnetGroup"]
    database = template.add_resource(rds.DBInstance(
        logical_id(name, "database"),
        Engine=replacement.engine.rds_engine,
        EngineVersion=replacement.engine_version,
        DBInstanceClass=instance_class,
        MultiAZ=multi_az,
        DBSnapshotIdentifier=If(restore, snapshot, NoValue),
        DBName=If(restore, NoValue, replacement.database_name),
        MasterUsername=If(restore, NoValue, replacement.engine.master_username),
        # RDS generates the password, keeps it in Secrets Manager and can rotate it.
        ManageMasterUserPassword=True,
        MasterUserSecret=rds.MasterUserSecret(KmsKeyId=secret_kms_key),
        AllocatedStorage=str(settings.allocated_storage_gib),
        MaxAllocatedStorage=settings.max_allocated_storage_gib,
        StorageType="gp3",
        StorageEncrypted=If(restore, NoValue, True),
        PubliclyAccessible=False,
        Port=str(replacement.port),
        DBSubnetGroupName=Ref(subnet_group),
        VPCSecurityGroups=[Ref(security_group)],
        BackupRetentionPeriod=settings.backup_retention_days,
        CopyTagsToSnapshot=True,
        AutoMinorVersionUpgrade=True,
        EnableIAMDatabaseAuthentication=True,
        EnableCloudwatchLogsExports=[replacement.engine.log_export],
        DeletionProtection=deletion_protection,
        DeletionPolicy="Snapshot",
        UpdateReplacePolicy="Snapshot",
    ))
    if replacement.engine_version.count(".") <= 1:
        # E3691 (unknown version) for MariaDB/MySQL X.Y, W3691 (deprecated) for PostgreSQL X: the same list.
        suppress_lint(database, "E3691", MAJOR_VERSION_REASON)
        suppress_lint(database, "W3691", MAJOR_VERSION_REASON)
    suppress(database, "CKV_AWS_118", ENHANCED_MONITORING_REASON)
    suppress(database, "CKV_AWS_16", RESTORED_ENCRYPTION_REASON)
    return suppress(database, "CKV_AWS_157", MULTI_AZ_REASON)


def master_password(database: rds.DBInstance) -> SecretSource:
    """The `password` key of the secret RDS manages, for a container's `secrets`."""
    arn = GetAtt(database, "MasterUserSecret.SecretArn")
    return SecretSource(arn=arn, value_from=Sub("${Arn}:password::", Arn=arn), json_key="password")


def endpoint(database: rds.DBInstance) -> Any:
    """host:port of the database, for outputs."""
    return Join(":", [GetAtt(database, "Endpoint.Address"), GetAtt(database, "Endpoint.Port")])
