"""Stack ecs-ec2: everything SPEC 'ECS on EC2' asks, and none of the seed's defects."""
from __future__ import annotations

import json

import pytest

from ecs_templates.config import instance_types
from ecs_templates.stacks import ecs_ec2
from helpers import config_with, name_parameter, one_resource, resources_of_type


@pytest.fixture(scope="module")
def stack(default_templates):
    return default_templates["ecs-ec2"]


def containers(stack):
    task = one_resource(stack, "AWS::ECS::TaskDefinition")["Properties"]
    return {c["Name"]: c for c in task["ContainerDefinitions"]}


def test_task_definition_is_annex_2_fixed(stack):
    task = one_resource(stack, "AWS::ECS::TaskDefinition")["Properties"]
    assert name_parameter(stack, task["Family"]) == "wordpress-task"
    assert task["NetworkMode"] == "bridge"
    assert (task["Cpu"], task["Memory"]) == ("1024", "1024")
    assert task["RequiresCompatibilities"] == ["EC2"]
    assert task["RuntimePlatform"] == {"CpuArchitecture": "ARM64", "OperatingSystemFamily": "LINUX"}
    defs = containers(stack)
    assert defs["mariadb"]["PortMappings"] == [{"ContainerPort": 3306, "HostPort": 0, "Protocol": "tcp"}]
    assert defs["wordpress"]["PortMappings"] == [{"ContainerPort": 80, "HostPort": 80, "Protocol": "tcp"}]
    assert defs["wordpress"]["Links"] == ["mariadb:mariadb"]
    assert defs["wordpress"]["DependsOn"] == [{"Condition": "HEALTHY", "ContainerName": "mariadb"}]
    assert defs["mariadb"]["Essential"] is True and defs["wordpress"]["Essential"] is True
    env = {e["Name"]: e["Value"] for e in defs["wordpress"]["Environment"]}
    assert env["WORDPRESS_DB_HOST"] == "mariadb:3306"


def test_passwords_come_from_generated_secrets(stack):
    secrets = resources_of_type(stack, "AWS::SecretsManager::Secret")
    assert set(secrets) == {"DbPasswordSecret", "DbRootPasswordSecret"}
    defs = containers(stack)
    assert {s["Name"]: s["ValueFrom"] for s in defs["mariadb"]["Secrets"]} == {
        "MYSQL_PASSWORD": {"Ref": "DbPasswordSecret"}, "MYSQL_ROOT_PASSWORD": {"Ref": "DbRootPasswordSecret"}}
    for definition in defs.values():
        names = {e["Name"] for e in definition.get("Environment", [])}
        assert not {n for n in names if "PASSWORD" in n}, "a password in plain environment"


def test_logs_go_to_the_stack_log_group(stack):
    for definition in containers(stack).values():
        assert definition["LogConfiguration"]["Options"]["awslogs-group"] == {"Ref": "WordpressTaskLogGroup"}
    group = stack["Resources"]["WordpressTaskLogGroup"]["Properties"]
    assert group["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_only_port_80_is_public(stack):
    group = one_resource(stack, "AWS::EC2::SecurityGroup")["Properties"]
    assert [(r["FromPort"], r["ToPort"]) for r in group["SecurityGroupIngress"]] == [(80, 80)]
    assert "3306" not in json.dumps(group["SecurityGroupIngress"])


def test_cluster_capacity_and_service(stack):
    cluster = one_resource(stack, "AWS::ECS::Cluster")["Properties"]
    assert name_parameter(stack, cluster["ClusterName"]) == "wordpress-cluster"
    assert {"Name": "containerInsights", "Value": "enabled"} in cluster["ClusterSettings"]
    group = one_resource(stack, "AWS::AutoScaling::AutoScalingGroup")["Properties"]
    assert (group["MinSize"], group["DesiredCapacity"], group["MaxSize"]) == ("0", "1", "2")
    assert group["VPCZoneIdentifier"] == {"Ref": "SubnetIds"}
    provider = one_resource(stack, "AWS::ECS::CapacityProvider")["Properties"]["AutoScalingGroupProvider"]
    assert provider["ManagedScaling"]["Status"] == "ENABLED"
    service = one_resource(stack, "AWS::ECS::Service")
    props = service["Properties"]
    assert name_parameter(stack, props["ServiceName"]) == "wordpress-service"
    assert props["SchedulingStrategy"] == "REPLICA" and props["DesiredCount"] == 1
    assert props["DeploymentConfiguration"]["DeploymentCircuitBreaker"] == {"Enable": True, "Rollback": True}
    assert service["DependsOn"] == ["ClusterCapacityProviders"]


def test_parameters_are_typed_for_the_console(stack):
    params = stack["Parameters"]
    assert params["VpcId"]["Type"] == "AWS::EC2::VPC::Id"
    assert params["SubnetIds"]["Type"] == "List<AWS::EC2::Subnet::Id>"
    assert params["AmiId"]["Type"] == "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>"
    # Amazon Linux 2 reached end of life on 2026-06-30: the ECS-optimized AL2023 AMI, never AL2.
    assert params["AmiId"]["Default"] == "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id"
    assert "amazon-linux-2/" not in json.dumps(stack)
    assert params["InstanceType"]["Default"] == "t4g.medium"
    assert "t2.medium" not in params["InstanceType"]["AllowedValues"]
    assert params["KeyName"]["Default"] == ""
    labels = stack["Metadata"]["AWS::CloudFormation::Interface"]["ParameterLabels"]
    assert set(labels) == set(params), "every parameter has a console label"
    grouped = [p for g in stack["Metadata"]["AWS::CloudFormation::Interface"]["ParameterGroups"]
               for p in g["Parameters"]]
    assert sorted(grouped) == sorted(params), "every parameter is in exactly one console group"
    assert all(p.get("Description") for p in params.values())


def test_no_hard_coded_account_or_region(stack):
    text = json.dumps(stack)
    assert "491250998585" not in text
    resources = json.dumps(stack["Resources"])
    assert "us-east-1" not in text
    assert "arn:aws:" not in resources, "ARNs must use ${AWS::Partition}"


def test_learner_lab_mode_creates_no_iam(stack):
    """Every IAM resource is conditional on its Existing* parameter being empty."""
    iam = {name: r for name, r in stack["Resources"].items() if r["Type"].startswith("AWS::IAM::")}
    assert set(iam) == {"TaskExecutionRole", "TaskRole", "InstanceRole", "InstanceProfile"}
    for resource in iam.values():
        condition = stack["Conditions"][resource["Condition"]]
        parameter = condition["Fn::Equals"][0]["Ref"]
        assert parameter.startswith("Existing") and condition["Fn::Equals"][1] == ""
    uses = json.dumps(stack["Resources"]["TaskDefinition"]["Properties"]["ExecutionRoleArn"])
    assert "ExistingExecutionRoleArn" in uses
    assert "ExistingInstanceProfile" in json.dumps(stack["Resources"]["LaunchTemplate"])


def test_execution_role_is_scoped(stack):
    statements = stack["Resources"]["TaskExecutionRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    star = [s["Action"] for s in statements if s["Resource"] == ["*"]]
    assert star == [["ecr:GetAuthorizationToken"]]
    by_action = {a: s["Resource"] for s in statements for a in s["Action"]}
    assert by_action["secretsmanager:GetSecretValue"] == [{"Ref": "DbPasswordSecret"}, {"Ref": "DbRootPasswordSecret"}]
    assert by_action["logs:PutLogEvents"] == [{"Fn::GetAtt": ["WordpressTaskLogGroup", "Arn"]}]
    assert all("repository/" in r["Fn::Sub"] for r in by_action["ecr:BatchGetImage"])


def test_images_default_to_this_accounts_registry(stack):
    image = containers(stack)["wordpress"]["Image"]["Fn::If"]
    assert image[0] == "WordpressImageFromRegistry"
    assert image[1]["Fn::Sub"][0] == "${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/${RepositoryNamePrefix}wordpress:${Tag}"
    assert image[2] == {"Ref": "WordpressImage"}
    # The lab's mariadb:11.0.2 has been out of support since June 2024: the 11.4 long-term line.
    assert stack["Metadata"]["EcsTemplates"]["SourceImages"] == {"mariadb": "mariadb:11.4",
                                                                 "wordpress": "wordpress:latest"}


def test_x86_build_offers_only_x86_types():
    config = config_with({"ec2": {"capacity": {"architecture": "x86_64", "instance_type": "t3.medium"}}})
    data = ecs_ec2.build(config).to_dict()
    assert "t4g.medium" not in data["Parameters"]["InstanceType"]["AllowedValues"]
    assert data["Parameters"]["AmiId"]["Default"] == \
        "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"
    assert data["Resources"]["TaskDefinition"]["Properties"]["RuntimePlatform"]["CpuArchitecture"] == "X86_64"


def test_instance_types_offered_are_those_that_hold_the_task(stack):
    """t4g.micro's 1 GiB registers less than the task's 1024 MiB with ECS: never placed, so never offered."""
    offered = stack["Parameters"]["InstanceType"]["AllowedValues"]
    assert "t4g.micro" not in offered and {"t4g.small", "t4g.medium", "m7g.large"} <= set(offered)
    assert offered == [name for name in instance_types.instance_types("arm64")
                       if instance_types.INSTANCE_TYPES[name].memory_mib * 0.9 >= 1024]
    task = stack["Resources"]["TaskDefinition"]["Properties"]
    assert (task["Cpu"], task["Memory"]) == ("1024", "1024")


def test_a_larger_task_narrows_the_instance_types():
    config = config_with({"ec2": {"task_cpu": 4096, "task_memory": 7680,
                                  "capacity": {"instance_type": "m7g.xlarge"}}})
    offered = ecs_ec2.build(config).to_dict()["Parameters"]["InstanceType"]["AllowedValues"]
    assert "t4g.large" not in offered      # 8 GiB but 2 vCPUs: too few for 4096 units
    assert "c7g.xlarge" not in offered     # 4 vCPUs but 8 GiB: 7680 MiB is over 90 % of it
    assert {"t4g.xlarge", "m7g.xlarge", "r7g.xlarge"} <= set(offered)
    assert all(instance_types.INSTANCE_TYPES[name].vcpus >= 4 for name in offered)


def test_launch_template_suits_the_al2023_ecs_ami(stack):
    """Root device /dev/xvda (so the 30 GiB encrypted gp3 volume is the root), user data joins the cluster."""
    data = stack["Resources"]["LaunchTemplate"]["Properties"]["LaunchTemplateData"]
    assert [device["DeviceName"] for device in data["BlockDeviceMappings"]] == ["/dev/xvda"]
    user_data = data["UserData"]["Fn::Base64"]["Fn::Sub"][0]
    assert "/etc/ecs/ecs.config" in user_data and "ECS_CLUSTER=${Cluster}" in user_data


def test_an_update_keeps_the_task_on_its_instance(stack):
    """Fixed host port 80, data on the instance: the old task stops first, no second copy, no second instance."""
    deployment = stack["Resources"]["Service"]["Properties"]["DeploymentConfiguration"]
    assert (deployment["MaximumPercent"], deployment["MinimumHealthyPercent"]) == (100, 0)
    assert deployment["DeploymentCircuitBreaker"] == {"Enable": True, "Rollback": True}


def test_mariadb_data_outlives_a_task_restart_on_the_instance(stack):
    """Defect 7 on EC2: /var/lib/mysql is a shared-scope Docker volume of the instance, not the container's layer."""
    task = stack["Resources"]["TaskDefinition"]["Properties"]
    assert task["Volumes"] == [{"Name": "mariadb-data", "DockerVolumeConfiguration": {
        "Scope": "shared", "Autoprovision": True, "Driver": "local"}}]
    assert containers(stack)["mariadb"]["MountPoints"] == [
        {"ContainerPath": "/var/lib/mysql", "ReadOnly": False, "SourceVolume": "mariadb-data"}]
    assert "MountPoints" not in containers(stack)["wordpress"]


def test_fargate_keeps_the_same_volume_as_task_storage(default_templates):
    """Fargate has no Docker volumes: the same mount is task storage there (docs/stacks.md says what that loses)."""
    task = default_templates["ecs-fargate"]["Resources"]["TaskDefinition"]["Properties"]
    assert task["Volumes"] == [{"Name": "mariadb-data"}]


@pytest.mark.parametrize("name", ["ecs-ec2", "ecs-fargate"])
def test_names_come_from_parameters_so_two_copies_can_coexist(default_templates, name):
    """A second copy (another stack name or prefix) gives its own names; the defaults are the lab's."""
    template = default_templates[name]
    suffix = "" if name == "ecs-ec2" else "-fargate"
    resources = template["Resources"]
    assert name_parameter(template, resources["Cluster"]["Properties"]["ClusterName"]) == f"wordpress{suffix}-cluster"
    assert name_parameter(template, resources["Service"]["Properties"]["ServiceName"]) == f"wordpress{suffix}-service"
    assert name_parameter(template, resources["TaskDefinition"]["Properties"]["Family"]) == f"wordpress{suffix}-task"
    literal = {key: value for resource in resources.values()
               for key, value in resource.get("Properties", {}).items()
               if key in ("ClusterName", "ServiceName", "Family") and isinstance(value, str)}
    assert literal == {}
