"""Stacks ecs-services-*: SPEC 'Multi-container cluster', defects 6 and 7; issue 5.

A reader should be able to trace internet -> ALB:80 -> WordPress tasks (N, scaling) ->
database reachable only from them, with every byte of state on EFS or RDS.
"""
from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from troposphere import GetAtt, Template

from ecs_templates import wiring
from ecs_templates.config.model import Connection
from ecs_templates.errors import ConfigError
from ecs_templates.stacks import STACKS, build_all, ecs_services
from tests.conftest import assert_build_refuses, config_with, name_parameter, one_resource, resources_of_type

VARIANTS = ("mariadb", "rds")
CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"


@pytest.fixture(scope="module", params=VARIANTS)
def variant(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def stack(default_templates, variant) -> dict[str, Any]:
    return default_templates[f"ecs-services-{variant}"]


def ingress_graph(template: dict[str, Any]) -> set[tuple[str, int, str]]:
    """(security group, port, source) for every inbound rule; a source is `cidr:<Ref>` or a group's logical ID."""
    edges = set()

    def add(group: str, rule: dict[str, Any]) -> None:
        assert rule["IpProtocol"] == "tcp" and rule["FromPort"] == rule["ToPort"], rule
        assert rule.get("Description"), f"rule without a description on {group}"
        if "SourceSecurityGroupId" in rule:
            source = rule["SourceSecurityGroupId"]["Ref"]
        else:
            source = f"cidr:{rule['CidrIp']['Ref']}"
        edges.add((group, rule["FromPort"], source))

    for name, group in resources_of_type(template, "AWS::EC2::SecurityGroup").items():
        for rule in group["Properties"].get("SecurityGroupIngress", []):
            add(name, rule)
    for ingress in resources_of_type(template, "AWS::EC2::SecurityGroupIngress").values():
        add(ingress["Properties"]["GroupId"]["Ref"], ingress["Properties"])
    return edges


def groups_of(template: dict[str, Any], logical: str) -> list[str]:
    resource = template["Resources"][logical]
    props = resource["Properties"]
    if resource["Type"] == "AWS::ECS::Service":
        groups = props["NetworkConfiguration"]["AwsvpcConfiguration"]["SecurityGroups"]
    else:
        groups = props.get("SecurityGroups") or props.get("VPCSecurityGroups")
    return [group["Ref"] for group in groups]


def containers(template: dict[str, Any], task: str) -> dict[str, dict[str, Any]]:
    return {c["Name"]: c for c in template["Resources"][task]["Properties"]["ContainerDefinitions"]}


def role_statements(template: dict[str, Any], role: str) -> list[dict[str, Any]]:
    return template["Resources"][role]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]


# --- the security-group graph: who may reach 80, 3306 and 2049 ------------------------------------

def test_security_group_graph_mariadb(default_templates):
    template = default_templates["ecs-services-mariadb"]
    assert ingress_graph(template) == {
        ("LoadBalancerSecurityGroup", 80, "cidr:AllowedCidr"),
        ("LoadBalancerSecurityGroup", 443, "cidr:AllowedCidr"),  # only with a certificate (below)
        ("WebSecurityGroup", 80, "LoadBalancerSecurityGroup"),
        ("DatabaseSecurityGroup", 3306, "WebSecurityGroup"),
        ("FileSystemSecurityGroup", 2049, "WebSecurityGroup"),
        ("FileSystemSecurityGroup", 2049, "DatabaseSecurityGroup"),
    }
    assert groups_of(template, "LoadBalancer") == ["LoadBalancerSecurityGroup"]
    assert groups_of(template, "WebService") == ["WebSecurityGroup"]
    assert groups_of(template, "DatabaseService") == ["DatabaseSecurityGroup"]
    assert groups_of(template, "MountTarget1") == groups_of(template, "MountTarget2") == ["FileSystemSecurityGroup"]


def test_security_group_graph_rds(default_templates):
    """RDS needs no NFS: only the web tasks reach the file system, and only they reach the database."""
    template = default_templates["ecs-services-rds"]
    assert ingress_graph(template) == {
        ("LoadBalancerSecurityGroup", 80, "cidr:AllowedCidr"),
        ("LoadBalancerSecurityGroup", 443, "cidr:AllowedCidr"),
        ("WebSecurityGroup", 80, "LoadBalancerSecurityGroup"),
        ("DatabaseSecurityGroup", 3306, "WebSecurityGroup"),
        ("FileSystemSecurityGroup", 2049, "WebSecurityGroup"),
    }
    assert groups_of(template, "Database") == ["DatabaseSecurityGroup"]
    assert template["Resources"]["Database"]["Properties"]["PubliclyAccessible"] is False


def test_only_the_load_balancer_is_public(stack):
    """Defect 6: no address range reaches anything but the load balancer, never the database port."""
    public = {(group, port) for group, port, source in ingress_graph(stack) if source.startswith("cidr:")}
    assert public == {("LoadBalancerSecurityGroup", 80), ("LoadBalancerSecurityGroup", 443)}
    https = stack["Resources"]["LoadBalancerHttpsIngress"]
    assert https["Condition"] == "HasCertificate"
    assert stack["Resources"]["LoadBalancer"]["Properties"]["Scheme"] == "internet-facing"


def test_tasks_run_in_awsvpc_in_the_mount_target_subnets(stack):
    subnets = [{"Fn::Select": [0, {"Ref": "SubnetIds"}]}, {"Fn::Select": [1, {"Ref": "SubnetIds"}]}]
    services = resources_of_type(stack, "AWS::ECS::Service")
    for service in services.values():
        assert service["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]["Subnets"] == subnets
    assert [stack["Resources"][f"MountTarget{i}"]["Properties"]["SubnetId"] for i in (1, 2)] == subnets
    for task in resources_of_type(stack, "AWS::ECS::TaskDefinition").values():
        assert task["Properties"]["NetworkMode"] == "awsvpc"


# --- the load balancer and the web service -------------------------------------------------------

def test_load_balancer_listens_on_80_and_on_443_with_a_certificate(stack):
    resources = stack["Resources"]
    http = resources["HttpListener"]["Properties"]
    assert (http["Port"], http["Protocol"]) == (80, "HTTP")
    assert http["DefaultActions"] == [{"TargetGroupArn": {"Ref": "TargetGroup"}, "Type": "forward"}]
    https = resources["HttpsListener"]
    assert https["Condition"] == "HasCertificate"
    assert (https["Properties"]["Port"], https["Properties"]["Protocol"]) == (443, "HTTPS")
    assert https["Properties"]["Certificates"] == [{"CertificateArn": {"Ref": "CertificateArn"}}]
    assert https["Properties"]["SslPolicy"].startswith("ELBSecurityPolicy-TLS13")
    redirect = resources["HttpToHttpsRule"]
    assert redirect["Condition"] == "HasCertificate"
    assert redirect["Properties"]["Actions"][0]["RedirectConfig"]["Protocol"] == "HTTPS"
    certificate = stack["Parameters"]["CertificateArn"]
    assert certificate["Default"] == ""
    assert stack["Conditions"]["HasCertificate"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "CertificateArn"}, ""]}]}
    attributes = {a["Key"]: a["Value"] for a in
                  resources["LoadBalancer"]["Properties"]["LoadBalancerAttributes"]}
    assert attributes == {"routing.http.drop_invalid_header_fields.enabled": "true",
                          "deletion_protection.enabled": {"Ref": "DeletionProtection"}}


def test_target_group_health_check(stack):
    group = stack["Resources"]["TargetGroup"]["Properties"]
    assert (group["TargetType"], group["Protocol"], group["Port"]) == ("ip", "HTTP", 80)
    assert group["HealthCheckPath"] == "/" and group["Matcher"] == {"HttpCode": "200-399"}


def test_web_service_behind_the_load_balancer_with_rollback(stack):
    service = stack["Resources"]["WebService"]
    props = service["Properties"]
    assert props["LoadBalancers"] == [{"ContainerName": "wordpress", "ContainerPort": 80,
                                       "TargetGroupArn": {"Ref": "TargetGroup"}}]
    assert props["DeploymentConfiguration"]["DeploymentCircuitBreaker"] == {"Enable": True, "Rollback": True}
    assert props["DesiredCount"] == 2 and props["HealthCheckGracePeriodSeconds"] >= 120
    assert props["CapacityProviderStrategy"] == [{"Base": 0, "CapacityProvider": "FARGATE", "Weight": 1}]
    assert {"HttpListener", "MountTarget1", "MountTarget2"} <= set(service["DependsOn"])
    web = containers(stack, "WordpressTaskDefinition")
    # The database server is never in the web task; with RDS a setup container makes the application's user.
    assert list(web) == (["wordpress"] if "DatabaseService" in stack["Resources"] else
                         ["mariadb-app-user", "wordpress"]), "the database is not in the web task"
    assert web["wordpress"]["PortMappings"] == [{"ContainerPort": 80, "HostPort": 80, "Protocol": "tcp"}]
    assert web["wordpress"].get("DependsOn") == (None if "DatabaseService" in stack["Resources"] else
                                                 [{"Condition": "SUCCESS", "ContainerName": "mariadb-app-user"}])


def test_scaling_between_parameters_on_cpu_and_requests(stack):
    resources = stack["Resources"]
    target = resources["ScalableTarget"]["Properties"]
    assert (target["MinCapacity"], target["MaxCapacity"]) == ({"Ref": "MinTasks"}, {"Ref": "MaxTasks"})
    assert target["ScalableDimension"] == "ecs:service:DesiredCount"
    assert target["ResourceId"]["Fn::Sub"][1]["ServiceName"] == {"Fn::GetAtt": ["WebService", "Name"]}
    assert (stack["Parameters"]["MinTasks"]["Default"], stack["Parameters"]["MaxTasks"]["Default"]) == (1, 4)
    policies = {name: r["Properties"]["TargetTrackingScalingPolicyConfiguration"]
                for name, r in resources_of_type(stack, "AWS::ApplicationAutoScaling::ScalingPolicy").items()}
    assert {name: (p["PredefinedMetricSpecification"]["PredefinedMetricType"], p["TargetValue"])
            for name, p in policies.items()} == {
        "CpuScalingPolicy": ("ECSServiceAverageCPUUtilization", 60.0),
        "RequestsScalingPolicy": ("ALBRequestCountPerTarget", 200.0)}
    label = policies["RequestsScalingPolicy"]["PredefinedMetricSpecification"]["ResourceLabel"]
    assert label == {"Fn::Join": ["/", [{"Fn::GetAtt": ["LoadBalancer", "LoadBalancerFullName"]},
                                        {"Fn::GetAtt": ["TargetGroup", "TargetGroupFullName"]}]]}
    assert len(resources_of_type(stack, "AWS::ApplicationAutoScaling::ScalableTarget")) == 1, \
        "only the web service scales"


# --- persistence: every byte of state on EFS or RDS ----------------------------------------------

def test_file_system_is_encrypted_and_kept(stack):
    file_system = one_resource(stack, "AWS::EFS::FileSystem")
    assert (file_system["DeletionPolicy"], file_system["UpdateReplacePolicy"]) == ("Retain", "Retain")
    props = file_system["Properties"]
    assert props["Encrypted"] is True and props["BackupPolicy"] == {"Status": "ENABLED"}
    deny = props["FileSystemPolicy"]["Statement"][0]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_wordpress_files_on_efs_through_an_access_point(stack):
    point = stack["Resources"]["WordpressAccessPoint"]["Properties"]
    assert point["PosixUser"] == {"Uid": "33", "Gid": "33"}  # www-data in the wordpress image
    assert point["RootDirectory"] == {"Path": "/wordpress", "CreationInfo": {
        "OwnerUid": "33", "OwnerGid": "33", "Permissions": "0755"}}
    task = stack["Resources"]["WordpressTaskDefinition"]["Properties"]
    assert task["Volumes"] == [{"Name": "files", "EFSVolumeConfiguration": {
        "FilesystemId": {"Ref": "FileSystem"}, "TransitEncryption": "ENABLED",
        "AuthorizationConfig": {"AccessPointId": {"Ref": "WordpressAccessPoint"}, "IAM": "ENABLED"}}}]
    assert containers(stack, "WordpressTaskDefinition")["wordpress"]["MountPoints"] == [
        {"ContainerPath": "/var/www/html", "SourceVolume": "files", "ReadOnly": False}]


def test_task_roles_mount_only_their_own_access_point(stack, variant):
    pairs = [("WordpressTaskRole", "WordpressAccessPoint")]
    if variant == "mariadb":
        pairs.append(("MariadbTaskRole", "MariadbAccessPoint"))
    for role, access_point in pairs:
        assert role_statements(stack, role) == [{
            "Effect": "Allow", "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
            "Resource": [{"Fn::GetAtt": ["FileSystem", "Arn"]}],
            "Condition": {"StringEquals": {"elasticfilesystem:AccessPointArn":
                                           {"Fn::GetAtt": [access_point, "Arn"]}}}}]
        assert stack["Resources"][role]["Condition"] == "CreateTaskRoleArn"
    assert "elasticfilesystem:ClientMount" in stack["Parameters"]["ExistingTaskRoleArn"]["Description"]


def test_mariadb_keeps_its_data_on_efs_as_one_task(default_templates):
    """Defect 7: a restarted MariaDB task finds its data directory again; never two writers on it."""
    template = default_templates["ecs-services-mariadb"]
    point = template["Resources"]["MariadbAccessPoint"]["Properties"]
    assert point["PosixUser"] == {"Uid": "999", "Gid": "999"}  # mysql in the mariadb image
    assert point["RootDirectory"]["Path"] == "/mariadb"
    assert point["RootDirectory"]["CreationInfo"] == {"OwnerUid": "999", "OwnerGid": "999", "Permissions": "0700"}
    task = template["Resources"]["MariadbTaskDefinition"]["Properties"]
    assert task["Volumes"][0]["EFSVolumeConfiguration"]["TransitEncryption"] == "ENABLED"
    assert task["Volumes"][0]["EFSVolumeConfiguration"]["AuthorizationConfig"] == {
        "AccessPointId": {"Ref": "MariadbAccessPoint"}, "IAM": "ENABLED"}
    mariadb = containers(template, "MariadbTaskDefinition")
    assert list(mariadb) == ["mariadb"]
    # The application's own volume of the data directory (mariadb-data), put on EFS.
    assert mariadb["mariadb"]["MountPoints"] == [{"ContainerPath": "/var/lib/mysql", "SourceVolume": "mariadb-data",
                                                  "ReadOnly": False}]
    assert task["Volumes"][0]["Name"] == "mariadb-data" and "DockerVolumeConfiguration" not in task["Volumes"][0]
    assert mariadb["mariadb"]["HealthCheck"]["Command"][0] == "CMD-SHELL"
    service = template["Resources"]["DatabaseService"]["Properties"]
    assert service["DesiredCount"] == 1
    assert (service["DeploymentConfiguration"]["MinimumHealthyPercent"],
            service["DeploymentConfiguration"]["MaximumPercent"]) == (0, 100)
    assert service["DeploymentConfiguration"]["DeploymentCircuitBreaker"] == {"Enable": True, "Rollback": True}
    assert service["CapacityProviderStrategy"][0]["CapacityProvider"] == "FARGATE"


def test_mariadb_has_a_stable_private_dns_name(default_templates):
    template = default_templates["ecs-services-mariadb"]
    namespace = one_resource(template, "AWS::ServiceDiscovery::PrivateDnsNamespace")["Properties"]
    assert namespace == {"Name": {"Ref": "NamespaceName"}, "Vpc": {"Ref": "VpcId"},
                         "Description": "Private DNS names of this stack's services"}
    assert name_parameter(template, namespace["Name"]) == "wordpress.internal"
    discovery = template["Resources"]["MariadbDiscoveryService"]["Properties"]
    assert discovery["Name"] == "mariadb"
    assert discovery["DnsConfig"]["DnsRecords"] == [{"Type": "A", "TTL": 10}]
    assert template["Resources"]["DatabaseService"]["Properties"]["ServiceRegistries"] == [
        {"RegistryArn": {"Fn::GetAtt": ["MariadbDiscoveryService", "Arn"]}}]
    web = containers(template, "WordpressTaskDefinition")["wordpress"]
    env = {e["Name"]: e["Value"] for e in web["Environment"]}
    namespace_host = {"Fn::Sub": ["mariadb.${Namespace}", {"Namespace": {"Ref": "NamespaceName"}}]}
    assert env["WORDPRESS_DB_HOST"] == {"Fn::Sub": ["${Host}:3306", {"Host": namespace_host}]}
    assert "DatabaseService" in template["Resources"]["WebService"]["DependsOn"]


def test_rds_is_encrypted_private_managed_and_snapshotted(default_templates):
    template = default_templates["ecs-services-rds"]
    database = template["Resources"]["Database"]
    assert (database["DeletionPolicy"], database["UpdateReplacePolicy"]) == ("Snapshot", "Snapshot")
    props = database["Properties"]
    assert props["Engine"] == "mariadb" and props["EngineVersion"] == "11.4"
    assert props["StorageEncrypted"] is True and props["PubliclyAccessible"] is False
    assert props["ManageMasterUserPassword"] is True and "MasterUserPassword" not in props
    assert props["MasterUserSecret"] == {"KmsKeyId": {"Fn::If": ["HasSecretsKmsKeyArn", {"Ref": "SecretsKmsKeyArn"},
                                                                 {"Ref": "AWS::NoValue"}]}}
    # The master user is the container's root, never the application's user (MYSQL_USER, wordpress).
    assert (props["DBName"], props["MasterUsername"]) == ("wordpress", "admin")
    assert props["MultiAZ"] == {"Ref": "MultiAz"}
    assert template["Parameters"]["MultiAz"]["AllowedValues"] == ["false", "true"]
    assert props["DBInstanceClass"] == {"Ref": "DatabaseInstanceClass"}
    assert props["BackupRetentionPeriod"] == 7 and props["CopyTagsToSnapshot"] is True
    assert props["DBSubnetGroupName"] == {"Ref": "DatabaseSubnetGroup"}
    assert template["Resources"]["DatabaseSubnetGroup"]["Properties"]["SubnetIds"] == {"Ref": "SubnetIds"}
    assert not resources_of_type(template, "AWS::ServiceDiscovery::PrivateDnsNamespace")
    assert "MariadbTaskDefinition" not in template["Resources"] and "MariadbImage" not in template["Parameters"]


def test_rds_application_has_its_own_user_and_a_secret_that_is_not_rotated(default_templates):
    """The managed master secret rotates weekly and ECS injects secrets only at container start: WordPress
    connects as its own user, with a generated secret; a setup container makes that user at each task start."""
    template = default_templates["ecs-services-rds"]
    task = containers(template, "WordpressTaskDefinition")
    web, setup = task["wordpress"], task["mariadb-app-user"]
    secrets = {s["Name"]: s["ValueFrom"] for s in web["Secrets"]}
    managed = {"Fn::GetAtt": ["Database", "MasterUserSecret.SecretArn"]}
    assert secrets["WORDPRESS_DB_PASSWORD"] == {"Ref": "DbPasswordSecret"}
    assert managed not in [value for value in secrets.values()] and "MasterUserSecret" not in json.dumps(web)
    env = {e["Name"]: e["Value"] for e in web["Environment"]}
    assert env["WORDPRESS_DB_USER"] == "wordpress" != template["Resources"]["Database"]["Properties"]["MasterUsername"]
    host = {"Fn::GetAtt": ["Database", "Endpoint.Address"]}
    assert env["WORDPRESS_DB_HOST"] == {"Fn::Sub": ["${Host}:3306", {"Host": host}]}
    assert web["DependsOn"] == [{"Condition": "SUCCESS", "ContainerName": "mariadb-app-user"}]
    # The setup container: the database image's client, not essential, both passwords through `secrets` only.
    assert setup["Essential"] is False
    assert setup["Image"]["Fn::If"][1]["Fn::Sub"][0].endswith("/${RepositoryNamePrefix}mariadb:${Tag}")
    assert {s["Name"]: s["ValueFrom"] for s in setup["Secrets"]} == {
        "DB_APP_PASSWORD": {"Ref": "DbPasswordSecret"},
        "DB_MASTER_PASSWORD": {"Fn::Sub": ["${Arn}:password::", {"Arn": managed}]}}
    setup_env = {e["Name"]: e["Value"] for e in setup["Environment"]}
    assert setup_env == {"DB_APP_USER": "wordpress", "DB_MASTER_USER": "admin", "DB_NAME": "wordpress",
                         "DB_PORT": "3306", "DB_HOST": {"Fn::Sub": ["${Host}", {"Host": host}]}}
    command = setup["Command"]
    assert command[:2] == ["sh", "-c"] and "--password" not in command[2] and "-p" not in command[2].split()
    assert "MYSQL_PWD=\"$DB_MASTER_PASSWORD\"" in command[2]
    assert "CREATE USER IF NOT EXISTS '$DB_APP_USER'@'%' IDENTIFIED BY '$DB_APP_PASSWORD'" in command[2]
    assert "ALTER USER '$DB_APP_USER'@'%'" in command[2]                  # idempotent: every task start
    assert "GRANT ALL PRIVILEGES ON $DB_NAME.* TO '$DB_APP_USER'@'%'" in command[2]
    # The web task's execution role reads both secrets; the generated one is kept (Retain), never rotated.
    read = [s for s in role_statements(template, "WordpressTaskExecutionRole")
            if s["Action"] == ["secretsmanager:GetSecretValue"]][0]
    assert managed in read["Resource"] and {"Ref": "DbPasswordSecret"} in read["Resource"]
    generated = resources_of_type(template, "AWS::SecretsManager::Secret")
    assert "DbPasswordSecret" in generated and "DbRootPasswordSecret" not in generated
    assert generated["DbPasswordSecret"]["DeletionPolicy"] == "Retain"
    assert not resources_of_type(template, "AWS::SecretsManager::RotationSchedule")


def test_the_setup_script_runs_in_a_posix_shell(default_templates):
    """Parsed by sh -n (syntax only, nothing runs): the script ECS hands to `sh -c` is valid shell."""
    setup = containers(default_templates["ecs-services-rds"], "WordpressTaskDefinition")["mariadb-app-user"]
    result = subprocess.run(["sh", "-n", "-c", setup["Command"][2]], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_rds_refuses_an_application_user_named_like_the_master_user():
    with pytest.raises(ConfigError) as raised:
        config_with({"application": {"containers": {"mariadb": {"environment": {"MYSQL_USER": "admin"}},
                                                    "wordpress": {"environment": {"WORDPRESS_DB_USER": "admin"}}}},
                     "services": {"database": "rds"}})
    assert raised.value.field == "application.containers.mariadb.environment.MYSQL_USER"
    assert "is the RDS master user of choice rds" in raised.value.message


# --- secrets: keys, salts and the database password ----------------------------------------------

def test_wordpress_keys_and_salts_come_from_generated_secrets(stack):
    web = containers(stack, "WordpressTaskDefinition")["wordpress"]
    secrets = {s["Name"]: s["ValueFrom"] for s in web["Secrets"]}
    keys = {f"WORDPRESS_{kind}_{what}" for kind in ("AUTH", "SECURE_AUTH", "LOGGED_IN", "NONCE")
            for what in ("KEY", "SALT")}
    assert keys <= set(secrets)
    for name in keys:
        logical = secrets[name]["Ref"]
        secret = stack["Resources"][logical]
        assert secret["Type"] == "AWS::SecretsManager::Secret"
        assert secret["Properties"]["GenerateSecretString"]["PasswordLength"] == 64
        assert secret["DeletionPolicy"] == "Retain"
    for definition in resources_of_type(stack, "AWS::ECS::TaskDefinition").values():
        for container in definition["Properties"]["ContainerDefinitions"]:
            names = [e["Name"] for e in container.get("Environment", [])]
            assert not [n for n in names if any(w in n for w in ("PASSWORD", "KEY", "SALT"))], names


def test_each_execution_role_reads_only_its_own_tasks_secrets(default_templates):
    template = default_templates["ecs-services-mariadb"]

    def readable(role: str) -> set[str]:
        statement = [s for s in role_statements(template, role) if s["Action"] == ["secretsmanager:GetSecretValue"]]
        return {item["Ref"] for item in statement[0]["Resource"]}

    assert readable("MariadbTaskExecutionRole") == {"DbPasswordSecret", "DbRootPasswordSecret"}
    web = readable("WordpressTaskExecutionRole")
    assert "DbPasswordSecret" in web and "DbRootPasswordSecret" not in web and len(web) == 9


# --- outputs -------------------------------------------------------------------------------------

def test_outputs_site_url_database_endpoint_file_system(stack, variant):
    outputs = stack["Outputs"]
    assert outputs["SiteUrl"]["Value"] == {"Fn::If": ["HasCertificate", {"Fn::Sub": "https://${LoadBalancer.DNSName}"},
                                                      {"Fn::Sub": "http://${LoadBalancer.DNSName}"}]}
    assert outputs["FileSystemId"]["Value"] == {"Ref": "FileSystem"}
    endpoint = outputs["DatabaseEndpoint"]["Value"]
    if variant == "mariadb":
        assert endpoint == {"Fn::Sub": ["mariadb.${Namespace}:3306", {"Namespace": {"Ref": "NamespaceName"}}]}
    else:
        assert endpoint == {"Fn::Join": [":", [{"Fn::GetAtt": ["Database", "Endpoint.Address"]},
                                               {"Fn::GetAtt": ["Database", "Endpoint.Port"]}]]}
        assert outputs["DatabaseSecretArn"]["Value"] == {"Fn::GetAtt": ["Database", "MasterUserSecret.SecretArn"]}


def test_parameters_are_labelled_for_the_console(stack):
    params = stack["Parameters"]
    interface = stack["Metadata"]["AWS::CloudFormation::Interface"]
    assert set(interface["ParameterLabels"]) == set(params)
    assert sorted(p for g in interface["ParameterGroups"] for p in g["Parameters"]) == sorted(params)
    assert all(p.get("Description") for p in params.values())
    assert params["SubnetIds"]["Type"] == "List<AWS::EC2::Subnet::Id>"


# --- variants ------------------------------------------------------------------------------------

def test_both_variants_are_registered_and_built_by_default(default_templates):
    names = [spec.name for spec in STACKS]
    assert {"ecs-services-mariadb", "ecs-services-rds"} <= set(names)
    assert {"ecs-services-mariadb", "ecs-services-rds"} <= set(default_templates)


@pytest.mark.parametrize("choice, built", [("mariadb", {"ecs-services-mariadb"}), ("rds", {"ecs-services-rds"}),
                                           ("both", {"ecs-services-mariadb", "ecs-services-rds"}), ("none", set())])
def test_database_choice_selects_the_templates(choice, built):
    names = set(build_all(config_with({"services": {"database": choice}})))
    assert {name for name in names if name.startswith("ecs-services")} == built
    assert {"ecr", "ecs-ec2", "ecs-fargate"} <= names


def test_another_application_gets_no_services_stack_unless_it_asks():
    own = {"extends": "none", "name": "web", "containers": {
        "nginx": {"image": "nginx:1.27", "ports": [{"container": 80, "public": True}]}}}
    assert not [n for n in build_all(config_with({"application": own})) if n.startswith("ecs-services")]
    removed = config_with({"application": {"containers": {"wordpress": None}}})
    assert removed.services is None
    with pytest.raises(ConfigError, match=r"no container named 'wordpress' \(containers: mariadb\)") as raised:
        config_with({"application": {"containers": {"wordpress": None}}, "services": {"database": "rds"}})
    assert raised.value.field == "services.web_container"


def test_a_variant_the_config_did_not_ask_for_is_refused():
    with pytest.raises(ValueError, match="does not ask for the mariadb variant"):
        ecs_services.build(config_with({"services": {"database": "rds"}}), "mariadb")


def test_certificate_arn_from_the_config_is_the_parameter_default():
    data = ecs_services.build(config_with({"services": {"certificate_arn": CERTIFICATE}}), "rds").to_dict()
    assert data["Parameters"]["CertificateArn"]["Default"] == CERTIFICATE


def test_web_tasks_on_ec2_capacity():
    data = json.loads(ecs_services.build(config_with({"services": {"launch_type": "ec2"}}), "mariadb").to_json())
    resources = data["Resources"]
    web = resources["WebService"]["Properties"]
    assert web["CapacityProviderStrategy"] == [{"Base": 0, "CapacityProvider": {"Ref": "Ec2CapacityProvider"},
                                                "Weight": 1}]
    assert web["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"] == "DISABLED"
    assert resources["WordpressTaskDefinition"]["Properties"]["RequiresCompatibilities"] == ["EC2"]
    assert resources["MariadbTaskDefinition"]["Properties"]["RequiresCompatibilities"] == ["FARGATE"]
    assert resources["ClusterCapacityProviders"]["Properties"]["CapacityProviders"] == [
        {"Ref": "Ec2CapacityProvider"}, "FARGATE"]
    assert resources["InstanceSecurityGroup"]["Properties"]["SecurityGroupIngress"] == []
    rds_only = ecs_services.build(config_with({"services": {"launch_type": "ec2"}}), "rds").to_dict()
    assert "AssignPublicIp" not in rds_only["Parameters"]


@pytest.mark.parametrize("overrides", [
    {"services": {"launch_type": "ec2"}},
    {"services": {"launch_type": "ec2", "task_cpu": 1024, "task_memory": 2048, "certificate_arn": CERTIFICATE}},
    {"services": {"min_tasks": 2, "desired_tasks": 5, "max_tasks": 10, "architecture": "x86_64",
                  "rds": {"multi_az": True, "instance_class": "db.t4g.small"}}},
])
def test_variants_are_cfn_lint_clean(overrides, validator):
    config = config_with(overrides)
    for variant in VARIANTS:
        findings = validator.lint_text(ecs_services.build(config, variant).to_json(), variant)
        assert findings == [], "\n".join(map(str, findings))


# --- configuration: bad input names its field ----------------------------------------------------

def test_services_defaults(default_config):
    services = default_config.services
    assert (services.database, services.launch_type, services.web_container, services.database_container) == \
        ("both", "fargate", "wordpress", "mariadb")
    assert (services.min_tasks, services.desired_tasks, services.max_tasks) == (1, 2, 4)
    assert services.namespace == "wordpress.internal"
    assert config_with({"application": {"name": "blog"}}).services.namespace == "blog.internal"


@pytest.mark.parametrize("services, field, fragment", [
    ({"min_tasks": 5, "max_tasks": 2, "desired_tasks": 3}, "services.min_tasks",
     "min_tasks 5 is greater than max_tasks 2"),
    ({"min_tasks": 2, "desired_tasks": 1}, "services.desired_tasks", "1 is outside min_tasks..max_tasks (2..4)"),
    ({"desired_tasks": 9}, "services.desired_tasks", "9 is outside min_tasks..max_tasks (1..4)"),
    ({"max_tasks": 0}, "services.max_tasks", "below the minimum 1"),
    ({"database": "postgres"}, "services.database", "'postgres' is not one of: mariadb, rds, both, none"),
    ({"certificate_arn": "arn:aws:iam::123456789012:server-certificate/site"}, "services.certificate_arn",
     "is not an ACM certificate ARN"),
    ({"certificate_arn": "my-cert"}, "services.certificate_arn", "is not an ACM certificate ARN"),
    ({"launch_type": "lambda"}, "services.launch_type", "'lambda' is not one of: fargate, ec2"),
    ({"task_cpu": 512, "task_memory": 512}, "services.task_memory",
     "512 MiB does not go with task_cpu 512 on Fargate"),
    ({"database_cpu": 300}, "services.database_cpu", "is not a Fargate CPU size"),
    ({"launch_type": "ec2", "architecture": "x86_64"}, "services.architecture",
     "differs from ec2.capacity.architecture arm64"),
    ({"launch_type": "ec2", "task_memory": 8192}, "services.task_memory", "does not fit on t4g.medium"),
    ({"web_container": "nginx"}, "services.web_container", "no container named 'nginx'"),
    ({"database_container": "wordpress"}, "services.database_container", "must differ"),
    ({"namespace": "Not A Domain"}, "services.namespace", "is not a private DNS domain"),
    ({"rds": {"engine_version": "11"}}, "services.rds.engine_version", "give an RDS for MariaDB major version"),
    # 11.8 turns require_secure_transport on, and WordPress connects without TLS
    ({"rds": {"engine_version": "11.8"}}, "services.rds.engine_version",
     "requires TLS for every connection (require_secure_transport ON)"),
    ({"rds": {"engine_version": "12.0.2"}}, "services.rds.engine_version", "use 11.4 or 10.11"),
    ({"rds": {"max_allocated_storage_gib": 10}}, "services.rds.max_allocated_storage_gib", "below the minimum 20"),
    ({"rds": {"allocated_storage_gib": 50, "max_allocated_storage_gib": 40}},
     "services.rds.max_allocated_storage_gib", "storage autoscaling can only grow"),
    ({"web_files": {"path": "relative"}}, "services.web_files.path", "must be an absolute directory"),
    ({"database_files": {"permissions": 700}}, "services.database_files.permissions", "expected a non-empty string"),
    ({"secrets": {"WORDPRESS_DB_USER": "wp-user"}}, "services.secrets.WORDPRESS_DB_USER",
     "wordpress already sets WORDPRESS_DB_USER"),
    ({"secrets": {"WORDPRESS_EXTRA": "db-password"}}, "services.secrets.WORDPRESS_EXTRA",
     "is also an application secret"),
    ({"replicas": 3}, "services.replicas", "unknown key"),
])
def test_bad_services_config_names_the_field(services, field, fragment):
    with pytest.raises(ConfigError) as raised:
        config_with({"services": services})
    assert raised.value.field == field
    assert fragment in raised.value.message


@pytest.mark.parametrize("overrides, field, fragment", [
    ({"application": {"containers": {"wordpress": {"uses": None}}}, "services": {}}, "services.database_container",
     "wordpress has no `uses` entry for mariadb"),
    ({"application": {"containers": {"mariadb": {"environment": {"MYSQL_USER": None}}}},
      "services": {"database": "rds"}}, "services.database_container",
     "choice rds takes the user from mariadb's MARIADB_USER or MYSQL_USER"),
    ({"application": {"containers": {"mariadb": {"environment": {"MYSQL_DATABASE": "word-press"}}}},
      "services": {"database": "rds"}}, "application.containers.mariadb.environment.MYSQL_DATABASE",
     "is not valid as an RDS database name"),
    ({"application": {"containers": {"cache": {"image": "redis:7"}}}, "services": {"database": "mariadb"}},
     "services.web_container", "also has cache"),
])
def test_application_that_does_not_fit_the_services_is_refused(overrides, field, fragment):
    """A `services:` section the user wrote is checked against the application."""
    with pytest.raises(ConfigError) as raised:
        config_with(overrides)
    assert raised.value.field == field
    assert fragment in raised.value.message
    without_section = {key: value for key, value in overrides.items() if key != "services"}
    if without_section.get("application") and "MYSQL" not in json.dumps(without_section):
        # Without the section the default's description does not fit: no services stacks, no error.
        config = config_with(without_section)
        assert config.services is None
        assert not [name for name in build_all(config) if name.startswith("ecs-services")]


def test_rds_without_mysql_environment_is_fine_for_the_mariadb_choice():
    config = config_with({"application": {"containers": {"mariadb": {"environment": {"MYSQL_USER": None}}}},
                          "services": {"database": "mariadb"}})
    assert config.services.variants == ("mariadb",)


# --- bad input through the command line: one line, nothing written -------------------------------

@pytest.mark.parametrize("config_text, fragment", [
    ("services:\n  min_tasks: 5\n  desired_tasks: 5\n  max_tasks: 2\n",
     "services.min_tasks: min_tasks 5 is greater than max_tasks 2"),
    ("services:\n  certificate_arn: arn:aws:iam::123456789012:server-certificate/site\n",
     "services.certificate_arn: 'arn:aws:iam::123456789012:server-certificate/site' is not an ACM certificate ARN"),
    ("services:\n  database: aurora\n",
     "services.database: 'aurora' is not one of: mariadb, rds, both, none"),
])
def test_bad_services_input_is_a_clean_error_and_nothing_is_written(tmp_path: Path, config_text, fragment):
    assert_build_refuses(tmp_path, config_text, fragment)


# --- fragments -----------------------------------------------------------------------------------

def test_connection_to_an_address_known_only_at_deploy_time():
    connection = Connection(container="db", port=5432, env="DATABASE_URL", format="postgres://{host}:{port}/app")
    value = wiring.render(connection, GetAtt("Database", "Endpoint.Address"))
    assert value.to_dict() == {"Fn::Sub": ["postgres://${Host}:5432/app",
                                           {"Host": {"Fn::GetAtt": ["Database", "Endpoint.Address"]}}]}
    literal = Connection(container="db", port=1, env="X", format="${{HOME}}/{host}")
    assert wiring.render(literal, GetAtt("Db", "Address")).to_dict()["Fn::Sub"][0] == "${!HOME}/${Host}"
    assert wiring.render(connection, "db.internal") == "postgres://db.internal:5432/app"


def test_access_point_fragment_follows_the_share():
    from ecs_templates.builders.efs import add_access_point, add_file_system
    from ecs_templates.config.services import FileShare

    template = Template()
    file_system = add_file_system(template, name="data")
    point = add_access_point(template, FileShare("/srv/data", 1000, 100, "0750"), file_system=file_system,
                             name="api").to_dict()
    assert point["Properties"]["PosixUser"] == {"Uid": "1000", "Gid": "100"}
    assert point["Properties"]["RootDirectory"] == {"Path": "/api", "CreationInfo": {
        "OwnerUid": "1000", "OwnerGid": "100", "Permissions": "0750"}}
    assert "ApiAccessPoint" in template.resources


def test_load_balancer_fragment_without_a_certificate_forwards_http():
    from ecs_templates.builders.load_balancer import add_load_balancer
    from ecs_templates.builders.template import new_template

    template = new_template("fragment", "a load balancer alone")
    balancer = add_load_balancer(template, vpc="vpc-1", subnets=["subnet-1", "subnet-2"], source_cidr="10.0.0.0/8",
                                 target_port=8080, health_check_path="/health")
    data = json.loads(template.to_json())
    assert data["Resources"]["TargetGroup"]["Properties"]["Port"] == 8080
    assert data["Resources"]["TargetGroup"]["Properties"]["HealthCheckPath"] == "/health"
    assert {data["Resources"][name].get("Condition") for name in
            ("HttpsListener", "HttpToHttpsRule", "LoadBalancerHttpsIngress")} == {"HasCertificate"}
    assert "Condition" not in data["Resources"]["HttpListener"]
    assert balancer.security_group.title == "LoadBalancerSecurityGroup"


def test_a_mount_the_application_already_has_goes_on_efs():
    """An imported `wp_data:/var/www/html` becomes the EFS share instead of task storage."""
    config = config_with({"application": {"containers": {"wordpress": {"mounts": [
        {"volume": "wp_data", "path": "/var/www/html"}, {"volume": "cache", "path": "/tmp/cache"}]}}}})
    data = json.loads(ecs_services.build(config, "rds").to_json())
    task = data["Resources"]["WordpressTaskDefinition"]["Properties"]
    volumes = {volume["Name"]: volume for volume in task["Volumes"]}
    assert set(volumes) == {"wp_data", "cache"}
    assert volumes["wp_data"]["EFSVolumeConfiguration"]["AuthorizationConfig"]["AccessPointId"] == \
        {"Ref": "WordpressAccessPoint"}
    assert "EFSVolumeConfiguration" not in volumes["cache"]
    web = next(c for c in task["ContainerDefinitions"] if c["Name"] == "wordpress")
    mounts = {m["ContainerPath"]: m["SourceVolume"] for m in web["MountPoints"]}
    assert mounts == {"/var/www/html": "wp_data", "/tmp/cache": "cache"}


def test_names_come_from_parameters_so_two_copies_can_coexist(stack, variant):
    """Cluster, services, task families (and the namespace) default to the configured names, but are parameters."""
    resources = stack["Resources"]
    assert name_parameter(stack, resources["Cluster"]["Properties"]["ClusterName"]) == f"wordpress-{variant}-cluster"
    assert name_parameter(stack, resources["WebService"]["Properties"]["ServiceName"]) == "wordpress-service"
    assert name_parameter(stack, resources["WordpressTaskDefinition"]["Properties"]["Family"]) == \
        f"wordpress-{variant}-web"
    if variant == "mariadb":
        assert name_parameter(stack, resources["DatabaseService"]["Properties"]["ServiceName"]) == "mariadb-service"
        assert name_parameter(stack, resources["MariadbTaskDefinition"]["Properties"]["Family"]) == \
            "wordpress-mariadb-database"
