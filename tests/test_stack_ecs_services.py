"""Stacks ecs-services and ecs-services-rds of the default application: WordPress and MariaDB as two services.

A reader should be able to trace internet -> ALB:80 -> WordPress tasks (scaled) -> MariaDB (one task,
found by name through Service Connect) or RDS, with every byte of state on EFS or RDS.
"""
from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from ecs_templates.errors import ConfigError
from ecs_templates.stacks import build_all
from helpers import config_with, name_parameter, one_resource, resources_of_type
from services_helpers import (
    containers,
    ecs_services,
    environment,
    ingress_graph,
    role_statements,
    secrets,
    service_connect_aliases,
)

STACKS = ("ecs-services", "ecs-services-rds")
CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"


@pytest.fixture(scope="module", params=STACKS)
def stack(default_templates, request) -> dict[str, Any]:
    return default_templates[request.param]


def test_both_stacks_are_built_by_default(default_templates):
    assert set(STACKS) <= set(default_templates)


def test_security_group_graph_of_the_two_services(default_templates):
    """internet -> load balancer -> wordpress -> mariadb; NFS only from the services that mount a volume."""
    assert ingress_graph(default_templates["ecs-services"]) == {
        ("LoadBalancerSecurityGroup", 80, "tcp", "cidr:AllowedCidr"),
        ("LoadBalancerSecurityGroup", 443, "tcp", "cidr:AllowedCidr"),  # LoadBalancerHttpsIngress, conditional
        ("WordpressSecurityGroup", 80, "tcp", "LoadBalancerSecurityGroup"),
        ("MariadbSecurityGroup", 3306, "tcp", "WordpressSecurityGroup"),
        ("FileSystemSecurityGroup", 2049, "tcp", "WordpressSecurityGroup"),
        ("FileSystemSecurityGroup", 2049, "tcp", "MariadbSecurityGroup"),
    }
    # The HTTPS ingress exists only with a certificate.
    https = default_templates["ecs-services"]["Resources"]["LoadBalancerHttpsIngress"]
    assert https["Condition"] == "HasCertificate" and https["Properties"]["FromPort"] == 443


def test_security_group_graph_with_rds(default_templates):
    assert ingress_graph(default_templates["ecs-services-rds"]) == {
        ("LoadBalancerSecurityGroup", 80, "tcp", "cidr:AllowedCidr"),
        ("LoadBalancerSecurityGroup", 443, "tcp", "cidr:AllowedCidr"),  # LoadBalancerHttpsIngress, conditional
        ("WordpressSecurityGroup", 80, "tcp", "LoadBalancerSecurityGroup"),
        ("MariadbDatabaseSecurityGroup", 3306, "tcp", "WordpressSecurityGroup"),
        ("FileSystemSecurityGroup", 2049, "tcp", "WordpressSecurityGroup"),
    }


def test_each_service_is_an_ecs_service_found_by_name(default_templates):
    template = default_templates["ecs-services"]
    assert set(ecs_services(template)) == {"wordpress", "mariadb"}
    # `mariadb:3306` in WordPress's environment resolves through Service Connect, unchanged.
    assert service_connect_aliases(template) == {("wordpress", "wordpress", 80), ("mariadb", "mariadb", 3306)}
    web = containers(template, "WordpressTaskDefinition")["wordpress"]
    assert environment(web)["WORDPRESS_DB_HOST"] == "mariadb:3306"
    namespace = one_resource(template, "AWS::ServiceDiscovery::HttpNamespace")
    assert name_parameter(template, namespace["Properties"]["Name"]) == "wordpress.internal"
    cluster = template["Resources"]["Cluster"]["Properties"]
    assert cluster["ServiceConnectDefaults"] == {"Namespace": {"Fn::GetAtt": ["ServiceConnectNamespace", "Arn"]}}
    for service in ecs_services(template).values():
        connect = service["ServiceConnectConfiguration"]
        assert connect["Enabled"] is True and connect["Namespace"] == cluster["ServiceConnectDefaults"]["Namespace"]
        assert connect["LogConfiguration"]["LogDriver"] == "awslogs"
    mapping = containers(template, "MariadbTaskDefinition")["mariadb"]["PortMappings"]
    assert mapping == [{"ContainerPort": 3306, "HostPort": 3306, "Name": "mariadb-3306", "Protocol": "tcp"}]
    assert web["PortMappings"][0]["AppProtocol"] == "http"


def test_the_database_keeps_one_task_and_never_two_writers(default_templates):
    service = ecs_services(default_templates["ecs-services"])["mariadb"]
    assert service["DesiredCount"] == 1
    deployment = service["DeploymentConfiguration"]
    assert (deployment["MinimumHealthyPercent"], deployment["MaximumPercent"]) == (0, 100)
    assert deployment["DeploymentCircuitBreaker"] == {"Enable": True, "Rollback": True}
    assert "MariadbScalableTarget" not in default_templates["ecs-services"]["Resources"]
    assert "MariadbMinTasks" not in default_templates["ecs-services"]["Parameters"]


def test_wordpress_scales_behind_the_load_balancer_and_starts_after_the_database(stack):
    service = ecs_services(stack)["wordpress"]
    deployment = service["DeploymentConfiguration"]
    assert (deployment["MinimumHealthyPercent"], deployment["MaximumPercent"]) == (100, 200)
    assert service["LoadBalancers"] == [{"ContainerName": "wordpress", "ContainerPort": 80,
                                         "TargetGroupArn": {"Ref": "Wordpress80TargetGroup"}}]
    assert service["HealthCheckGracePeriodSeconds"] == 300
    depends = stack["Resources"]["WordpressService"]["DependsOn"]
    assert "HttpListener" in depends and "MountTarget1" in depends
    assert ("MariadbService" in depends) == ("MariadbService" in stack["Resources"])
    target = stack["Resources"]["WordpressScalableTarget"]["Properties"]
    assert (target["MinCapacity"], target["MaxCapacity"]) == ({"Ref": "WordpressMinTasks"}, {"Ref": "WordpressMaxTasks"})
    policies = {name: p["Properties"]["TargetTrackingScalingPolicyConfiguration"]
                for name, p in resources_of_type(stack, "AWS::ApplicationAutoScaling::ScalingPolicy").items()}
    assert policies["WordpressCpuScalingPolicy"]["TargetValue"] == 60.0
    label = policies["WordpressRequestsScalingPolicy"]["PredefinedMetricSpecification"]["ResourceLabel"]
    assert label["Fn::Join"][1][1] == {"Fn::GetAtt": ["Wordpress80TargetGroup", "TargetGroupFullName"]}


def test_load_balancer_listens_on_80_and_on_443_with_a_certificate(stack):
    resources = stack["Resources"]
    http = resources["HttpListener"]["Properties"]
    assert http["Port"] == 80 and http["DefaultActions"][0]["TargetGroupArn"] == {"Ref": "Wordpress80TargetGroup"}
    https = resources["HttpsListener"]
    assert https["Condition"] == "HasCertificate" and https["Properties"]["Port"] == 443
    assert resources["HttpToHttpsRule"]["Properties"]["Actions"][0]["RedirectConfig"]["Protocol"] == "HTTPS"
    group = resources["Wordpress80TargetGroup"]["Properties"]
    assert (group["TargetType"], group["Protocol"], group["HealthCheckPath"]) == ("ip", "HTTP", "/")


def test_volumes_on_one_encrypted_kept_file_system_with_the_images_owners(stack):
    resources = stack["Resources"]
    file_system = resources["FileSystem"]
    assert (file_system["DeletionPolicy"], file_system["UpdateReplacePolicy"]) == ("Retain", "Retain")
    assert file_system["Properties"]["Encrypted"] is True and file_system["Condition"] == "CreateFileSystem"
    points = {name: p["Properties"] for name, p in resources_of_type(stack, "AWS::EFS::AccessPoint").items()}
    expected = {"WordpressVarWwwHtmlAccessPoint": ("33", "/wordpress-var-www-html")}
    if "MariadbService" in resources:
        expected["MariadbDataAccessPoint"] = ("999", "/mariadb-data")
    assert {name: (p["PosixUser"]["Uid"], p["RootDirectory"]["Path"]) for name, p in points.items()} == expected
    file_system_id = {"Fn::If": ["CreateFileSystem", {"Ref": "FileSystem"}, {"Ref": "ExistingFileSystemId"}]}
    assert all(p["FileSystemId"] == file_system_id for p in points.values())


def test_task_roles_mount_only_their_own_access_points(stack):
    for service in ecs_services(stack):
        prefix = service.title()
        statements = role_statements(stack, f"{prefix}TaskRole")
        points = [s["Condition"]["StringEquals"]["elasticfilesystem:AccessPointArn"] for s in statements]
        mounted = {volume["EFSVolumeConfiguration"]["AuthorizationConfig"]["AccessPointId"]["Ref"]
                   for volume in stack["Resources"][f"{prefix}TaskDefinition"]["Properties"].get("Volumes", [])}
        assert sorted(point["Fn::GetAtt"][0] for point in points) == sorted(mounted)
        assert all("elasticfilesystem:ClientRootAccess" not in s["Action"] for s in statements)


def test_each_execution_role_reads_only_its_own_services_secrets(stack):
    for service in ecs_services(stack):
        prefix = service.title()
        used = {json.dumps(value, sort_keys=True) for container in containers(stack, f"{prefix}TaskDefinition").values()
                for value in secrets(container).values()}
        read = [s for s in role_statements(stack, f"{prefix}TaskExecutionRole")
                if s["Action"] == ["secretsmanager:GetSecretValue"]]
        granted = {json.dumps(arn, sort_keys=True) for statement in read for arn in statement["Resource"]}
        # Granted ARNs are the secrets themselves (or the RDS-managed secret's ARN, read by key).
        assert len(granted) == len(used), service


def test_wordpress_keys_and_salts_come_from_generated_secrets(stack):
    web = containers(stack, "WordpressTaskDefinition")["wordpress"]
    keys = {name: value for name, value in secrets(web).items() if name.endswith(("_KEY", "_SALT"))}
    assert len(keys) == 8
    for name, value in keys.items():
        # The generated secret, or the one a deleted copy kept (Existing<Name>Arn): data was written with it.
        condition, generated, existing = value["Fn::If"]
        assert existing == {"Ref": f"Existing{generated['Ref']}Arn"} and condition == f"Create{generated['Ref']}"
        secret = stack["Resources"][generated["Ref"]]
        assert secret["Condition"] == condition
        assert secret["Type"] == "AWS::SecretsManager::Secret" and secret["DeletionPolicy"] == "Retain"
        assert secret["Properties"]["GenerateSecretString"]["PasswordLength"] == 64
    # ... and never on the database's task.
    if "MariadbTaskDefinition" in stack["Resources"]:
        assert not any(n.endswith("_SALT") for n in secrets(containers(stack, "MariadbTaskDefinition")["mariadb"]))


def test_rds_replaces_the_database_service(default_templates):
    template = default_templates["ecs-services-rds"]
    assert set(ecs_services(template)) == {"wordpress"}
    database = template["Resources"]["MariadbDatabase"]
    assert (database["DeletionPolicy"], database["UpdateReplacePolicy"]) == ("Snapshot", "Snapshot")
    props = database["Properties"]
    restore = "MariadbFromSnapshot"
    assert (props["Engine"], props["EngineVersion"]) == ("mariadb", "11.4")
    assert props["DBSnapshotIdentifier"] == {"Fn::If": [restore, {"Ref": "MariadbSnapshotIdentifier"},
                                                        {"Ref": "AWS::NoValue"}]}
    assert props["DBName"] == {"Fn::If": [restore, {"Ref": "AWS::NoValue"}, "wordpress"]}
    assert props["MasterUsername"] == {"Fn::If": [restore, {"Ref": "AWS::NoValue"}, "admin"]}
    assert props["StorageEncrypted"] == {"Fn::If": [restore, {"Ref": "AWS::NoValue"}, True]}
    assert props["PubliclyAccessible"] is False and props["ManageMasterUserPassword"] is True
    assert "MasterUserPassword" not in props
    web = containers(template, "WordpressTaskDefinition")["wordpress"]
    host = {"Fn::GetAtt": ["MariadbDatabase", "Endpoint.Address"]}
    assert environment(web)["WORDPRESS_DB_HOST"] == {"Fn::Sub": ["${Host}:3306", {"Host": host}]}


def test_rds_application_has_its_own_user_made_at_each_task_start(default_templates):
    template = default_templates["ecs-services-rds"]
    task = containers(template, "WordpressTaskDefinition")
    web, setup = task["wordpress"], task["mariadb-app-user"]
    managed = {"Fn::GetAtt": ["MariadbDatabase", "MasterUserSecret.SecretArn"]}
    password = {"Fn::If": ["CreateDbPasswordSecret", {"Ref": "DbPasswordSecret"}, {"Ref": "ExistingDbPasswordSecretArn"}]}
    assert secrets(web)["WORDPRESS_DB_PASSWORD"] == password
    assert "MasterUserSecret" not in json.dumps(web)
    assert web["DependsOn"] == [{"Condition": "SUCCESS", "ContainerName": "mariadb-app-user"}]
    assert setup["Essential"] is False
    assert setup["Image"]["Fn::If"][1]["Fn::Sub"][0].endswith("/${RepositoryNamePrefix}mariadb:${Tag}")
    assert secrets(setup) == {"DB_APP_PASSWORD": password,
                              "DB_MASTER_PASSWORD": {"Fn::Sub": ["${Arn}:password::", {"Arn": managed}]}}
    env = environment(setup)
    assert (env["DB_APP_USER"], env["DB_MASTER_USER"], env["DB_NAME"], env["DB_PORT"]) == \
        ("wordpress", "admin", "wordpress", "3306")
    command = setup["Command"]
    assert command[:2] == ["sh", "-c"] and "--password" not in command[2]
    assert command[2].count("mariadb --host") == 1  # the image's own client, from the image table
    assert "CREATE USER IF NOT EXISTS '$DB_APP_USER'@'%'" in command[2]
    assert subprocess.run(["sh", "-n", "-c", command[2]], capture_output=True).returncode == 0


def test_rds_refuses_an_application_user_named_like_the_master_user():
    with pytest.raises(ConfigError) as raised:
        build_all(config_with({"application": {"containers": {
            "mariadb": {"environment": {"MYSQL_USER": "admin"}},
            "wordpress": {"environment": {"WORDPRESS_DB_USER": "admin"}}}}}))
    assert raised.value.field == "application.containers.mariadb.environment.MYSQL_USER"
    assert "is the RDS master user of ecs-services-rds" in raised.value.message


def test_outputs_url_per_public_service_and_kept_data(stack):
    outputs = stack["Outputs"]
    assert outputs["WordpressUrl"]["Value"] == {"Fn::If": ["HasCertificate", {"Fn::Sub": "https://${LoadBalancer.DNSName}"},
                                                           {"Fn::Sub": "http://${LoadBalancer.DNSName}"}]}
    assert outputs["FileSystemId"]["Value"]["Fn::If"][0] == "CreateFileSystem"
    assert ("MariadbDatabaseEndpoint" in outputs) == ("MariadbDatabase" in stack["Resources"])


def test_restoring_kept_data_is_a_parameter(stack):
    parameters = stack["Parameters"]
    assert parameters["ExistingDbPasswordSecretArn"]["Default"] == ""
    assert parameters["ExistingFileSystemId"]["Default"] == ""
    assert parameters["ExistingFileSystemId"]["AllowedPattern"] == r"^$|^fs-[0-9a-f]{8,40}$"
    assert ("MariadbSnapshotIdentifier" in parameters) == ("MariadbDatabase" in stack["Resources"])


def test_parameters_are_labelled_for_the_console(stack):
    interface = stack["Metadata"]["AWS::CloudFormation::Interface"]
    grouped = {name for group in interface["ParameterGroups"] for name in group["Parameters"]}
    assert grouped == set(stack["Parameters"]) == set(interface["ParameterLabels"])


def test_names_unique_per_account_are_parameters_or_follow_the_stack_name(stack):
    resources = stack["Resources"]
    assert name_parameter(stack, resources["Cluster"]["Properties"]["ClusterName"]).startswith("wordpress-services")
    family = resources["WordpressTaskDefinition"]["Properties"]["Family"]
    assert family == {"Fn::Sub": "${AWS::StackName}-wordpress"}


def test_certificate_from_the_config_is_the_parameter_default():
    templates = build_all(config_with({"services": {"certificate_arn": CERTIFICATE}}))
    for name in STACKS:
        assert templates[name].to_dict()["Parameters"]["CertificateArn"]["Default"] == CERTIFICATE


def test_services_on_ec2_capacity_keep_the_database_on_fargate(validator):
    templates = build_all(config_with({"services": {"launch_type": "ec2"}}))
    template = templates["ecs-services"].to_dict()
    providers = {name: props["CapacityProviderStrategy"][0]["CapacityProvider"]
                 for name, props in ecs_services(template).items()}
    assert providers == {"wordpress": {"Ref": "Ec2CapacityProvider"}, "mariadb": "FARGATE"}
    compatibility = template["Resources"]["WordpressTaskDefinition"]["Properties"]["RequiresCompatibilities"]
    assert compatibility == ["EC2"]
    assert validator.lint_text(templates["ecs-services"].to_json(), "ec2-services.json") == []


def test_learner_lab_mode_creates_no_iam(stack):
    """Every role (one execution and one task role per service) is skipped when its Existing* parameter is set."""
    iam = {name: r for name, r in stack["Resources"].items() if r["Type"].startswith("AWS::IAM::")}
    assert iam and set(iam) == {f"{s.title()}{role}" for s in ecs_services(stack)
                                for role in ("TaskExecutionRole", "TaskRole")}
    for resource in iam.values():
        condition = stack["Conditions"][resource["Condition"]]["Fn::Equals"]
        assert condition[0]["Ref"] in ("ExistingExecutionRoleArn", "ExistingTaskRoleArn") and condition[1] == ""
    for service in ecs_services(stack):
        task = stack["Resources"][f"{service.title()}TaskDefinition"]["Properties"]
        assert task["ExecutionRoleArn"]["Fn::If"][2] == {"Ref": "ExistingExecutionRoleArn"}
        assert task["TaskRoleArn"]["Fn::If"][2] == {"Ref": "ExistingTaskRoleArn"}
