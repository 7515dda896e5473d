"""One application service as ECS runs it: its task, its ECS service, Service Connect and scaling."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from troposphere import Ref, Sub, Template, ecs

from ecs_templates.builders import service_connect
from ecs_templates.builders.network import awsvpc_network_configuration
from ecs_templates.builders.scaling import add_service_scaling, add_task_count_parameters
from ecs_templates.builders.service import add_service, capacity_provider_strategy
from ecs_templates.builders.template import add_output
from ecs_templates.config import database_user
from ecs_templates.config.container import Container
from ecs_templates.config.model import Config
from ecs_templates.config.rds_replacement import Replacement
from ecs_templates.config.topology import Service, Topology, service_name_of
from ecs_templates.naming import logical_id
from ecs_templates.stacks.common import add_application_task
from ecs_templates.stacks.services.storage import Storage
from ecs_templates.stacks.services.traffic import Entry

NETWORK_MODE = "awsvpc"
# A first start may copy an application onto an empty volume before the web server answers.
HEALTH_CHECK_GRACE_SECONDS = 300
TASK_ROLE_DESCRIPTION = ("ARN of an existing role for the containers of every service, e.g. LabRole's ARN in "
                         "the Learner Lab (it needs EFS client access). Empty: create one role per service, "
                         "allowed only to mount its own volumes.")


@dataclass(frozen=True)
class Placement:
    """Where a service runs: its capacity provider, launch compatibility and public IP setting."""

    provider: Any
    compatibility: str
    assign_public_ip: Any


@dataclass(frozen=True)
class Shared:
    """What every service of the stack uses: the cluster, the namespace, the entry, the storage, the secrets."""

    config: Config
    topology: Topology
    cluster: ecs.Cluster
    namespace: Any
    entry: Entry
    storage: Storage
    groups: dict[str, Any]
    subnets: list[Any]
    hosts: dict[str, Any]             # service name -> host its clients use (its name, or an RDS address)
    replacements: dict[str, Replacement]
    secrets: dict[str, Any]           # grows as services add theirs
    depends_on: list[Any]             # capacity provider associations


def _containers(service: Service, shared: Shared) -> list[Container]:
    """The service's containers: generated secrets added, and a user-setup container per RDS database it uses."""
    main = service.main
    if service.generated_secrets:
        main = replace(main, secrets=tuple(sorted(main.secrets + service.generated_secrets)))
    setups = []
    for server in sorted({link.server for link in shared.topology.links if link.client == service.name}):
        replacement = shared.replacements.get(server)
        if replacement is None:
            continue
        setup = database_user.setup_container(
            replacement.service.main, replacement.engine, database_name=replacement.database_name,
            user=replacement.user, password_secret=replacement.password_secret, port=replacement.port)
        setups.append(setup)
        main = database_user.after_setup(main, setup)
    # A published port (`host`) is the load balancer's listener here; the task listens on its container port.
    return [replace(c, ports=tuple(replace(p, host_port=None) for p in c.ports))
            for c in setups + [main, *service.containers[1:]]]


def _service_hosts(service: Service, shared: Shared) -> dict[str, Any]:
    """Container name -> host, for `uses` of containers in other services (their service's name)."""
    in_task = {container.name for container in service.containers}
    hosts = {}
    for container in shared.config.application.containers:
        owner = service_name_of(container)
        if container.name not in in_task and owner in shared.hosts:
            hosts[container.name] = shared.hosts[owner]
    return hosts


def add_application_service(template: Template, service: Service, shared: Shared, placement: Placement) -> ecs.Service:
    prefix = logical_id(service.name)
    containers = _containers(service, shared)
    port_names = {(endpoint.container, endpoint.port, endpoint.transport):
                  (endpoint.port_name, endpoint.app_protocol if endpoint.is_http else None)
                  for endpoint in service.endpoints}
    task = add_application_task(
        template, shared.config, family=service.name, family_name=Sub(f"${{AWS::StackName}}-{service.name}"),
        network_mode=NETWORK_MODE, compatibility=placement.compatibility, cpu=service.settings.cpu,
        memory=service.settings.memory, architecture=shared.config.services.architecture, containers=containers,
        service_hosts=_service_hosts(service, shared), volumes=shared.storage.volumes_of(service),
        secrets=shared.secrets, prefix=prefix, task_role_parameter_description=TASK_ROLE_DESCRIPTION,
        task_role_statements=shared.storage.statements_of(service), port_names=port_names)
    shared.secrets.update(task.secrets)
    public = service.public_endpoints
    extra: dict[str, Any] = {}
    if public:
        extra["LoadBalancers"] = [ecs.LoadBalancer(ContainerName=endpoint.container, ContainerPort=endpoint.port,
                                                   TargetGroupArn=Ref(shared.entry.target_groups[endpoint]))
                                  for endpoint in public]
        extra["HealthCheckGracePeriodSeconds"] = HEALTH_CHECK_GRACE_SECONDS
    served = [endpoint for endpoint in service.endpoints if endpoint.transport == "tcp"]
    by_name = {container.name: container for container in shared.config.application.containers}
    # Start order across services: CloudFormation creates a service once those it depends on are stable.
    in_task = {container.name for container in service.containers}
    after = {f"{logical_id(owner)}Service" for owner in (service_name_of(by_name[dependency.container])
                                                         for dependency in service.main.depends_on
                                                         if dependency.container not in in_task)
             if owner != service.name and owner not in shared.replacements}
    one = service.holds_data
    ecs_service = add_service(
        template, service.name, cluster=shared.cluster, task_definition=task.task_definition,
        desired_count=1 if one else service.settings.desired_tasks, logical_name=f"{prefix}Service",
        strategy=capacity_provider_strategy([(placement.provider, 1)]),
        network_configuration=awsvpc_network_configuration(
            subnets=shared.subnets, security_groups=[Ref(shared.groups[service.name])],
            assign_public_ip=placement.assign_public_ip),
        # Data: the old task stops before the new one starts (never two writers); else new before old.
        minimum_healthy_percent=0 if one else 100, maximum_percent=100 if one else 200,
        depends_on=[*shared.depends_on, *(shared.entry.listeners[e] for e in public),
                    *(shared.storage.mount_targets if service.volumes else []), *sorted(set(after))],
        ServiceConnectConfiguration=service_connect.configuration(
            shared.namespace, served, log_group=task.log_group, service=service.name),
        **extra)
    if not one:
        minimum, maximum = add_task_count_parameters(template, prefix=prefix, what=service.name,
                                                     minimum=service.settings.min_tasks,
                                                     maximum=service.settings.max_tasks)
        http = next((endpoint for endpoint in public if endpoint.is_http), None)
        add_service_scaling(template, prefix=prefix, cluster=shared.cluster, service=ecs_service,
                            minimum=minimum, maximum=maximum, cpu_percent=service.settings.cpu_target_percent,
                            requests_per_target=service.settings.requests_per_target,
                            load_balancer=shared.entry.application.load_balancer if http else None,
                            target_group=shared.entry.target_groups[http] if http else None)
    add_output(template, f"{prefix}ServiceName", ecs_service.GetAtt("Name"), f"ECS service running {service.name}")
    return ecs_service
