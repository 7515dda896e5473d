"""Where the data lives: AWS::RDS::DBInstance and EFS, corrected over moto's own models.

moto's CloudFormation model drops ManageMasterUserPassword (and with it the managed secret
and `GetAtt MasterUserSecret.SecretArn`,
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbinstance.html#aws-resource-rds-dbinstance-return-values),
VPCSecurityGroups (it reads only VpcSecurityGroupIds, which is not a CloudFormation
property), DeletionProtection, EnableIAMDatabaseAuthentication, MaxAllocatedStorage,
EnableCloudwatchLogsExports and DBSnapshotIdentifier, and gives encrypted storage without a
KmsKeyId no key (AWS takes the account's aws/rds key), so its snapshots were not encrypted.
The corrected model creates the instance with moto's own code, restores it from the snapshot
when one is named, and sets the rest.

moto's EFS access point was created on any file system id; EFS answers FileSystemNotFound
(https://docs.aws.amazon.com/efs/latest/ug/API_CreateAccessPoint.html), and so does the
corrected model: an `ExistingFileSystemId` that names no file system fails the deploy.

moto's EFS access point and RDS subnet group have no physical id: a Ref gave the model
object (and the stack listed no physical id). (The
GetAtt attributes moto's EFS models lack are in tests/emulator_models.py.)
"""
from __future__ import annotations

from typing import Any

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.efs import models as efs_models
from moto.efs.exceptions import FileSystemNotFound
from moto.rds import models as rds_models

_moto_create = rds_models.DBInstance.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]
_moto_get_attribute = rds_models.DBInstance.get_cfn_attribute
_moto_has_attribute = rds_models.DBInstance.has_cfn_attr.__func__  # type: ignore[attr-defined]
SECRET_ATTRIBUTES = {"MasterUserSecret.SecretArn"}


def create_database(cls: type, resource_name: str, cloudformation_json: Any, account_id: str,
                    region_name: str, **kwargs: Any) -> rds_models.DBInstance:
    properties = cloudformation_json["Properties"]
    properties.setdefault("VpcSecurityGroupIds", properties.get("VPCSecurityGroups", []))
    for number in ("AllocatedStorage", "Port"):  # CloudFormation takes these as text or number
        if number in properties:
            properties[number] = int(properties[number])
    backend = rds_models.rds_backends[account_id][region_name]
    snapshot = properties.get("DBSnapshotIdentifier")
    if snapshot:
        database = backend.restore_db_instance_from_db_snapshot(snapshot, {
            "db_instance_identifier": resource_name.replace("_", "-"),
            "db_instance_class": properties.get("DBInstanceClass"),
            "db_subnet_group_name": properties.get("DBSubnetGroupName"),
            "vpc_security_group_ids": properties["VpcSecurityGroupIds"],
            "multi_az": properties.get("MultiAZ"),
            "port": properties.get("Port"),
            "publicly_accessible": properties.get("PubliclyAccessible"),
        })
    else:
        subnet_group = properties.get("DBSubnetGroupName")
        if isinstance(subnet_group, str):  # moto's model expects the group object a Ref used to give
            properties["DBSubnetGroupName"] = backend.describe_db_subnet_groups(subnet_group)[0]
        database = _moto_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
    if database.storage_encrypted and not database.kms_key_id:
        # "If you don't specify a value for the KmsKeyId parameter, then Amazon RDS uses your default
        # KMS key" (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html);
        # moto took none, and its snapshots of the instance then said they were not encrypted.
        database.kms_key_id = f"arn:aws:kms:{region_name}:{account_id}:alias/aws/rds"
    database.deletion_protection = str(properties.get("DeletionProtection", False)).lower() == "true"
    database.enable_iam_database_authentication = bool(properties.get("EnableIAMDatabaseAuthentication"))
    database.enabled_cloudwatch_logs_exports = properties.get("EnableCloudwatchLogsExports", [])
    if properties.get("MaxAllocatedStorage"):
        database.max_allocated_storage = int(properties["MaxAllocatedStorage"])
    if str(properties.get("ManageMasterUserPassword", False)).lower() == "true":
        kms_key = properties.get("MasterUserSecret", {}).get("KmsKeyId")
        database.manage_master_user_password = True
        database.master_user_password = None
        database.master_user_secret = rds_models.MasterUserSecret(database, kms_key)
    return database


_moto_create_access_point = efs_models.AccessPoint.create_from_cloudformation_json.__func__  # type: ignore


def create_access_point(cls: type, resource_name: str, cloudformation_json: Any, account_id: str,
                        region_name: str, **kwargs: Any) -> efs_models.AccessPoint:
    file_system = cloudformation_json["Properties"]["FileSystemId"]
    if file_system not in efs_models.efs_backends[account_id][region_name].file_systems_by_id:
        raise FileSystemNotFound(file_system)
    return _moto_create_access_point(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)


def get_attribute(self: rds_models.DBInstance, attribute_name: str) -> Any:
    if attribute_name == "MasterUserSecret.SecretArn":
        if not getattr(self, "manage_master_user_password", False):
            raise UnformattedGetAttTemplateException()
        return self.master_user_secret.secret_arn
    return _moto_get_attribute(self, attribute_name)


def has_attribute(cls: type, attr: str) -> bool:
    return attr in SECRET_ATTRIBUTES or _moto_has_attribute(cls, attr)


def install() -> None:
    efs_models.AccessPoint.create_from_cloudformation_json = classmethod(create_access_point)  # type: ignore
    efs_models.AccessPoint.physical_resource_id = property(lambda self: self.access_point_id)  # type: ignore
    rds_models.DBSubnetGroup.physical_resource_id = property(lambda self: self.name)  # type: ignore
    rds_models.DBInstance.create_from_cloudformation_json = classmethod(create_database)  # type: ignore[assignment]
    rds_models.DBInstance.get_cfn_attribute = get_attribute  # type: ignore[method-assign]
    rds_models.DBInstance.has_cfn_attr = classmethod(has_attribute)  # type: ignore[assignment]
