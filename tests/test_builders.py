"""Fragment tests: each builder's output, as the dict CloudFormation receives."""
from __future__ import annotations

import json

import pytest
from troposphere import Ref, Template

from ecs_templates import wiring
from ecs_templates.builders.logs import add_log_group
from ecs_templates.builders.network import (
    IngressRule,
    add_public_security_group,
    add_security_group,
    awsvpc_network_configuration,
)
from ecs_templates.builders.registry import add_repository, lifecycle_policy
from ecs_templates.builders.secrets import add_generated_secret
from ecs_templates.builders.service import capacity_provider_strategy
from ecs_templates.builders.template import add_parameter, new_template
from ecs_templates.config.application import GeneratedSecret
from ecs_templates.config.model import RegistrySettings
from ecs_templates.errors import ConfigError
from ecs_templates.naming import logical_id
from helpers import config_with, one_resource


@pytest.mark.parametrize("parts, expected", [
    (("wordpress",), "Wordpress"),
    (("db-password", "secret"), "DbPasswordSecret"),
    (("wordpress-task", "log", "group"), "WordpressTaskLogGroup"),
    (("my_app.v2",), "MyAppV2"),
])
def test_logical_id(parts, expected):
    assert logical_id(*parts) == expected


def test_logical_id_rejects_what_cloudformation_would():
    with pytest.raises(ValueError, match="start with a letter"):
        logical_id("9lives")


def test_repository_is_scanned_encrypted_and_retained():
    template = Template()
    repo = add_repository(template, "wordpress", RegistrySettings(untagged_image_days=7),
                          tag_mutability=Ref("Mutability")).to_dict()
    props = repo["Properties"]
    # a stack that existed keeps its repositories; a failed first creation keeps nothing
    assert repo["DeletionPolicy"] == "RetainExceptOnCreate"
    assert repo["UpdateReplacePolicy"] == "Retain"
    assert props["RepositoryName"] == "wordpress"
    assert props["ImageScanningConfiguration"] == {"ScanOnPush": True}
    assert props["EncryptionConfiguration"] == {"EncryptionType": "KMS"}
    rules = json.loads(props["LifecyclePolicy"]["LifecyclePolicyText"])["rules"]
    assert rules[0]["selection"]["tagStatus"] == "untagged" and rules[0]["selection"]["countNumber"] == 7


def test_lifecycle_policy_is_stable_text():
    assert lifecycle_policy(RegistrySettings()) == lifecycle_policy(RegistrySettings())


def test_generated_secret_has_no_value_and_is_retained():
    secret = add_generated_secret(Template(), GeneratedSecret("db-password", length=40),
                                  app_name="wordpress").to_dict()
    props = secret["Properties"]
    assert "SecretString" not in props
    assert props["GenerateSecretString"] == {"ExcludePunctuation": True, "PasswordLength": 40}
    assert secret["DeletionPolicy"] == "Retain"


def test_log_group_has_retention_and_no_fixed_name():
    group = add_log_group(Template(), "wordpress-task", retention_days=Ref("Days")).to_dict()
    assert group["Properties"] == {"RetentionInDays": {"Ref": "Days"}}
    assert group["DeletionPolicy"] == "Retain"


def test_security_group_opens_exactly_the_given_ports_with_descriptions():
    group = add_public_security_group(Template(), "Web", vpc=Ref("Vpc"), ports=[443, 80, 80],
                                      source_cidr=Ref("Cidr"), description="web").to_dict()
    ingress = group["Properties"]["SecurityGroupIngress"]
    assert [(rule["FromPort"], rule["ToPort"]) for rule in ingress] == [(80, 80), (443, 443)]
    assert all(rule["Description"] for rule in ingress + group["Properties"]["SecurityGroupEgress"])


def test_parameters_carry_console_groups_and_labels():
    template = new_template("demo", "a demo")
    add_parameter(template, "VpcId", group="Network", label="VPC", Type="AWS::EC2::VPC::Id")
    add_parameter(template, "SubnetIds", group="Network", label="Subnets", Type="List<AWS::EC2::Subnet::Id>")
    add_parameter(template, "VpcId", group="Network", label="VPC", Type="AWS::EC2::VPC::Id")
    interface = template.to_dict()["Metadata"]["AWS::CloudFormation::Interface"]
    assert interface["ParameterGroups"] == [{"Label": {"default": "Network"},
                                             "Parameters": ["VpcId", "SubnetIds"]}]
    assert interface["ParameterLabels"]["SubnetIds"] == {"default": "Subnets"}


def test_template_states_version_in_description_and_metadata():
    from ecs_templates import __version__

    data = new_template("demo", "a demo").to_dict()
    assert __version__ in data["Description"]
    assert data["Metadata"]["EcsTemplates"]["Version"] == __version__


def test_wiring_bridge_uses_container_name_and_link(default_config):
    wordpress = default_config.application.container("wordpress")
    assert wiring.connection_environment(wordpress, "bridge") == {"WORDPRESS_DB_HOST": "mariadb:3306"}
    assert wiring.links_for(wordpress, "bridge", {"mariadb", "wordpress"}) == ["mariadb:mariadb"]


def test_wiring_awsvpc_uses_loopback_never_localhost(default_config):
    wordpress = default_config.application.container("wordpress")
    env = wiring.connection_environment(wordpress, "awsvpc")
    assert env == {"WORDPRESS_DB_HOST": "127.0.0.1:3306"}
    assert "localhost" not in json.dumps(env)
    assert wiring.links_for(wordpress, "awsvpc", {"mariadb", "wordpress"}) == []


def test_wiring_separate_service_uses_its_dns_name(default_config):
    wordpress = default_config.application.container("wordpress")
    env = wiring.connection_environment(wordpress, "awsvpc", {"mariadb": "mariadb.wordpress.local"})
    assert env == {"WORDPRESS_DB_HOST": "mariadb.wordpress.local:3306"}


def test_wiring_custom_format():
    config = config_with({"application": {"extends": "none", "name": "api", "containers": {
        "api": {"image": "api:1", "uses": [{"container": "cache", "port": 6379, "env": "REDIS_URL",
                                            "format": "redis://{host}:{port}/0"}]},
        "cache": {"image": "redis:7", "ports": [6379]}}}})
    api = config.application.container("api")
    assert wiring.connection_environment(api, "awsvpc") == {"REDIS_URL": "redis://127.0.0.1:6379/0"}
    assert wiring.connection_environment(api, "bridge") == {"REDIS_URL": "redis://cache:6379/0"}


def test_links_are_refused_under_awsvpc():
    config = config_with({"application": {"containers": {"wordpress": {"links": ["mariadb:db"]}}}})
    with pytest.raises(ConfigError, match="links work only in bridge mode"):
        wiring.links_for(config.application.container("wordpress"), "awsvpc", {"mariadb", "wordpress"})


def test_launch_template_is_hardened(default_templates):
    data = one_resource(default_templates["ecs-ec2"], "AWS::EC2::LaunchTemplate")["Properties"]["LaunchTemplateData"]
    assert data["MetadataOptions"]["HttpTokens"] == "required"
    ebs = data["BlockDeviceMappings"][0]["Ebs"]
    assert (ebs["VolumeSize"], ebs["VolumeType"], ebs["Encrypted"]) == (30, "gp3", True)
    assert data["NetworkInterfaces"][0]["AssociatePublicIpAddress"] is True
    assert "ECS_CLUSTER=${Cluster}" in data["UserData"]["Fn::Base64"]["Fn::Sub"][0]
    assert data["ImageId"] == {"Ref": "AmiId"}


def test_security_group_source_may_be_another_security_group():
    group = add_security_group(Template(), "Db", vpc=Ref("Vpc"), description="db", ingress=[
        IngressRule(3306, "MariaDB from the web tasks", source_security_group=Ref("WebGroup")),
    ]).to_dict()
    assert group["Properties"]["SecurityGroupIngress"] == [{
        "IpProtocol": "tcp", "FromPort": 3306, "ToPort": 3306, "Description": "MariaDB from the web tasks",
        "SourceSecurityGroupId": {"Ref": "WebGroup"}}]


def test_ingress_rule_needs_exactly_one_source():
    with pytest.raises(ValueError, match="exactly one source"):
        IngressRule(80, "web")
    with pytest.raises(ValueError, match="exactly one source"):
        IngressRule(80, "web", source_cidr="0.0.0.0/0", source_security_group=Ref("G"))


def test_awsvpc_network_configuration_is_private_unless_asked():
    private = awsvpc_network_configuration(subnets=Ref("Subnets"), security_groups=[Ref("G")]).to_dict()
    assert private == {"AwsvpcConfiguration": {"AssignPublicIp": "DISABLED", "SecurityGroups": [{"Ref": "G"}],
                                               "Subnets": {"Ref": "Subnets"}}}


def test_capacity_provider_strategy_leaves_out_zero_weights():
    def plain(items):
        return [item.to_dict() for item in items]

    assert plain(capacity_provider_strategy([("FARGATE", 1), ("FARGATE_SPOT", 0)])) == [
        {"Base": 0, "CapacityProvider": "FARGATE", "Weight": 1}]
    assert plain(capacity_provider_strategy([("FARGATE", 1), ("FARGATE_SPOT", 4)], base=1)) == [
        {"Base": 1, "CapacityProvider": "FARGATE", "Weight": 1},
        {"CapacityProvider": "FARGATE_SPOT", "Weight": 4}]
