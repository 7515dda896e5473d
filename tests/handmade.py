"""Small hand-made templates and a round-number price table for the documentation tests.

They stand for stacks that do not exist yet in this build (Fargate behind an ALB with
EFS and RDS; two services that reach each other by name), so diagram and cost are
tested on resource types before any builder makes them.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

# Round numbers so that expected figures can be worked out by hand in the tests.
TEST_PRICES: dict[str, Any] = {
    "as_of": "2024-01-31",
    "source": "test table",
    "currency": "USD",
    "regions": {
        "test-1": {
            "ec2_hourly": {"t4g.medium": 0.04, "t3.large": 0.1},
            "ebs_gb_month": {"gp3": 0.1},
            "fargate": {"arm64": {"vcpu_hour": 0.04, "gb_hour": 0.004},
                        "x86_64": {"vcpu_hour": 0.05, "gb_hour": 0.005},
                        "spot": {"vcpu_hour": 0.015, "gb_hour": 0.0015}},
            "alb": {"hour": 0.02, "lcu_hour": 0.01},
            "nlb": {"hour": 0.02, "nlcu_hour": 0.005},
            "efs_gb_month": 0.3,
            "rds_hourly": {"db.t4g.micro": 0.02},
            "rds_storage_gb_month": {"gp3": 0.1},
            "secrets_manager_secret_month": 0.5,
            "cloudwatch_logs": {"ingest_gb": 0.5, "storage_gb_month": 0.03},
            "ecr_gb_month": 0.1,
            "data_transfer_out_gb": 0.1,
            "public_ipv4_hour": 0.005,
        },
        "test-2": {"same_as": "test-1"},
    },
}


def write_prices(path: Path, table: dict[str, Any] | None = None) -> Path:
    path.write_text(json.dumps(table if table is not None else TEST_PRICES))
    return path


def prices_with(change) -> dict[str, Any]:
    """A copy of TEST_PRICES changed by `change(region_dict)`."""
    table = copy.deepcopy(TEST_PRICES)
    change(table["regions"]["test-1"])
    return table


def fargate_alb_efs_rds() -> dict[str, Any]:
    """Fargate tasks (2 on-demand + 3 Spot, X86_64: Spot runs no ARM64 task) behind an ALB, with EFS and RDS."""
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "ecs-templates test | ecs-services: WordPress on Fargate behind an ALB, EFS and RDS",
        "Parameters": {
            "DbClass": {"Type": "String", "Default": "db.t4g.micro", "Description": "RDS class"},
            "VpcId": {"Type": "AWS::EC2::VPC::Id", "Description": "VPC"},
        },
        "Resources": {
            "LoadBalancerSecurityGroup": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
                "GroupDescription": "public 80", "VpcId": {"Ref": "VpcId"},
                "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80,
                                          "CidrIp": "0.0.0.0/0"}]}},
            "TaskSecurityGroup": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
                "GroupDescription": "from the ALB", "VpcId": {"Ref": "VpcId"},
                "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80,
                                          "SourceSecurityGroupId": {"Ref": "LoadBalancerSecurityGroup"}}]}},
            "LoadBalancer": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {
                "Scheme": "internet-facing", "SecurityGroups": [{"Ref": "LoadBalancerSecurityGroup"}]}},
            "TargetGroup": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {
                "Port": 80, "Protocol": "HTTP", "TargetType": "ip", "VpcId": {"Ref": "VpcId"}}},
            "Listener": {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {
                "LoadBalancerArn": {"Ref": "LoadBalancer"}, "Port": 80, "Protocol": "HTTP",
                "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "TargetGroup"}}]}},
            "FileSystem": {"Type": "AWS::EFS::FileSystem", "Properties": {"Encrypted": True}},
            "Database": {"Type": "AWS::RDS::DBInstance", "Properties": {
                "DBInstanceClass": {"Ref": "DbClass"}, "Engine": "mariadb", "AllocatedStorage": "20",
                "StorageType": "gp3", "MultiAZ": False}},
            "DbPasswordSecret": {"Type": "AWS::SecretsManager::Secret", "Properties": {}},
            "LogGroup": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 14}},
            "Namespace": {"Type": "AWS::ServiceDiscovery::PrivateDnsNamespace", "Properties": {
                "Name": "wordpress.local", "Vpc": {"Ref": "VpcId"}}},
            "Cluster": {"Type": "AWS::ECS::Cluster", "Properties": {}},
            "TaskDefinition": {"Type": "AWS::ECS::TaskDefinition", "Properties": {
                "Family": "wordpress-services", "Cpu": "512", "Memory": "1024", "NetworkMode": "awsvpc",
                "RequiresCompatibilities": ["FARGATE"],
                "RuntimePlatform": {"CpuArchitecture": "X86_64", "OperatingSystemFamily": "LINUX"},
                "Volumes": [{"Name": "wp-content",
                             "EFSVolumeConfiguration": {"FilesystemId": {"Ref": "FileSystem"}}}],
                "ContainerDefinitions": [{
                    "Name": "wordpress", "Image": "wordpress:latest",
                    "PortMappings": [{"ContainerPort": 80}],
                    "Environment": [{"Name": "WORDPRESS_DB_HOST",
                                     "Value": {"Fn::GetAtt": ["Database", "Endpoint.Address"]}}],
                    "Secrets": [{"Name": "WORDPRESS_DB_PASSWORD", "ValueFrom": {"Ref": "DbPasswordSecret"}}],
                    "MountPoints": [{"SourceVolume": "wp-content", "ContainerPath": "/var/www/html"}],
                    "LogConfiguration": {"LogDriver": "awslogs", "Options": {"awslogs-group": {"Ref": "LogGroup"}}},
                }]}},
            "Service": {"Type": "AWS::ECS::Service", "DependsOn": "Listener", "Properties": {
                "Cluster": {"Ref": "Cluster"}, "TaskDefinition": {"Ref": "TaskDefinition"}, "DesiredCount": 5,
                "CapacityProviderStrategy": [{"CapacityProvider": "FARGATE", "Base": 1, "Weight": 1},
                                             {"CapacityProvider": "FARGATE_SPOT", "Weight": 3}],
                "LoadBalancers": [{"ContainerName": "wordpress", "ContainerPort": 80,
                                   "TargetGroupArn": {"Ref": "TargetGroup"}}],
                "NetworkConfiguration": {"AwsvpcConfiguration": {
                    "AssignPublicIp": "DISABLED", "SecurityGroups": [{"Ref": "TaskSecurityGroup"}]}}}},
            "ScalableTarget": {"Type": "AWS::ApplicationAutoScaling::ScalableTarget", "Properties": {
                "MaxCapacity": 8, "MinCapacity": 1, "ScalableDimension": "ecs:service:DesiredCount",
                "ServiceNamespace": "ecs", "ResourceId": {"Fn::Sub": "service/${Cluster}/${Service.Name}"}}},
        },
    }


def two_services_by_name() -> dict[str, Any]:
    """WordPress and MariaDB as two Fargate services with public IPs; WordPress reaches mariadb by DNS name."""
    def task(name: str, port: int, environment: list[dict[str, Any]]) -> dict[str, Any]:
        return {"Type": "AWS::ECS::TaskDefinition", "Properties": {
            "Family": name, "Cpu": "256", "Memory": "512", "NetworkMode": "awsvpc",
            "RequiresCompatibilities": ["FARGATE"],
            "ContainerDefinitions": [{"Name": name, "Image": f"{name}:latest", "PortMappings": [{"ContainerPort": port}],
                                      "Environment": environment}]}}

    def service(task_name: str, public: str) -> dict[str, Any]:
        return {"Type": "AWS::ECS::Service", "Properties": {
            "TaskDefinition": {"Ref": task_name}, "LaunchType": "FARGATE", "DesiredCount": 1,
            "NetworkConfiguration": {"AwsvpcConfiguration": {"AssignPublicIp": public}}}}

    return {
        "Description": "ecs-templates test | two-services: WordPress and MariaDB as separate services",
        "Resources": {
            "Ingress": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
                "GroupDescription": "web", "SecurityGroupIngress": [
                    {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "0.0.0.0/0"}]}},
            "WordpressTask": task("wordpress", 80, [{"Name": "WORDPRESS_DB_HOST",
                                                    "Value": "mariadb.wordpress.local:3306"}]),
            "MariadbTask": task("mariadb", 3306, []),
            "WordpressService": service("WordpressTask", "ENABLED"),
            "MariadbService": service("MariadbTask", "DISABLED"),
        },
    }
