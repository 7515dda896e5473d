"""The resource shapes of the N-service stacks (tests/services_shapes.py), deployed with
scripts/deploy.sh and the real AWS CLI against the emulator, and read back through the APIs.

What a real AWS account would show is what is asserted: the Cloud Map namespace, each
service's Service Connect configuration in its deployment (DescribeServices,
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Deployment.html), the NLB and its
TCP / UDP listeners, the ALB's rule conditions, the ingress rules, the file system and
access point that an existing file system id leaves to it, the database restored from a
snapshot; then a re-deploy that changes nothing, an update, and a delete that keeps the
retained resources.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ecs_templates.artifacts import newest_version_directory
from ecs_templates.validation import Validator
from emulator import ROOT, Deployer
from services_shapes import ADMIN_PORT, GAME_TCP, GAME_UDP, WEB_PORT, shapes_template

pytestmark = [pytest.mark.emulator]
STACK, NAME = "shapes", "wordpress-shapes"


@pytest.fixture(scope="module")
def template(validator: Validator) -> dict[str, Any]:
    built = shapes_template()
    assert validator.lint_text(json.dumps(built), "shapes.json") == []
    return built


def deploy_env(deployer: Deployer, tmp_path: Path, template: dict[str, Any]) -> dict[str, str]:
    """deploy.sh reading the shapes template as a stack of the newest template version."""
    newest = newest_version_directory(ROOT / "templates")
    assert newest is not None
    version = tmp_path / "templates" / newest.name
    version.mkdir(parents=True)
    (version / f"{STACK}.json").write_text(json.dumps(template))
    return deployer.env(ECS_TEMPLATES_DIR=str(tmp_path / "templates"))


def physical(deployer: Deployer, logical: str) -> str:
    return deployer.resources(NAME)[logical]["PhysicalResourceId"]


def services(deployer: Deployer) -> dict[str, dict[str, Any]]:
    answer = deployer.client("ecs").describe_services(cluster="shapes", services=["web", "game"])
    return {service["serviceName"]: service for service in answer["services"]}


def check_service_connect(deployer: Deployer, namespace_name: str) -> None:
    """Both services connect in the namespace; only web offers an endpoint, under its discovery name."""
    discovery = deployer.client("servicediscovery")
    namespace = next(item for item in discovery.list_namespaces()["Namespaces"] if item["Name"] == namespace_name)
    assert namespace["Type"] == "HTTP" and namespace["Id"] == physical(deployer, "Namespace")
    cluster = deployer.client("ecs").describe_clusters(clusters=["shapes"])["clusters"][0]
    assert cluster["serviceConnectDefaults"]["namespace"] == namespace["Arn"]
    found = services(deployer)
    web, game = (found[name]["deployments"][0]["serviceConnectConfiguration"] for name in ("web", "game"))
    assert web["enabled"] is game["enabled"] is True
    assert web["namespace"] == game["namespace"] == namespace["Arn"]
    assert web["services"] == [{"portName": f"web-{WEB_PORT}", "discoveryName": f"web-{WEB_PORT}",
                                "clientAliases": [{"port": WEB_PORT, "dnsName": "web"}]}]
    assert web["logConfiguration"]["logDriver"] == "awslogs"
    assert "services" not in game  # client-only
    assert [item["Name"] for item in discovery.list_services()["Services"]] == [f"web-{WEB_PORT}"]
    ports = {(mapping["name"], mapping["protocol"], mapping.get("appProtocol"))
             for service in found.values()
             for container in deployer.client("ecs").describe_task_definition(
                 taskDefinition=service["taskDefinition"])["taskDefinition"]["containerDefinitions"]
             for mapping in container["portMappings"]}
    assert ports == {(f"web-{WEB_PORT}", "tcp", "http"), (f"game-{GAME_TCP}", "tcp", None),
                     (f"game-{GAME_UDP}", "udp", None)}


def check_load_balancers(deployer: Deployer) -> None:
    elbv2 = deployer.client("elbv2")
    alb, nlb = (elbv2.describe_load_balancers(LoadBalancerArns=[physical(deployer, name)])["LoadBalancers"][0]
                for name in ("LoadBalancer", "NetworkLoadBalancer"))
    assert (alb["Type"], nlb["Type"]) == ("application", "network")
    assert nlb["SecurityGroups"] == [physical(deployer, "NetworkBalancerGroup")]

    def listeners(balancer: dict[str, Any]) -> dict[int, dict[str, Any]]:
        return {item["Port"]: item for item in
                elbv2.describe_listeners(LoadBalancerArn=balancer["LoadBalancerArn"])["Listeners"]}

    assert {port: item["Protocol"] for port, item in listeners(alb).items()} == {WEB_PORT: "HTTP", ADMIN_PORT: "HTTP"}
    network = listeners(nlb)
    assert {port: item["Protocol"] for port, item in network.items()} == {GAME_TCP: "TCP", GAME_UDP: "UDP"}
    for port, logical in ((GAME_TCP, "GameTcpTargetGroup"), (GAME_UDP, "GameUdpTargetGroup")):
        group = elbv2.describe_target_groups(TargetGroupArns=[physical(deployer, logical)])["TargetGroups"][0]
        assert (group["Protocol"], group["TargetType"], group["LoadBalancerArns"]) == \
            (network[port]["Protocol"], "ip", [nlb["LoadBalancerArn"]])
        assert network[port]["DefaultActions"][0]["TargetGroupArn"] == group["TargetGroupArn"]
    rules = elbv2.describe_rules(ListenerArn=listeners(alb)[WEB_PORT]["ListenerArn"])["Rules"]
    rule = next(rule for rule in rules if not rule["IsDefault"])
    assert rule["Priority"] == "10"
    assert {condition["Field"]: condition.get("HostHeaderConfig", condition.get("PathPatternConfig"))["Values"]
            for condition in rule["Conditions"]} == {"host-header": ["admin.example.com"], "path-pattern": ["/admin/*"]}
    assert rule["Actions"][0]["TargetGroupArn"] == physical(deployer, "AdminTargetGroup")
    web = services(deployer)["web"]
    assert sorted(item["targetGroupArn"] for item in web["loadBalancers"]) == sorted(
        physical(deployer, name) for name in ("WebTargetGroup", "AdminTargetGroup"))


def check_ingress(deployer: Deployer) -> None:
    """The UDP rules from the NLB's and web's groups, and NFS from each service's group."""
    ec2 = deployer.client("ec2")

    def rules(logical: str) -> set[tuple[str, int, str]]:
        group = ec2.describe_security_groups(GroupIds=[physical(deployer, logical)])["SecurityGroups"][0]
        return {(rule["IpProtocol"], rule["FromPort"], pair["GroupId"])
                for rule in group["IpPermissions"] for pair in rule["UserIdGroupPairs"]}

    network, web, game = (physical(deployer, name) for name in ("NetworkBalancerGroup", "WebGroup", "GameGroup"))
    assert rules("GameGroup") == {("tcp", GAME_TCP, network), ("udp", GAME_UDP, network), ("udp", GAME_UDP, web)}
    assert rules("FileSystemGroup") == {("tcp", 2049, web), ("tcp", 2049, game)}


def check_storage(deployer: Deployer, file_system: str) -> None:
    """The access point, both mount targets and both task volumes are on `file_system`."""
    efs, ecs = deployer.client("efs"), deployer.client("ecs")
    point = efs.describe_access_points(AccessPointId=physical(deployer, "DataAccessPoint"))["AccessPoints"][0]
    assert point["FileSystemId"] == file_system
    targets = efs.describe_mount_targets(FileSystemId=file_system)["MountTargets"]
    assert sorted(target["MountTargetId"] for target in targets) == sorted(
        physical(deployer, f"MountTarget{index}") for index in (0, 1))
    for service in services(deployer).values():
        volume = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]["volumes"][0]
        assert volume["efsVolumeConfiguration"]["fileSystemId"] == file_system
        assert volume["efsVolumeConfiguration"]["authorizationConfig"]["accessPointId"] == point["AccessPointId"]


def lifecycle(deployer: Deployer, env: dict[str, str], *params: str) -> dict[str, str]:
    """Create, re-deploy unchanged, update ImageTag; the physical ids before the update."""
    args = [arg for param in params for arg in ("--param", param)]
    created = deployer.ok("deploy.sh", STACK, *args, env=env)
    assert f"Stack {NAME}: CREATE_COMPLETE" in created.stdout
    before = {logical: resource["PhysicalResourceId"] for logical, resource in deployer.resources(NAME).items()}
    again = deployer.ok("deploy.sh", STACK, *args, env=env)
    assert f"No changes: stack {NAME} is up to date" in again.stdout
    assert deployer.pending_change_sets() == []
    assert {logical: resource["PhysicalResourceId"] for logical, resource in deployer.resources(NAME).items()} == before
    return before


def update_image(deployer: Deployer, env: dict[str, str], before: dict[str, str], *params: str) -> None:
    """A new image tag: new task definition revisions, which the services run; nothing else replaced."""
    args = [arg for param in params for arg in ("--param", param)]
    updated = deployer.ok("deploy.sh", STACK, *args, "--param", "ImageTag=1.28", env=env)
    assert f"Stack {NAME}: UPDATE_COMPLETE" in updated.stdout
    after = {logical: resource["PhysicalResourceId"] for logical, resource in deployer.resources(NAME).items()}
    assert {logical for logical in before if after[logical] != before[logical]} == {"Web", "Game"}
    ecs = deployer.client("ecs")
    for name, service in services(deployer).items():
        assert service["taskDefinition"] == after[name.title()]
        image = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"][
            "containerDefinitions"][0]["image"]
        assert image.endswith(":1.28")


def test_shapes_create_redeploy_update_delete(deployer: Deployer, tmp_path: Path, template: dict[str, Any]) -> None:
    env = deployer.env() | deploy_env(deployer, tmp_path, template)
    before = lifecycle(deployer, env)
    check_service_connect(deployer, "shapes")
    check_load_balancers(deployer)
    check_ingress(deployer)
    file_system = physical(deployer, "FileSystem")
    check_storage(deployer, file_system)
    rds = deployer.client("rds")
    database = rds.describe_db_instances(DBInstanceIdentifier=physical(deployer, "Database"))["DBInstances"][0]
    assert (database["DBName"], database["MasterUsername"]) == ("shapes", "admin")
    update_image(deployer, env, before)
    check_service_connect(deployer, "shapes")
    check_load_balancers(deployer)

    balancers = [physical(deployer, name) for name in ("LoadBalancer", "NetworkLoadBalancer")]
    groups = [physical(deployer, name) for name in ("WebTargetGroup", "GameUdpTargetGroup")]
    log_group, database_id = physical(deployer, "LogGroup"), physical(deployer, "Database")
    deployer.ok("delete.sh", STACK, "--yes", env=env)
    assert deployer.stack(NAME) is None
    assert all(service["status"] == "INACTIVE" for service in services(deployer).values())
    discovery, elbv2 = deployer.client("servicediscovery"), deployer.client("elbv2")
    assert discovery.list_namespaces()["Namespaces"] == [] and discovery.list_services()["Services"] == []
    arns = {item["LoadBalancerArn"] for item in elbv2.describe_load_balancers()["LoadBalancers"]}
    assert arns.isdisjoint(balancers)
    assert {item["TargetGroupArn"] for item in elbv2.describe_target_groups()["TargetGroups"]}.isdisjoint(groups)
    # retained: the file system (with no mount target left) and the log group; the database's final snapshot
    efs = deployer.client("efs")
    assert efs.describe_file_systems(FileSystemId=file_system)["FileSystems"][0]["FileSystemId"] == file_system
    assert efs.describe_mount_targets(FileSystemId=file_system)["MountTargets"] == []
    assert efs.describe_access_points(FileSystemId=file_system)["AccessPoints"] == []
    assert deployer.client("logs").describe_log_groups(logGroupNamePrefix=log_group)["logGroups"]
    assert rds.describe_db_snapshots(DBInstanceIdentifier=database_id)["DBSnapshots"]


def test_shapes_on_an_existing_file_system_and_a_snapshot(deployer: Deployer, tmp_path: Path,
                                                          template: dict[str, Any]) -> None:
    env = deployer.env() | deploy_env(deployer, tmp_path, template)
    efs, rds = deployer.client("efs"), deployer.client("rds")
    existing = efs.create_file_system(CreationToken="kept", Encrypted=True)["FileSystemId"]
    rds.create_db_instance(DBInstanceIdentifier="old", Engine="mysql", DBInstanceClass="db.t4g.micro",
                           AllocatedStorage=20, DBName="olddata", MasterUsername="root", MasterUserPassword="x" * 16)
    rds.create_db_snapshot(DBInstanceIdentifier="old", DBSnapshotIdentifier="old-snapshot")
    unknown = deployer.run("deploy.sh", STACK, "--param", "ExistingFileSystemId=fs-0123456789abcdef0", env=env)
    assert unknown.returncode == 1 and "FileSystemNotFound" in unknown.stderr, unknown.stdout + unknown.stderr
    assert deployer.live_stacks() == []
    params = (f"ExistingFileSystemId={existing}", "DatabaseSnapshotIdentifier=old-snapshot")
    before = lifecycle(deployer, env, *params)
    assert "FileSystem" not in before
    assert [system["FileSystemId"] for system in efs.describe_file_systems()["FileSystems"]] == [existing]
    check_storage(deployer, existing)
    database = rds.describe_db_instances(DBInstanceIdentifier=before["Database"])["DBInstances"][0]
    assert (database["DBName"], database["MasterUsername"]) == ("olddata", "root")  # the snapshot's
    update_image(deployer, env, before, *params)
    check_storage(deployer, existing)

    deployer.ok("delete.sh", STACK, "--yes", env=env)
    assert deployer.stack(NAME) is None
    assert [system["FileSystemId"] for system in efs.describe_file_systems()["FileSystems"]] == [existing]
    assert efs.describe_mount_targets(FileSystemId=existing)["MountTargets"] == []
    assert efs.describe_access_points(FileSystemId=existing)["AccessPoints"] == []
