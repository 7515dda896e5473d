"""Stack `ecs-ec2`: the application on EC2 container instances (seed 3.3, annex 2)."""
from __future__ import annotations

from troposphere import Ref, Sub, Template

from ecs_templates.builders.capacity import add_ec2_capacity
from ecs_templates.builders.cluster import add_capacity_provider_associations, add_cluster
from ecs_templates.builders.iam import add_instance_profile
from ecs_templates.builders.names import add_ecs_name
from ecs_templates.builders.network import add_ingress_cidr_parameter, add_public_security_group, add_vpc_parameters
from ecs_templates.builders.service import add_service
from ecs_templates.builders.template import add_output, new_template
from ecs_templates.config.model import Config
from ecs_templates.errors import ConfigError
from ecs_templates.stacks.common import add_application_task, public_ports

NAME = "ecs-ec2"
SUMMARY = "the application on ECS with EC2 container instances (bridge network, capacity provider)"
NETWORK_MODE = "bridge"


def network_mode(config: Config) -> str:
    """bridge; host when a container asks for the host's network (compose `network_mode: host`).

    The host mode is the whole task's: its containers use the instance's network interface,
    reach each other on 127.0.0.1 and bind their container ports on the instance; EC2 only:
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#network_mode
    """
    host = any(container.linux is not None and container.linux.host_network
               for container in config.application.containers)
    return "host" if host else NETWORK_MODE


def build(config: Config) -> Template:
    deployment = config.ec2
    _check_host_ports(config)
    template = new_template(NAME, SUMMARY)
    vpc, subnets = add_vpc_parameters(template)
    mode = network_mode(config)
    ports = public_ports(config, mode)
    # No public port (a worker): no ingress rule, and so no AllowedCidr parameter to ask for.
    security_group = add_public_security_group(
        template, "InstanceSecurityGroup", vpc=vpc, ports=ports,
        source_cidr=add_ingress_cidr_parameter(template) if ports else None,
        description=f"Container instances of {deployment.cluster_name}: "
                    + (f"public TCP {', '.join(map(str, ports))} only" if ports else "no public port")
                    + "; database ports stay closed")
    # Names from parameters that default to the configured (the lab's) names: two copies can coexist.
    cluster = add_cluster(template, add_ecs_name(template, "ClusterName", kind="cluster",
                                                 default=deployment.cluster_name))
    instance_profile = add_instance_profile(template, cluster=cluster)
    capacity_provider = add_ec2_capacity(template, deployment.capacity, cluster=cluster,
                                         security_group=security_group, subnets=subnets,
                                         instance_profile=instance_profile, task_cpu=deployment.task_cpu,
                                         task_memory=deployment.task_memory)
    associations = add_capacity_provider_associations(
        template, cluster=cluster, providers=[Ref(capacity_provider)], default_provider=Ref(capacity_provider))
    task = add_application_task(
        template, config, family=deployment.task_family, network_mode=mode,
        family_name=add_ecs_name(template, "TaskFamily", kind="family", default=deployment.task_family), compatibility="EC2",
        cpu=deployment.task_cpu, memory=deployment.task_memory,
        architecture=deployment.capacity.architecture,
        # The containers' volumes (MariaDB's data directory) outlive a restart of the task on its instance.
        on_instance=True)
    service = add_service(
        template, add_ecs_name(template, "ServiceName", kind="service", default=deployment.service_name),
        cluster=cluster, task_definition=task.task_definition,
        desired_count=deployment.desired_count, capacity_provider=Ref(capacity_provider),
        # A fixed host port (80) allows one task per instance, and the data lives on that instance:
        # an update stops the old task before it starts the new one in its place (maximumPercent 100,
        # minimumHealthyPercent 0), so no second copy asks the capacity provider for a second
        # instance (which took the site, its address and its data elsewhere with 200 % / 100 %).
        # "the maximum percent parameter represents an upper limit on the number of tasks ... in
        # the RUNNING or PENDING state during a deployment": one site down for the restart, not moved.
        # https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html
        minimum_healthy_percent=0, maximum_percent=100,
        depends_on=[associations])
    add_output(template, "ClusterName", Ref(cluster), "ECS cluster")
    add_output(template, "ServiceName", service.GetAtt("Name"), "ECS service running the application")
    add_output(template, "SecurityGroupId", Ref(security_group), "Security group of the container instances")
    if ports:
        reach = ("http://<public DNS name of the container instance>"
                 + ("" if 80 in ports else f":{ports[0]}"))
        add_output(template, "SiteUrlHint",
                   Sub(f"{reach}: run scripts/url.sh ${{AWS::StackName}}, or open the EC2 console, "
                       f"instances of ${{AWS::StackName}}-container-instance"),
                   "How to reach the site (this single-task stack has no load balancer)")
    return template


def _check_host_ports(config: Config) -> None:
    """One instance binds each fixed host port once: two containers on one cannot share the task."""
    owner: dict[tuple[int, str], str] = {}
    for container in config.application.containers:
        for index, port in enumerate(container.ports):
            key = (port.host_port or 0, port.protocol)
            if key[0] and key in owner:
                raise ConfigError(f"{container.path}.ports[{index}].host",
                                  f"{container.name} and {owner[key]} both take host port {key[0]} of the "
                                  f"instance, which one task ({NAME}) cannot hold: give one another host port, "
                                  "or build ecs-services instead (`stacks:`), where each runs as its own service")
            owner[key] = container.name
