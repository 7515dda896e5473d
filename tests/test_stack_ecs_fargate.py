"""Stack ecs-fargate: the seed's section 3.4 without its failure (SPEC 'Fargate', defects 1, 2, 5, 6)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from troposphere import Ref, Template

from ecs_templates.builders.task_definition import add_task_definition
from ecs_templates.config import fargate_sizes
from ecs_templates.config.model import FargateDeployment
from ecs_templates.errors import ConfigError
from ecs_templates.stacks import ecs_fargate
from helpers import assert_build_refuses, config_with, name_parameter, one_resource, resources_of_type


@pytest.fixture(scope="module")
def stack(default_templates):
    return default_templates["ecs-fargate"]


def containers(stack):
    task = one_resource(stack, "AWS::ECS::TaskDefinition")["Properties"]
    return {c["Name"]: c for c in task["ContainerDefinitions"]}


def environment(definition):
    return {e["Name"]: e["Value"] for e in definition.get("Environment", [])}


def test_task_definition_is_fargate_arm64_awsvpc(stack):
    task = one_resource(stack, "AWS::ECS::TaskDefinition")["Properties"]
    assert name_parameter(stack, task["Family"]) == "wordpress-fargate-task"
    assert task["NetworkMode"] == "awsvpc"
    assert task["RequiresCompatibilities"] == ["FARGATE"]
    assert (task["Cpu"], task["Memory"]) == ("512", "1024")
    assert task["RuntimePlatform"] == {"CpuArchitecture": "ARM64", "OperatingSystemFamily": "LINUX"}


def test_wordpress_reaches_mariadb_on_loopback_never_localhost(stack):
    """Defect 1: annex 3's localhost:3306 sends PHP's MySQL client to a Unix socket in another container."""
    defs = containers(stack)
    assert environment(defs["wordpress"])["WORDPRESS_DB_HOST"] == "127.0.0.1:3306"
    assert "localhost" not in json.dumps(stack).lower()
    assert all("Links" not in definition for definition in defs.values()), "links are bridge-only"


def test_port_mappings_keep_the_container_port(stack):
    defs = containers(stack)
    assert defs["mariadb"]["PortMappings"] == [{"ContainerPort": 3306, "HostPort": 3306, "Protocol": "tcp"}]
    assert defs["wordpress"]["PortMappings"] == [{"ContainerPort": 80, "HostPort": 80, "Protocol": "tcp"}]


def test_wordpress_starts_after_mariadb_is_healthy(stack):
    """Defect 2: START does not wait for the server; annex 3 also made MariaDB non-essential."""
    defs = containers(stack)
    assert defs["wordpress"]["DependsOn"] == [{"Condition": "HEALTHY", "ContainerName": "mariadb"}]
    assert defs["mariadb"]["Essential"] is True and defs["wordpress"]["Essential"] is True
    health = defs["mariadb"]["HealthCheck"]
    assert health["Command"][0] == "CMD-SHELL" and "127.0.0.1" in health["Command"][1]
    assert "password" not in health["Command"][1].lower() and " -p" not in health["Command"][1]
    # A first start initialises the database with a temporary server before the real one listens.
    assert health["StartPeriod"] >= 60
    assert health["StartPeriod"] + health["Interval"] * health["Retries"] >= 90


def test_passwords_come_from_generated_secrets(stack):
    defs = containers(stack)
    assert {s["Name"] for s in defs["mariadb"]["Secrets"]} == {"MYSQL_PASSWORD", "MYSQL_ROOT_PASSWORD"}
    assert defs["wordpress"]["Secrets"] == [{"Name": "WORDPRESS_DB_PASSWORD",
                                             "ValueFrom": {"Ref": "DbPasswordSecret"}}]
    for definition in defs.values():
        assert not [n for n in environment(definition) if "PASSWORD" in n], "a password in plain environment"


def test_only_port_80_is_open(stack):
    group = one_resource(stack, "AWS::EC2::SecurityGroup")["Properties"]
    assert [(r["FromPort"], r["ToPort"], r["CidrIp"]) for r in group["SecurityGroupIngress"]] == \
        [(80, 80, {"Ref": "AllowedCidr"})]
    assert "3306" not in json.dumps(group)


def test_cluster_offers_fargate_and_fargate_spot(stack):
    cluster = one_resource(stack, "AWS::ECS::Cluster")["Properties"]
    assert name_parameter(stack, cluster["ClusterName"]) == "wordpress-fargate-cluster"
    associations = one_resource(stack, "AWS::ECS::ClusterCapacityProviderAssociations")["Properties"]
    assert associations["CapacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert associations["Cluster"] == {"Ref": "Cluster"}
    assert not resources_of_type(stack, "AWS::AutoScaling::AutoScalingGroup")


def test_service_runs_one_task_with_its_own_public_ip(stack):
    service = one_resource(stack, "AWS::ECS::Service")
    props = service["Properties"]
    assert name_parameter(stack, props["ServiceName"]) == "wordpress-fargate-service"
    assert props["SchedulingStrategy"] == "REPLICA" and props["DesiredCount"] == 1
    assert props["CapacityProviderStrategy"] == [{"Base": 0, "CapacityProvider": "FARGATE", "Weight": 1}]
    assert props.get("LaunchType", {"Ref": "AWS::NoValue"}) == {"Ref": "AWS::NoValue"}, \
        "a capacity provider strategy excludes a launch type"
    assert props["NetworkConfiguration"] == {"AwsvpcConfiguration": {
        "AssignPublicIp": {"Ref": "AssignPublicIp"}, "SecurityGroups": [{"Ref": "TaskSecurityGroup"}],
        "Subnets": {"Ref": "SubnetIds"}}}
    assert props["DeploymentConfiguration"]["DeploymentCircuitBreaker"] == {"Enable": True, "Rollback": True}
    assert service["DependsOn"] == ["ClusterCapacityProviders"]
    assign = stack["Parameters"]["AssignPublicIp"]
    assert assign["Default"] == "ENABLED" and assign["AllowedValues"] == ["ENABLED", "DISABLED"]


def test_spot_weight_adds_fargate_spot_to_the_strategy():
    data = ecs_fargate.build(config_with({"fargate": {"spot_weight": 3, "architecture": "x86_64"}})).to_dict()
    task = data["Resources"]["TaskDefinition"]["Properties"]
    assert task["RuntimePlatform"]["CpuArchitecture"] == "X86_64"
    assert data["Resources"]["Service"]["Properties"]["CapacityProviderStrategy"] == [
        {"Base": 0, "CapacityProvider": "FARGATE", "Weight": 1},
        {"CapacityProvider": "FARGATE_SPOT", "Weight": 3}]


def test_parameters_are_typed_and_labelled_for_the_console(stack):
    params = stack["Parameters"]
    assert params["VpcId"]["Type"] == "AWS::EC2::VPC::Id"
    assert params["SubnetIds"]["Type"] == "List<AWS::EC2::Subnet::Id>"
    interface = stack["Metadata"]["AWS::CloudFormation::Interface"]
    assert set(interface["ParameterLabels"]) == set(params)
    assert sorted(p for g in interface["ParameterGroups"] for p in g["Parameters"]) == sorted(params)
    assert all(p.get("Description") for p in params.values())
    assert not {"InstanceType", "AmiId", "KeyName", "ExistingInstanceProfile"} & set(params)


def test_learner_lab_mode_creates_no_iam(stack):
    """Fargate has no instance profile: two roles, each skipped when its Existing* parameter is set."""
    iam = {name: r for name, r in stack["Resources"].items() if r["Type"].startswith("AWS::IAM::")}
    assert set(iam) == {"TaskExecutionRole", "TaskRole"}
    for resource in iam.values():
        condition = stack["Conditions"][resource["Condition"]]["Fn::Equals"]
        assert condition[0]["Ref"].startswith("Existing") and condition[1] == ""
    task = stack["Resources"]["TaskDefinition"]["Properties"]
    assert "ExistingExecutionRoleArn" in json.dumps(task["ExecutionRoleArn"])
    assert "ExistingTaskRoleArn" in json.dumps(task["TaskRoleArn"])


def test_shares_secrets_images_and_iam_with_the_ec2_stack(stack, default_templates):
    ec2 = default_templates["ecs-ec2"]
    for resource_type in ("AWS::SecretsManager::Secret", "AWS::IAM::Role"):
        ours = resources_of_type(stack, resource_type)
        assert ours and all(ours[name] == ec2["Resources"][name] for name in ours
                            if name != "TaskExecutionRole"), resource_type
    ours, theirs = (s["Resources"]["TaskExecutionRole"]["Properties"]["Policies"][0]["PolicyDocument"]
                    ["Statement"] for s in (stack, ec2))
    assert [s["Action"] for s in ours] == [s["Action"] for s in theirs]
    for name in ("ImageTag", "MariadbImage", "WordpressImage", "LogRetentionDays", "AllowedCidr"):
        assert stack["Parameters"][name] == ec2["Parameters"][name], name


def test_outputs_say_how_to_reach_the_task(stack, default_templates):
    outputs = stack["Outputs"]
    assert set(default_templates["ecs-ec2"]["Outputs"]) | {"PublicIpCommand"} == set(outputs)
    hint = outputs["SiteUrlHint"]["Value"]["Fn::Sub"][0]
    assert hint.startswith("http://<public IP of the task>") and "scripts/url.sh" in hint
    command = outputs["PublicIpCommand"]["Value"]["Fn::Sub"][0]
    for step in ("aws ecs list-tasks", "aws ecs describe-tasks", "networkInterfaceId",
                 "aws ec2 describe-network-interfaces", "Association.PublicIp"):
        assert step in command


def test_a_users_own_containers_get_the_same_wiring():
    config = config_with({"application": {"extends": "none", "name": "api", "containers": {
        "api": {"image": "api:1", "ports": [{"container": 8080, "public": True}],
                "uses": [{"container": "cache", "port": 6379, "env": "REDIS_URL",
                          "format": "redis://{host}:{port}/0"}],
                "depends_on": {"cache": "HEALTHY"}},
        "cache": {"image": "redis:7", "ports": [6379],
                  "health_check": {"command": ["CMD", "redis-cli", "ping"]}}}}})
    data = ecs_fargate.build(config).to_dict()
    defs = {c["Name"]: c for c in data["Resources"]["TaskDefinition"]["Properties"]["ContainerDefinitions"]}
    assert environment(defs["api"]) == {"REDIS_URL": "redis://127.0.0.1:6379/0"}
    assert defs["api"]["PortMappings"] == [{"ContainerPort": 8080, "HostPort": 8080, "Protocol": "tcp"}]
    ingress = data["Resources"]["TaskSecurityGroup"]["Properties"]["SecurityGroupIngress"]
    assert [r["FromPort"] for r in ingress] == [8080]
    assert name_parameter(data, data["Resources"]["Cluster"]["Properties"]["ClusterName"]) == "api-fargate-cluster"
    assert data["Outputs"]["SiteUrlHint"]["Value"]["Fn::Sub"][0].startswith("http://<public IP of the task>:8080")


def test_x86_64_architecture():
    data = ecs_fargate.build(config_with({"fargate": {"architecture": "x86_64"}})).to_dict()
    assert data["Resources"]["TaskDefinition"]["Properties"]["RuntimePlatform"]["CpuArchitecture"] == "X86_64"


# --- task size: the Fargate table --------------------------------------------------------------

@pytest.mark.parametrize("cpu, memory", [
    (256, 512), (256, 2048), (512, 1024), (512, 4096), (1024, 2048), (1024, 8192), (2048, 4096),
    (2048, 16384), (4096, 8192), (4096, 9216), (4096, 30720), (8192, 16384), (8192, 61440),
    (16384, 32768), (16384, 122880),
])
def test_valid_fargate_sizes_build(cpu, memory):
    config = config_with({"fargate": {"task_cpu": cpu, "task_memory": memory}})
    task = ecs_fargate.build(config).to_dict()["Resources"]["TaskDefinition"]["Properties"]
    assert (task["Cpu"], task["Memory"]) == (str(cpu), str(memory))


@pytest.mark.parametrize("cpu, memory, field, fragment", [
    (256, 1536, "fargate.task_memory", "for 256 CPU units (MiB): 512, 1024, 2048;"),
    (256, 4096, "fargate.task_memory", "for 256 CPU units (MiB): 512, 1024, 2048;"),
    (512, 512, "fargate.task_memory", "for 512 CPU units (MiB): 1024, 2048, 3072, 4096;"),
    (1024, 1024, "fargate.task_memory", "2048, 3072, 4096, 5120, 6144, 7168, 8192"),
    (2048, 2048, "fargate.task_memory", "4096 to 16384 in steps of 1024"),
    (4096, 4096, "fargate.task_memory", "8192 to 30720 in steps of 1024"),
    (8192, 18432, "fargate.task_memory", "16384 to 61440 in steps of 4096"),
    (16384, 36864, "fargate.task_memory", "32768 to 122880 in steps of 8192"),
    (300, 1024, "fargate.task_cpu", "256, 512, 1024, 2048, 4096, 8192, 16384"),
    (0, 1024, "fargate.task_cpu", "is not a Fargate CPU size"),
])
def test_invalid_fargate_sizes_name_the_valid_values(cpu, memory, field, fragment):
    with pytest.raises(ConfigError) as raised:
        config_with({"fargate": {"task_cpu": cpu, "task_memory": memory}})
    assert raised.value.field == field
    assert fragment in raised.value.message


def test_size_table_is_the_published_one():
    assert fargate_sizes.CPU_VALUES == (256, 512, 1024, 2048, 4096, 8192, 16384)
    assert fargate_sizes.VALID_MEMORY_MIB[256] == (512, 1024, 2048)
    assert len(fargate_sizes.VALID_MEMORY_MIB[4096]) == 23  # 8 to 30 GB
    assert len(fargate_sizes.VALID_MEMORY_MIB[16384]) == 12  # 32 to 120 GB


def test_fargate_config_defaults_and_names(default_config):
    assert default_config.fargate == FargateDeployment(
        cluster_name="wordpress-fargate-cluster", task_family="wordpress-fargate-task",
        service_name="wordpress-fargate-service", task_cpu=512, task_memory=1024, desired_count=1,
        architecture="arm64", spot_weight=0)
    blog = config_with({"application": {"name": "blog"}}).fargate
    assert (blog.cluster_name, blog.task_family, blog.service_name) == \
        ("blog-fargate-cluster", "blog-fargate-task", "blog-fargate-service")


@pytest.mark.parametrize("overrides, field, fragment", [
    ({"fargate": {"architecture": "sparc"}}, "fargate.architecture", "arm64, x86_64"),
    ({"fargate": {"spot_weight": -1}}, "fargate.spot_weight", "below the minimum 0"),
    # Fargate Spot runs X86_64 Linux tasks only: the default arm64 task cannot have a Spot share.
    ({"fargate": {"spot_weight": 1}}, "fargate.spot_weight",
     "Fargate Spot runs only x86_64 Linux tasks, not arm64; set fargate.architecture: x86_64 to use Spot, "
     "or spot_weight: 0"),
    ({"fargate": {"clusterName": "x"}}, "fargate.clusterName", "did you mean 'cluster_name'?"),
    ({"fargate": {"service_name": "Bad_Name"}}, "fargate.service_name", "not a valid name"),
    ({"fargate": {"task_cpu": "half"}}, "fargate.task_cpu", "expected an integer"),
])
def test_bad_fargate_config_names_the_field(overrides, field, fragment):
    with pytest.raises(ConfigError) as raised:
        config_with(overrides)
    assert raised.value.field == field
    assert fragment in raised.value.message


# --- bad input: builder level -------------------------------------------------------------------

def _task(config, **kwargs):
    template = Template()
    app = config.application
    return add_task_definition(
        template, app, family="f", network_mode="awsvpc", compatibility="FARGATE", cpu=512, memory=1024,
        architecture="arm64", images={c.name: c.image for c in app.containers},
        secrets={s.name: Ref(s.name) for s in app.secrets}, log_group=Ref("Logs"),
        execution_role_arn="x", task_role_arn="y", **kwargs)


def test_awsvpc_wiring_to_a_container_outside_the_task_is_refused(default_config):
    wordpress = default_config.application.container("wordpress")
    with pytest.raises(ConfigError, match=r"wordpress uses mariadb, which is not in this task "
                                          r"\(containers: wordpress\); add it or remove the `uses` entry") as raised:
        _task(default_config, containers=[wordpress])
    assert raised.value.field == "application.containers.wordpress.uses.mariadb"


def test_two_containers_on_one_port_are_refused_under_awsvpc():
    config = config_with({"application": {"containers": {"mariadb": {"ports": [3306, 80]}}}})
    with pytest.raises(ConfigError, match=r"wordpress: port 80 is also a port of mariadb; .*another port"):
        _task(config)


# --- bad input: through the command line, nothing written ---------------------------------------

@pytest.mark.parametrize("config_text, fragment", [
    # awsvpc wiring to a container that is not in the task
    ("application:\n  containers:\n    wordpress:\n      uses:\n"
     "        - {container: db, port: 3306, env: WORDPRESS_DB_HOST}\n",
     "application.containers.wordpress.uses.db: no container named 'db' in the task (containers: "
     "mariadb, wordpress); define db under application.containers or remove it from wordpress's uses"),
    # Spot with the default arm64 task: refused with the two ways out
    ("fargate:\n  spot_weight: 2\n",
     "fargate.spot_weight: Fargate Spot runs only x86_64 Linux tasks, not arm64; set fargate.architecture: "
     "x86_64 to use Spot, or spot_weight: 0"),
    # an invalid Fargate size
    ("fargate:\n  task_cpu: 512\n  task_memory: 512\n",
     "fargate.task_memory: 512 MiB does not go with task_cpu 512 on Fargate; valid memory values for "
     "512 CPU units (MiB): 1024, 2048, 3072, 4096"),
    # a host port that differs from the container port under awsvpc
    ("application:\n  containers:\n    wordpress:\n      ports:\n"
     "        - {container: 80, host: 8080, public: true}\n",
     "application.containers.wordpress.ports[0].host: wordpress: host port 8080 differs from container "
     "port 80, which awsvpc cannot do"),
    # the seed's own mistake, written by hand instead of through `uses`
    ("application:\n  containers:\n    wordpress:\n      uses: null\n      environment:\n"
     "        WORDPRESS_DB_HOST: localhost:3306\n",
     "application.containers.wordpress.environment.WORDPRESS_DB_HOST: 'localhost:3306' reaches mariadb "
     "through `localhost`"),
])
def test_bad_fargate_input_is_a_clean_error_and_nothing_is_written(tmp_path: Path, config_text, fragment):
    assert_build_refuses(tmp_path, config_text, fragment)


@pytest.mark.parametrize("overrides", [
    {"fargate": {"spot_weight": 2, "architecture": "x86_64"}},
    {"fargate": {"task_cpu": 16384, "task_memory": 122880, "desired_count": 3}},
])
def test_variants_are_cfn_lint_clean(overrides, validator):
    text = ecs_fargate.build(config_with(overrides)).to_json()
    findings = validator.lint_text(text, "ecs-fargate.json")
    assert findings == [], "\n".join(map(str, findings))


def test_localhost_to_a_containers_own_port_is_allowed():
    config = config_with({"application": {"containers": {"wordpress": {
        "environment": {"SELF_CHECK_URL": "http://localhost:80/wp-login.php"}}}}})
    assert config.application.container("wordpress").environment_map["SELF_CHECK_URL"].startswith("http://localhost")
