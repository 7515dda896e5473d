"""Kept data comes back: delete a services stack, run the deploy command delete.sh printed,
and the new stack starts on the retained file system and from the database's final snapshot.

Against moto's server with the real AWS CLI (tests/emulator.py), with the default parameters.
"""
from __future__ import annotations

import shlex
import subprocess
from typing import Any

import pytest

from emulator import ROOT, SCRIPTS, VENV_BIN, Deployer
from test_deploy_scripts import template_of

pytestmark = [
    pytest.mark.emulator,
    pytest.mark.filterwarnings("ignore:Tried to parse .* not supported by moto:UserWarning"),
]


def restore_command(deleted: str, name: str) -> list[str]:
    """The deploy command delete.sh printed for stack `name`, as the shell reads it."""
    lines = deleted.splitlines()
    header = f"To create {name} again on the data it kept:"
    assert header in lines, deleted
    return shlex.split(lines[lines.index(header) + 1])


def of_type(deployer: Deployer, name: str, kind: str) -> dict[str, str]:
    return {logical: resource["PhysicalResourceId"] for logical, resource in deployer.resources(name).items()
            if resource["ResourceType"] == kind}


def file_systems(deployer: Deployer) -> list[str]:
    return sorted(system["FileSystemId"] for system in deployer.client("efs").describe_file_systems()["FileSystems"])


def outputs(deployer: Deployer, name: str) -> dict[str, str]:
    stack = deployer.stack(name)
    assert stack is not None
    return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}


def redeploy(deployer: Deployer, command: list[str], stack: str) -> None:
    """Runs the printed command: this checkout's deploy.sh, the stack, its options."""
    assert command[:2] == [str(SCRIPTS / "deploy.sh"), stack]
    deployer.ok("deploy.sh", *command[1:])


def parameters_in(command: list[str]) -> dict[str, str]:
    pairs = [command[index + 1] for index, word in enumerate(command) if word == "--param"]
    return dict(pair.split("=", 1) for pair in pairs)


def check_network_kept(deployer: Deployer, stated: dict[str, str], template: dict[str, Any]) -> None:
    for key, spec in template["Parameters"].items():
        if spec["Type"] in ("AWS::EC2::VPC::Id", "List<AWS::EC2::Subnet::Id>"):
            assert key in stated, f"{key}: the file system's mount targets must stay in its VPC"


def test_ecs_services_comes_back_on_its_retained_file_system(deployer: Deployer) -> None:
    stack, name = "ecs-services", "wordpress-ecs-services"
    template = template_of(stack)
    deployer.ok("deploy.sh", stack)
    kept = deployer.resources(name)["FileSystem"]["PhysicalResourceId"]
    first_points = of_type(deployer, name, "AWS::EFS::AccessPoint")
    assert first_points and file_systems(deployer) == [kept]
    vpc, subnets = deployer.default_network()

    deleted = deployer.ok("delete.sh", stack, "--yes")
    assert deployer.stack(name) is None
    assert file_systems(deployer) == [kept], "the file system is retained"
    command = restore_command(deleted.stdout, name)
    stated = parameters_in(command)
    assert stated["ExistingFileSystemId"] == kept
    assert (stated["VpcId"], sorted(stated["SubnetIds"].split(","))) == (vpc, subnets)
    check_network_kept(deployer, stated, template)
    assert "--region" in command and command[command.index("--region") + 1] == "us-east-1"

    redeploy(deployer, command, stack)
    assert deployer.parameters(name)["ExistingFileSystemId"] == kept
    assert file_systems(deployer) == [kept], "no new file system"
    assert "FileSystem" not in deployer.resources(name)
    assert outputs(deployer, name)["FileSystemId"] == kept
    points = of_type(deployer, name, "AWS::EFS::AccessPoint")
    assert sorted(points) == sorted(first_points)
    efs = deployer.client("efs")
    for logical, point in points.items():
        assert efs.describe_access_points(AccessPointId=point)["AccessPoints"][0]["FileSystemId"] == kept, logical
    for logical, target in of_type(deployer, name, "AWS::EFS::MountTarget").items():
        assert efs.describe_mount_targets(MountTargetId=target)["MountTargets"][0]["FileSystemId"] == kept, logical

    # Deleted again, by `ecs-templates delete`: it names the same file system (which the stack
    # did not create this time), in a command of the same tool.
    again = subprocess.run([str(VENV_BIN / "ecs-templates"), "delete", stack, "--yes"], cwd=ROOT, env=deployer.env(),
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stdout + again.stderr
    command = restore_command(again.stdout, name)
    assert command[:3] == ["ecs-templates", "deploy", stack]
    assert parameters_in(command)["ExistingFileSystemId"] == kept
    assert file_systems(deployer) == [kept]


def test_ecs_services_rds_comes_back_from_its_final_snapshot(deployer: Deployer) -> None:
    stack, name = "ecs-services-rds", "wordpress-ecs-services-rds"
    template = template_of(stack)
    deployer.ok("deploy.sh", stack)
    rds = deployer.client("rds")
    databases = of_type(deployer, name, "AWS::RDS::DBInstance")
    assert list(databases) == ["MariadbDatabase"]
    first = rds.describe_db_instances(DBInstanceIdentifier=databases["MariadbDatabase"])["DBInstances"][0]
    kept = deployer.resources(name)["FileSystem"]["PhysicalResourceId"]

    deleted = deployer.ok("delete.sh", stack, "--yes")
    snapshots = rds.describe_db_snapshots(DBInstanceIdentifier=first["DBInstanceIdentifier"])["DBSnapshots"]
    assert len(snapshots) == 1, "the final snapshot of DeletionPolicy Snapshot"
    snapshot = snapshots[0]["DBSnapshotIdentifier"]
    assert rds.describe_db_instances()["DBInstances"] == []
    command = restore_command(deleted.stdout, name)
    stated = parameters_in(command)
    assert stated["MariadbSnapshotIdentifier"] == snapshot
    assert stated["ExistingFileSystemId"] == kept
    check_network_kept(deployer, stated, template)
    assert snapshot in deleted.stdout.split("DeletionPolicy", 1)[1]  # listed among what was kept

    redeploy(deployer, command, stack)
    assert deployer.parameters(name)["MariadbSnapshotIdentifier"] == snapshot
    restored_id = deployer.resources(name)["MariadbDatabase"]["PhysicalResourceId"]
    restored = rds.describe_db_instances(DBInstanceIdentifier=restored_id)["DBInstances"][0]
    # From a snapshot the template leaves out the database name, master user and encryption
    # (the snapshot has them); the instance has those of the first one, and the snapshot's.
    properties = template["Resources"]["MariadbDatabase"]["Properties"]
    for key in ("DBName", "MasterUsername", "StorageEncrypted"):
        assert properties[key]["Fn::If"][1] == {"Ref": "AWS::NoValue"}, key
    assert (restored["DBName"], restored["MasterUsername"]) == (first["DBName"], first["MasterUsername"])
    assert restored["MasterUsername"] == snapshots[0]["MasterUsername"]
    assert restored["StorageEncrypted"] is snapshots[0]["Encrypted"] is True
    assert restored["Engine"] == snapshots[0]["Engine"] == first["Engine"]
    assert file_systems(deployer) == [kept]

    # Deleted again: the command names the newest final snapshot, of the restored instance.
    again = deployer.ok("delete.sh", stack, "--yes")
    newest = rds.describe_db_snapshots(DBInstanceIdentifier=restored_id)["DBSnapshots"]
    assert len(newest) == 1 and newest[0]["DBSnapshotIdentifier"] != snapshot
    assert parameters_in(restore_command(again.stdout, name))["MariadbSnapshotIdentifier"] == \
        newest[0]["DBSnapshotIdentifier"]


def test_stacks_without_kept_data_print_no_restore_command(deployer: Deployer) -> None:
    deployer.ok("deploy.sh", "ecs-fargate")
    deleted = deployer.ok("delete.sh", "ecs-fargate", "--yes")
    assert "again on the data it kept" not in deleted.stdout

