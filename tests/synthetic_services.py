"""A generated template of N ECS services, shaped like the services stack, for the diagram tests.

Names and images are deliberately unlike the default application: the diagrams must be
read from resource types and references alone. Service 0 is behind an internet-facing
ALB; each service reaches the next by its Service Connect name (`mesh`: every other one);
the first reaches an RDS database, the last mounts an EFS volume. Each service has a task
role, an execution role, a log group, a secret, a security group and target-tracking
scaling, as the real stack gives it.
"""
from __future__ import annotations

from typing import Any

NAMES = ("gateway", "orders", "payments", "catalog", "search", "cart", "users", "mailer", "reports", "audit",
         "ledger", "media")


def _title(name: str) -> str:
    return name.capitalize()


def services_template(count: int, *, mesh: bool = False) -> dict[str, Any]:
    names = NAMES[:count]
    resources: dict[str, Any] = {
        "Cluster": {"Type": "AWS::ECS::Cluster", "Properties": {}},
        "Namespace": {"Type": "AWS::ServiceDiscovery::PrivateDnsNamespace",
                      "Properties": {"Name": "shop.internal", "Vpc": {"Ref": "VpcId"}}},
        "BalancerGroup": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
            "GroupDescription": "public", "SecurityGroupIngress": [
                {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"}]}},
        "Balancer": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {
            "Scheme": "internet-facing", "SecurityGroups": [{"Ref": "BalancerGroup"}]}},
        "Targets": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup",
                    "Properties": {"Port": 8000, "Protocol": "HTTP", "TargetType": "ip"}},
        "Listener": {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {
            "LoadBalancerArn": {"Ref": "Balancer"}, "Port": 443, "Protocol": "HTTPS",
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "Targets"}}]}},
        "Store": {"Type": "AWS::RDS::DBInstance", "Properties": {"Engine": "postgres"}},
        "StoreSubnets": {"Type": "AWS::RDS::DBSubnetGroup", "Properties": {"DBSubnetGroupDescription": "db"}},
        "Files": {"Type": "AWS::EFS::FileSystem", "Properties": {"Encrypted": True}},
        "FilesTarget": {"Type": "AWS::EFS::MountTarget", "Properties": {"FileSystemId": {"Ref": "Files"}}},
    }
    resources["Store"]["Properties"]["DBSubnetGroupName"] = {"Ref": "StoreSubnets"}
    for index, name in enumerate(names):
        title, port = _title(name), 8000 + index
        peers = [other for other in range(count) if other != index] if mesh else [index + 1] * (index + 1 < count)
        environment = [{"Name": f"{NAMES[peer].upper()}_URL", "Value": f"http://{NAMES[peer]}:{8000 + peer}"}
                       for peer in peers]
        if index == 0:
            environment.append({"Name": "DB_HOST", "Value": {"Fn::GetAtt": ["Store", "Endpoint.Address"]}})
        container: dict[str, Any] = {
            "Name": name, "Image": f"example/{name}:1", "Environment": environment,
            "PortMappings": [{"ContainerPort": port, "Name": f"{name}-http"}],
            "Secrets": [{"Name": "TOKEN", "ValueFrom": {"Ref": f"{title}Secret"}}],
            "LogConfiguration": {"LogDriver": "awslogs", "Options": {"awslogs-group": {"Ref": f"{title}Logs"}}}}
        task: dict[str, Any] = {
            "Family": name, "NetworkMode": "awsvpc", "RequiresCompatibilities": ["FARGATE"],
            "TaskRoleArn": {"Fn::GetAtt": [f"{title}TaskRole", "Arn"]},
            "ExecutionRoleArn": {"Fn::GetAtt": [f"{title}ExecutionRole", "Arn"]},
            "ContainerDefinitions": [container]}
        if index == count - 1:
            task["Volumes"] = [{"Name": "data", "EFSVolumeConfiguration": {"FilesystemId": {"Ref": "Files"}}}]
            container["MountPoints"] = [{"SourceVolume": "data", "ContainerPath": "/data"}]
        service: dict[str, Any] = {
            "Cluster": {"Ref": "Cluster"}, "TaskDefinition": {"Ref": f"{title}Task"}, "DesiredCount": 1,
            "NetworkConfiguration": {"AwsvpcConfiguration": {"AssignPublicIp": "DISABLED",
                                                             "SecurityGroups": [{"Ref": f"{title}Group"}]}},
            "ServiceConnectConfiguration": {"Enabled": True, "Namespace": {"Ref": "Namespace"}, "Services": [
                {"PortName": f"{name}-http", "ClientAliases": [{"DnsName": name, "Port": port}]}]}}
        if index == 0:
            service["LoadBalancers"] = [{"ContainerName": name, "ContainerPort": port,
                                         "TargetGroupArn": {"Ref": "Targets"}}]
        resources.update({
            f"{title}Task": {"Type": "AWS::ECS::TaskDefinition", "Properties": task},
            f"{title}Service": {"Type": "AWS::ECS::Service", "Properties": service},
            f"{title}Secret": {"Type": "AWS::SecretsManager::Secret", "Properties": {}},
            f"{title}Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 30}},
            f"{title}TaskRole": {"Type": "AWS::IAM::Role", "Properties": {}},
            f"{title}ExecutionRole": {"Type": "AWS::IAM::Role", "Properties": {"Policies": [{"PolicyDocument": {
                "Statement": [{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
                               "Resource": {"Ref": f"{title}Secret"}}]}}]}},
            f"{title}Group": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": name}},
            f"{title}Scaling": {"Type": "AWS::ApplicationAutoScaling::ScalableTarget", "Properties": {
                "MinCapacity": 1, "MaxCapacity": 4,
                "ResourceId": {"Fn::Sub": f"service/${{Cluster}}/${{{title}Service.Name}}"}}},
            f"{title}CpuPolicy": {"Type": "AWS::ApplicationAutoScaling::ScalingPolicy", "Properties": {
                "ScalingTargetId": {"Ref": f"{title}Scaling"}}},
        })
    return {"AWSTemplateFormatVersion": "2010-09-09",
            "Description": f"ecs-templates test | shop: {count} services behind an ALB, with RDS and EFS",
            "Parameters": {"VpcId": {"Type": "AWS::EC2::VPC::Id"}}, "Resources": resources}


def services_config(count: int, *, host_only: str | None = None) -> dict[str, Any]:
    """An application config of `count` services (3 to 10), built by the real services stacks.

    Service 0 is public HTTP behind the ALB, service 2 also publishes TCP 1883 (the NLB); each
    service uses the next one, every other one uses the database (a postgres image, the last
    service, with its data on a volume), and service 1 keeps uploads on a volume. `host_only`
    names a service whose clients get its host name without a port, so that only the security
    group rules tell that they connect.
    """
    assert 3 <= count <= len(NAMES)
    names = NAMES[:count]
    database = names[-1]
    containers: dict[str, Any] = {}
    for index, name in enumerate(names[:-1]):
        ports: list[dict[str, Any]] = [{"container": 8000 + index, "public": index == 0}]
        if index == 2:
            ports.append({"container": 1883, "public": True, "app_protocol": "tcp"})
        uses = []
        if index + 1 < count - 1:
            uses.append({"container": names[index + 1], "port": 8001 + index, "env": "NEXT_URL"})
        if index % 2 == 0:
            uses.append({"container": database, "port": 5432, "env": "DB_HOST"})
        for use in uses:
            if use["container"] == host_only:
                use["format"] = "{host}"
        containers[name] = {"image": f"example/{name}:1", "ports": ports, "uses": uses}
    containers[names[1]]["mounts"] = [{"volume": "uploads", "path": "/srv/uploads"}]
    containers[database] = {
        "image": "postgres:16", "ports": [{"container": 5432}],
        "environment": {"POSTGRES_DB": "shop", "POSTGRES_USER": "shop"},
        "secrets": {"POSTGRES_PASSWORD": "db-password"},
        "mounts": [{"volume": "pgdata", "path": "/var/lib/postgresql/data"}]}
    return {"application": {"extends": "none", "name": "shop",
                            "secrets": {"db-password": {"description": "the database user's password"}},
                            "containers": containers},
            # cfn-lint lists the major-only postgres versions ("16", "17") as deprecated (W3691): a minor one here.
            "services": {"rds": {"engine_version": "17.5"}},
            "stacks": ["ecs-services", "ecs-services-rds"]}
