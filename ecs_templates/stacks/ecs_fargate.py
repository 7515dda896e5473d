"""Stack `ecs-fargate`: the application on AWS Fargate (seed 3.4, annex 3), the way that works.

The seed's Fargate task never reached its database: annex 3 set
`WORDPRESS_DB_HOST=localhost:3306`. Here the address comes from the application's `uses`
rendered for awsvpc (`127.0.0.1:3306`), WordPress waits for MariaDB to be HEALTHY, and
the task size is checked against the Fargate table when the template is built.
"""
from __future__ import annotations

from troposphere import Ref, Sub, Template

from ecs_templates.builders.cluster import add_capacity_provider_associations, add_cluster
from ecs_templates.builders.names import add_ecs_name
from ecs_templates.builders.network import (
    add_assign_public_ip_parameter,
    add_ingress_cidr_parameter,
    add_public_security_group,
    add_vpc_parameters,
    awsvpc_network_configuration,
)
from ecs_templates.builders.service import add_service, capacity_provider_strategy
from ecs_templates.builders.template import add_output, new_template
from ecs_templates.config.model import Config
from ecs_templates.stacks.common import add_application_task, public_ports

NAME = "ecs-fargate"
SUMMARY = "the application on ECS with AWS Fargate (awsvpc network, FARGATE and FARGATE_SPOT)"
NETWORK_MODE = "awsvpc"
FARGATE, FARGATE_SPOT = "FARGATE", "FARGATE_SPOT"

# The task's public IP, from the shell: the service's task -> its network interface -> its public IP.
PUBLIC_IP_COMMAND = (
    "aws ec2 describe-network-interfaces --region ${AWS::Region} "
    "--query 'NetworkInterfaces[0].Association.PublicIp' --output text --network-interface-ids "
    "$(aws ecs describe-tasks --region ${AWS::Region} --cluster ${Cluster} "
    "--query \"tasks[0].attachments[0].details[?name=='networkInterfaceId'].value\" --output text "
    "--tasks $(aws ecs list-tasks --region ${AWS::Region} --cluster ${Cluster} "
    "--service-name ${Service} --query 'taskArns[0]' --output text))"
)


def build(config: Config) -> Template:
    deployment = config.fargate
    assert deployment is not None  # Config fills in the default deployment
    template = new_template(NAME, SUMMARY)
    vpc, subnets = add_vpc_parameters(template)
    ports = public_ports(config, NETWORK_MODE)
    # Under awsvpc the security group belongs to the task's own network interface.
    # No public port (a worker): no ingress rule, and so no AllowedCidr parameter to ask for.
    security_group = add_public_security_group(
        template, "TaskSecurityGroup", vpc=vpc, ports=ports,
        source_cidr=add_ingress_cidr_parameter(template) if ports else None,
        description=f"Tasks of {deployment.service_name}: "
                    + (f"public TCP {', '.join(map(str, ports))} only" if ports else "no public port")
                    + "; database ports stay closed")
    assign_public_ip = add_assign_public_ip_parameter(template)
    # Names from parameters that default to the configured (the lab's) names: two copies can coexist.
    cluster = add_cluster(template, add_ecs_name(template, "ClusterName", kind="cluster",
                                                 default=deployment.cluster_name))
    associations = add_capacity_provider_associations(
        template, cluster=cluster, providers=[FARGATE, FARGATE_SPOT], default_provider=FARGATE)
    task = add_application_task(
        template, config, family=deployment.task_family, network_mode=NETWORK_MODE,
        family_name=add_ecs_name(template, "TaskFamily", kind="family", default=deployment.task_family),
        compatibility="FARGATE", cpu=deployment.task_cpu, memory=deployment.task_memory,
        architecture=deployment.architecture)
    service = add_service(
        template, add_ecs_name(template, "ServiceName", kind="service", default=deployment.service_name),
        cluster=cluster, task_definition=task.task_definition,
        desired_count=deployment.desired_count,
        strategy=capacity_provider_strategy([(FARGATE, 1), (FARGATE_SPOT, deployment.spot_weight)]),
        network_configuration=awsvpc_network_configuration(
            subnets=subnets, security_groups=[Ref(security_group)], assign_public_ip=assign_public_ip),
        # Each task has its own address: the new task starts before the old one stops.
        minimum_healthy_percent=100, maximum_percent=200,
        depends_on=[associations])
    add_output(template, "ClusterName", Ref(cluster), "ECS cluster")
    add_output(template, "ServiceName", service.GetAtt("Name"), "ECS service running the application")
    add_output(template, "SecurityGroupId", Ref(security_group), "Security group of the tasks")
    if ports:
        reach = "http://<public IP of the task>" + ("" if 80 in ports else f":{ports[0]}")
        add_output(template, "SiteUrlHint",
                   Sub(f"{reach}: run scripts/url.sh ${{AWS::StackName}}, or the PublicIpCommand output, "
                       "or open the ECS console, cluster ${Cluster}, the task, its Public IP",
                       Cluster=Ref(cluster)),
                   "How to reach the site (each task has its own public IP; there is no load balancer)")
    add_output(template, "PublicIpCommand",
               Sub(PUBLIC_IP_COMMAND, Cluster=Ref(cluster), Service=service.GetAtt("Name")),
               "AWS CLI command that prints the public IP of the running task")
    return template
