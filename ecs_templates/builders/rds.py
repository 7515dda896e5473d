"""Amazon RDS for MariaDB: encrypted, private, its master password kept by Secrets Manager."""
from __future__ import annotations

from typing import Any

from troposphere import GetAtt, Join, NoValue, Ref, Sub, Template, ec2, rds

from ecs_templates.builders.secrets import SecretSource
from ecs_templates.builders.suppressions import suppress, suppress_lint
from ecs_templates.builders.template import add_parameter
from ecs_templates.config.services import RdsSettings

DATABASE_GROUP = "Database"
ENGINE = "mariadb"
PORT = 3306

# checkov CKV_AWS_118: enhanced monitoring needs an IAM role for RDS (the Learner Lab cannot create one).
ENHANCED_MONITORING_REASON = (
    "Enhanced monitoring needs a monitoring IAM role, which the AWS Academy Learner Lab forbids creating, "
    "and costs extra; RDS still sends its standard CloudWatch metrics and the error log is exported.")
# cfn-lint E3691 checks EngineVersion against its list of full versions (X.Y.Z) only, while RDS takes
# a major version X.Y and picks its default minor version ("If you specify only a major version,
# Amazon RDS updates the DB instance to the default minor version"):
# https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBInstance.html
MAJOR_VERSION_REASON = (
    "EngineVersion is an RDS for MariaDB major version (X.Y): RDS picks the default minor version and keeps "
    "patching it with automatic minor version upgrades; cfn-lint lists only full X.Y.Z versions, which RDS "
    "deprecates in turn.")
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
        Description="Instance class of the MariaDB database (db.t4g.micro: 2 vCPU burstable, 1 GiB).")
    multi_az = add_parameter(
        template, "MultiAz", group=DATABASE_GROUP, label="Multi-AZ standby",
        Type="String", Default=str(settings.multi_az).lower(), AllowedValues=["false", "true"],
        Description="true: a synchronous standby in a second Availability Zone takes over on failure "
                    "(about twice the cost).")
    return Ref(instance_class), Ref(multi_az)


def add_database(template: Template, settings: RdsSettings, *, subnets: Any,
                 security_group: ec2.SecurityGroup, database_name: str, master_username: str,
                 port: int = PORT, deletion_protection: Any = "false",
                 secret_kms_key: Any = NoValue) -> rds.DBInstance:
    """A MariaDB instance reachable only inside the VPC, snapshotted when deleted or replaced."""
    instance_class, multi_az = add_database_parameters(template, settings)
    subnet_group = template.add_resource(rds.DBSubnetGroup(
        "DatabaseSubnetGroup",
        DBSubnetGroupDescription=Sub("Subnets of the database of ${AWS::StackName}"),
        SubnetIds=subnets,
    ))
    database = template.add_resource(rds.DBInstance(
        "Database",
        Engine=ENGINE,
        EngineVersion=settings.engine_version,
        DBInstanceClass=instance_class,
        MultiAZ=multi_az,
        DBName=database_name,
        MasterUsername=master_username,
        # RDS generates the password, keeps it in Secrets Manager and can rotate it.
        ManageMasterUserPassword=True,
        MasterUserSecret=rds.MasterUserSecret(KmsKeyId=secret_kms_key),
        AllocatedStorage=str(settings.allocated_storage_gib),
        MaxAllocatedStorage=settings.max_allocated_storage_gib,
        StorageType="gp3",
        StorageEncrypted=True,
        PubliclyAccessible=False,
        Port=str(port),
        DBSubnetGroupName=Ref(subnet_group),
        VPCSecurityGroups=[Ref(security_group)],
        BackupRetentionPeriod=settings.backup_retention_days,
        CopyTagsToSnapshot=True,
        AutoMinorVersionUpgrade=True,
        EnableIAMDatabaseAuthentication=True,
        EnableCloudwatchLogsExports=["error"],
        DeletionProtection=deletion_protection,
        DeletionPolicy="Snapshot",
        UpdateReplacePolicy="Snapshot",
    ))
    if settings.engine_version.count(".") == 1:
        suppress_lint(database, "E3691", MAJOR_VERSION_REASON)
    suppress(database, "CKV_AWS_118", ENHANCED_MONITORING_REASON)
    return suppress(database, "CKV_AWS_157", MULTI_AZ_REASON)


def master_password(database: rds.DBInstance) -> SecretSource:
    """The `password` key of the secret RDS manages, for a container's `secrets`."""
    arn = GetAtt(database, "MasterUserSecret.SecretArn")
    return SecretSource(arn=arn, value_from=Sub("${Arn}:password::", Arn=arn))


def endpoint(database: rds.DBInstance) -> Any:
    """host:port of the database, for outputs."""
    return Join(":", [GetAtt(database, "Endpoint.Address"), GetAtt(database, "Endpoint.Port")])
