"""A small template holding each resource shape of the N-service stacks, built with troposphere.

The shapes are those the `ecs-services` / `ecs-services-rds` stacks use (issue 15): a Cloud
Map HTTP namespace as the cluster's Service Connect default; a server service and a
client-only service with ServiceConnectConfiguration; named port mappings with AppProtocol;
an ALB with two listeners and a host-header / path-pattern rule; an NLB with security groups
and TCP and UDP target groups and listeners; an EFS file system under `CreateFileSystem`,
referred to through `Fn::If`; an RDS instance restored from a snapshot through `Fn::If`; and
TCP, UDP and NFS ingress between the services' groups. tests/test_emulator_services_shapes.py
deploys it against the emulator.
"""
from __future__ import annotations

from typing import Any

from awacs.aws import Allow, PolicyDocument, Principal, Statement
from awacs.sts import AssumeRole
from troposphere import (Equals, GetAtt, If, Not, NoValue, Output, Parameter, Ref, Select, Sub, Tags,
                         Template, ec2, ecs, efs, iam, logs, rds, servicediscovery)
from troposphere import elasticloadbalancingv2 as elb

CREATE_FILE_SYSTEM, HAS_SNAPSHOT = "CreateFileSystem", "HasSnapshot"
WEB_PORT, ADMIN_PORT, GAME_TCP, GAME_UDP = 80, 8080, 7000, 7001
EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"


def group(template: Template, name: str, vpc: Any, description: str) -> ec2.SecurityGroup:
    return template.add_resource(ec2.SecurityGroup(
        name, GroupDescription=description, VpcId=vpc,
        SecurityGroupEgress=[ec2.SecurityGroupRule(IpProtocol="-1", CidrIp="0.0.0.0/0",
                                                   Description="Outbound: anywhere")]))


def ingress(template: Template, name: str, target: ec2.SecurityGroup, protocol: str, port: int,
            source: ec2.SecurityGroup | None = None) -> None:
    source_rule = {"SourceSecurityGroupId": Ref(source)} if source else {"CidrIp": "0.0.0.0/0"}
    template.add_resource(ec2.SecurityGroupIngress(
        name, GroupId=Ref(target), IpProtocol=protocol, FromPort=port, ToPort=port,
        Description=f"{protocol.upper()} {port} to {target.title}", **source_rule))


def target_group(template: Template, name: str, vpc: Any, protocol: str, port: int) -> elb.TargetGroup:
    health = ({"HealthCheckProtocol": "HTTP", "HealthCheckPath": "/"} if protocol == "HTTP"
              else {"HealthCheckProtocol": "TCP", "HealthCheckPort": str(GAME_TCP)})
    return template.add_resource(elb.TargetGroup(name, VpcId=vpc, TargetType="ip", Protocol=protocol, Port=port,
                                                 **health))


def forward(group_: elb.TargetGroup) -> list[elb.Action]:
    return [elb.Action(Type="forward", TargetGroupArn=Ref(group_))]


def task(template: Template, name: str, role: iam.Role, log_group: logs.LogGroup,
         mappings: list[ecs.PortMapping], volume: ecs.Volume) -> ecs.TaskDefinition:
    return template.add_resource(ecs.TaskDefinition(
        name, Family=name.lower(), NetworkMode="awsvpc", RequiresCompatibilities=["FARGATE"], Cpu="256",
        Memory="512", ExecutionRoleArn=GetAtt(role, "Arn"), Volumes=[volume],
        ContainerDefinitions=[ecs.ContainerDefinition(
            Name=name.lower(), Image=Sub("public.ecr.aws/docker/library/nginx:${ImageTag}"), Essential=True,
            PortMappings=mappings,
            MountPoints=[ecs.MountPoint(SourceVolume="data", ContainerPath="/data", ReadOnly=False)],
            LogConfiguration=ecs.LogConfiguration(LogDriver="awslogs", Options={
                "awslogs-group": Ref(log_group), "awslogs-region": Ref("AWS::Region"),
                "awslogs-stream-prefix": name.lower()}))]))


def shapes_template() -> dict[str, Any]:
    template = Template(Description="Each resource shape of the N-service stacks")
    vpc = Ref(template.add_parameter(Parameter("VpcId", Type="AWS::EC2::VPC::Id")))
    subnets = Ref(template.add_parameter(Parameter("SubnetIds", Type="List<AWS::EC2::Subnet::Id>")))
    template.add_parameter(Parameter("ImageTag", Type="String", Default="1.27", AllowedPattern="^[\\w.-]+$"))
    namespace_name = template.add_parameter(Parameter(
        "NamespaceName", Type="String", Default="shapes", AllowedPattern="^[a-z][a-z0-9-]*$"))
    existing = template.add_parameter(Parameter(
        "ExistingFileSystemId", Type="String", Default="", AllowedPattern="^$|^fs-[0-9a-f]+$"))
    snapshot = template.add_parameter(Parameter(
        "DatabaseSnapshotIdentifier", Type="String", Default="", AllowedPattern="^$|^[a-zA-Z][a-zA-Z0-9:-]*$"))
    template.add_condition(CREATE_FILE_SYSTEM, Equals(Ref(existing), ""))
    template.add_condition(HAS_SNAPSHOT, Not(Equals(Ref(snapshot), "")))
    file_system_id = If(CREATE_FILE_SYSTEM, Ref("FileSystem"), Ref(existing))

    namespace = template.add_resource(servicediscovery.HttpNamespace("Namespace", Name=Ref(namespace_name)))
    cluster = template.add_resource(ecs.Cluster(
        "Cluster", ClusterName="shapes", ServiceConnectDefaults=ecs.ServiceConnectDefaults(
            Namespace=GetAtt(namespace, "Arn"))))
    log_group = template.add_resource(logs.LogGroup(
        "LogGroup", RetentionInDays=7, DeletionPolicy="Retain", UpdateReplacePolicy="Retain"))
    role = template.add_resource(iam.Role(
        "ExecutionRole", ManagedPolicyArns=[EXECUTION_POLICY], AssumeRolePolicyDocument=PolicyDocument(
            Version="2012-10-17", Statement=[Statement(
                Effect=Allow, Action=[AssumeRole], Principal=Principal("Service", "ecs-tasks.amazonaws.com"))])))

    balancer_group = group(template, "LoadBalancerGroup", vpc, "ALB: HTTP from anywhere")
    network_group = group(template, "NetworkBalancerGroup", vpc, "NLB: game ports from anywhere")
    web_group = group(template, "WebGroup", vpc, "web service")
    game_group = group(template, "GameGroup", vpc, "game service")
    storage_group = group(template, "FileSystemGroup", vpc, "EFS: NFS from the services")
    database_group = group(template, "DatabaseGroup", vpc, "RDS: MySQL from the web service")
    for port in (WEB_PORT, ADMIN_PORT):
        ingress(template, f"BalancerIngress{port}", balancer_group, "tcp", port)
    ingress(template, "NetworkIngressTcp", network_group, "tcp", GAME_TCP)
    ingress(template, "NetworkIngressUdp", network_group, "udp", GAME_UDP)
    ingress(template, "WebFromBalancer", web_group, "tcp", WEB_PORT, balancer_group)
    ingress(template, "GameFromNetworkTcp", game_group, "tcp", GAME_TCP, network_group)
    ingress(template, "GameFromNetworkUdp", game_group, "udp", GAME_UDP, network_group)
    ingress(template, "GameFromWebUdp", game_group, "udp", GAME_UDP, web_group)
    ingress(template, "DatabaseFromWeb", database_group, "tcp", 3306, web_group)
    for source in (web_group, game_group):
        ingress(template, f"NfsFrom{source.title}", storage_group, "tcp", 2049, source)

    template.add_resource(efs.FileSystem(
        "FileSystem", Condition=CREATE_FILE_SYSTEM, DeletionPolicy="Retain", UpdateReplacePolicy="Retain",
        Encrypted=True, FileSystemTags=Tags(Name="shapes")))
    for index in (0, 1):
        template.add_resource(efs.MountTarget(
            f"MountTarget{index}", FileSystemId=file_system_id, SubnetId=Select(index, subnets),
            SecurityGroups=[Ref(storage_group)]))
    access_point = template.add_resource(efs.AccessPoint(
        "DataAccessPoint", FileSystemId=file_system_id,
        PosixUser=efs.PosixUser(Uid="1000", Gid="1000"),
        RootDirectory=efs.RootDirectory(Path="/data", CreationInfo=efs.CreationInfo(
            OwnerUid="1000", OwnerGid="1000", Permissions="0750"))))
    volume = ecs.Volume(Name="data", EFSVolumeConfiguration=ecs.EFSVolumeConfiguration(
        FilesystemId=file_system_id, TransitEncryption="ENABLED",
        AuthorizationConfig=ecs.AuthorizationConfig(AccessPointId=Ref(access_point), IAM="DISABLED")))

    web_task = task(template, "Web", role, log_group, [
        ecs.PortMapping(Name=f"web-{WEB_PORT}", ContainerPort=WEB_PORT, Protocol="tcp", AppProtocol="http")], volume)
    game_task = task(template, "Game", role, log_group, [
        ecs.PortMapping(Name=f"game-{GAME_TCP}", ContainerPort=GAME_TCP, Protocol="tcp"),
        ecs.PortMapping(Name=f"game-{GAME_UDP}", ContainerPort=GAME_UDP, Protocol="udp")], volume)

    public_subnets = [Select(0, subnets), Select(1, subnets)]
    alb = template.add_resource(elb.LoadBalancer(
        "LoadBalancer", Type="application", Scheme="internet-facing", Subnets=public_subnets,
        SecurityGroups=[Ref(balancer_group)]))
    web_tg = target_group(template, "WebTargetGroup", vpc, "HTTP", WEB_PORT)
    admin_tg = target_group(template, "AdminTargetGroup", vpc, "HTTP", WEB_PORT)
    web_listener = template.add_resource(elb.Listener(
        "WebListener", LoadBalancerArn=Ref(alb), Port=WEB_PORT, Protocol="HTTP", DefaultActions=forward(web_tg)))
    template.add_resource(elb.Listener(
        "AdminListener", LoadBalancerArn=Ref(alb), Port=ADMIN_PORT, Protocol="HTTP",
        DefaultActions=forward(admin_tg)))
    template.add_resource(elb.ListenerRule(
        "AdminRule", ListenerArn=Ref(web_listener), Priority=10, Conditions=[
            elb.Condition(Field="host-header", HostHeaderConfig=elb.HostHeaderConfig(Values=["admin.example.com"])),
            elb.Condition(Field="path-pattern", PathPatternConfig=elb.PathPatternConfig(Values=["/admin/*"]))],
        Actions=[elb.ListenerRuleAction(Type="forward", TargetGroupArn=Ref(admin_tg))]))
    nlb = template.add_resource(elb.LoadBalancer(
        "NetworkLoadBalancer", Type="network", Scheme="internet-facing", Subnets=public_subnets,
        SecurityGroups=[Ref(network_group)]))
    game_tcp_tg = target_group(template, "GameTcpTargetGroup", vpc, "TCP", GAME_TCP)
    game_udp_tg = target_group(template, "GameUdpTargetGroup", vpc, "UDP", GAME_UDP)
    for protocol, port, tg in (("TCP", GAME_TCP, game_tcp_tg), ("UDP", GAME_UDP, game_udp_tg)):
        template.add_resource(elb.Listener(
            f"Game{protocol.title()}Listener", LoadBalancerArn=Ref(nlb), Port=port, Protocol=protocol,
            DefaultActions=forward(tg)))

    log = ecs.LogConfiguration(LogDriver="awslogs", Options={
        "awslogs-group": Ref(log_group), "awslogs-region": Ref("AWS::Region"), "awslogs-stream-prefix": "connect"})
    connect = {
        "Web": ecs.ServiceConnectConfiguration(
            Enabled=True, Namespace=GetAtt(namespace, "Arn"), LogConfiguration=log, Services=[
                ecs.ServiceConnectService(PortName=f"web-{WEB_PORT}", DiscoveryName=f"web-{WEB_PORT}",
                                          ClientAliases=[ecs.ServiceConnectClientAlias(Port=WEB_PORT, DnsName="web")])]),
        "Game": ecs.ServiceConnectConfiguration(Enabled=True, Namespace=GetAtt(namespace, "Arn"), LogConfiguration=log),
    }
    balancers = {"Web": [(web_tg, WEB_PORT), (admin_tg, WEB_PORT)], "Game": [(game_tcp_tg, GAME_TCP),
                                                                            (game_udp_tg, GAME_UDP)]}
    listeners = {"Web": ["WebListener", "AdminListener"], "Game": ["GameTcpListener", "GameUdpListener"]}
    for name, task_definition, security_group in (("Web", web_task, web_group), ("Game", game_task, game_group)):
        template.add_resource(ecs.Service(
            f"{name}Service", ServiceName=name.lower(), Cluster=Ref(cluster), TaskDefinition=Ref(task_definition),
            DesiredCount=1, LaunchType="FARGATE", DependsOn=listeners[name],
            NetworkConfiguration=ecs.NetworkConfiguration(AwsvpcConfiguration=ecs.AwsvpcConfiguration(
                Subnets=subnets, SecurityGroups=[Ref(security_group)], AssignPublicIp="ENABLED")),
            LoadBalancers=[ecs.LoadBalancer(ContainerName=name.lower(), ContainerPort=port,
                                            TargetGroupArn=Ref(tg)) for tg, port in balancers[name]],
            ServiceConnectConfiguration=connect[name]))

    subnet_group = template.add_resource(rds.DBSubnetGroup(
        "DatabaseSubnets", DBSubnetGroupDescription="database subnets", SubnetIds=subnets))
    template.add_resource(rds.DBInstance(
        "Database", DeletionPolicy="Snapshot", UpdateReplacePolicy="Snapshot", Engine="mysql",
        EngineVersion="8.4.11", DBInstanceClass="db.t4g.micro", AllocatedStorage="20", StorageEncrypted=True,
        DBSnapshotIdentifier=If(HAS_SNAPSHOT, Ref(snapshot), NoValue),
        DBName=If(HAS_SNAPSHOT, NoValue, "shapes"), MasterUsername=If(HAS_SNAPSHOT, NoValue, "admin"),
        ManageMasterUserPassword=True, DBSubnetGroupName=Ref(subnet_group),
        VPCSecurityGroups=[Ref(database_group)], PubliclyAccessible=False, BackupRetentionPeriod=7,
        Tags=Tags(Name="shapes")))
    template.add_output(Output("FileSystemId", Value=file_system_id))
    return template.to_dict()
