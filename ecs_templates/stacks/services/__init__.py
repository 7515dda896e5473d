"""Stacks `ecs-services` and `ecs-services-rds`: every application service its own ECS service.

    internet -> ALB (HTTP, 80/443) / NLB (TCP, UDP) -> the public services (scaled on CPU and
    requests) -> the services they use, found by name through ECS Service Connect -> named
    volumes on EFS (Retain) and, in ecs-services-rds, Amazon RDS in place of the database services.

A service that holds data (a database image, or a volume no two tasks may write) runs one
task and a stop-before-start deployment; the others scale between <Service>MinTasks and
<Service>MaxTasks. The stack knows nothing about particular images: config/images.py does.
"""
from __future__ import annotations

from typing import Any, Callable

from troposphere import GetAtt, Ref, Select, Template

from ecs_templates.builders import rds, service_connect
from ecs_templates.builders.capacity import add_ec2_capacity
from ecs_templates.builders.cluster import add_capacity_provider_associations, add_cluster
from ecs_templates.builders.iam import add_instance_profile
from ecs_templates.builders.load_balancer import add_deletion_protection_parameter, site_url
from ecs_templates.builders.names import add_ecs_name
from ecs_templates.builders.network import (
    SUBNETS_DESCRIPTION,
    add_assign_public_ip_parameter,
    add_ingress_cidr_parameter,
    add_security_group,
    add_vpc_parameters,
)
from ecs_templates.builders.secrets import add_reusable_secret
from ecs_templates.builders.template import add_output, new_template
from ecs_templates.config import database_user
from ecs_templates.config.application import GeneratedSecret
from ecs_templates.config.container_options import fargate_refusals
from ecs_templates.config.model import Config
from ecs_templates.config.rds_replacement import replacements
from ecs_templates.config.topology import topology
from ecs_templates.naming import logical_id
from ecs_templates.stacks.common import add_secrets_kms_key
from ecs_templates.stacks.services.storage import add_storage
from ecs_templates.stacks.services.tasks import Placement, Shared, add_application_service
from ecs_templates.stacks.services.traffic import add_entry, add_service_groups

NAME, RDS_NAME = "ecs-services", "ecs-services-rds"
SUMMARIES = {
    NAME: "one ECS service per application service, found by name (Service Connect), behind load balancers, "
          "volumes on EFS",
    RDS_NAME: "one ECS service per application service, found by name (Service Connect), behind load balancers, "
              "volumes on EFS; Amazon RDS in place of the database services",
}
FARGATE = "FARGATE"


def builder(stack: str) -> Callable[[Config], Template]:
    return lambda config: build(config, stack)


def build(config: Config, stack: str = NAME) -> Template:
    result = topology(config)
    replaced = {r.service.name: r for r in replacements(config, result)} if stack == RDS_NAME else {}
    running = [service for service in result.services if service.name not in replaced]
    settings, app = config.services, config.application

    template = new_template(stack, SUMMARIES[stack])
    vpc, subnets = add_vpc_parameters(template, subnets_description=SUBNETS_DESCRIPTION)
    task_subnets = [Select(0, subnets), Select(1, subnets)]
    has_public = any(service.public_endpoints for service in running)
    # Load balancers and databases refuse deletion while it is on; a stack with neither has no such parameter.
    deletion_protection = add_deletion_protection_parameter(template) if has_public or replaced else "false"
    entry = add_entry(template, running, result, vpc=vpc, subnets=subnets,
                      source_cidr=add_ingress_cidr_parameter(template) if has_public else None,
                      certificate_default=settings.certificate_arn, deletion_protection=deletion_protection)

    database_groups = {name: add_security_group(
        template, logical_id(name, "database", "security", "group"), vpc=vpc, ingress=[],
        description=f"RDS database of {name}: TCP {r.port} from the services that use it only; never public",
        egress_description="Outbound: AWS default; the database only answers") for name, r in replaced.items()}
    groups = add_service_groups(template, running, result, entry, vpc=vpc, databases=database_groups)
    storage = add_storage(template, running, vpc=vpc, subnets=task_subnets, groups=groups)

    namespace = service_connect.add_namespace(template, default=settings.namespace_for(app.name))
    cluster = add_cluster(template, add_ecs_name(template, "ClusterName", kind="cluster",
                                                 default=f"{app.name}-{stack.removeprefix('ecs-')}-cluster"),
                          service_connect=service_connect.cluster_defaults(namespace))
    placements, associations = _capacity(template, config, running, cluster=cluster, vpc=vpc, subnets=task_subnets)

    secrets: dict[str, Any] = {}
    hosts: dict[str, Any] = {service.name: service.name for service in running}
    for name, replacement in replaced.items():
        instance = rds.add_database(template, settings.rds, replacement, subnets=subnets,
                                    security_group=database_groups[name], deletion_protection=deletion_protection,
                                    secret_kms_key=add_secrets_kms_key(template)[0])
        secrets[database_user.master_secret_entry(name)] = rds.master_password(instance)
        hosts[name] = GetAtt(instance, "Endpoint.Address")
        prefix = logical_id(name)
        add_output(template, f"{prefix}DatabaseEndpoint", rds.endpoint(instance),
                   f"host:port of the RDS database in place of {name}, reachable from its clients only")
        add_output(template, f"{prefix}DatabaseSecretArn", GetAtt(instance, "MasterUserSecret.SecretArn"),
                   f"Secrets Manager secret of the master user of {name}'s database (managed by RDS)")
    # Every generated secret can be the one a deleted copy kept: data brought back was written with it.
    used = {secret for service in running for container in service.containers for _, secret in container.secrets}
    used |= {r.password_secret for r in replaced.values()}
    kept = [secret for secret in app.secrets if secret.name in used] + [
        GeneratedSecret(secret, f"{env} of {service.name} (generated)", length=64)
        for service in running for env, secret in service.generated_secrets]
    secrets_key = add_secrets_kms_key(template)[0] if kept else None
    for secret in kept:
        secrets[secret.name] = add_reusable_secret(template, secret, app_name=app.name, kms_key_id=secrets_key)
        add_output(template, logical_id(secret.name, "secret", "arn"), secrets[secret.name].arn,
                   f"Secrets Manager secret {secret.name} (read it with aws secretsmanager get-secret-value)")

    shared = Shared(config=config, topology=result, cluster=cluster, namespace=namespace, entry=entry,
                    storage=storage, groups=groups, subnets=task_subnets, hosts=hosts, replacements=replaced,
                    secrets=secrets, depends_on=[associations])
    for service in running:
        add_application_service(template, service, shared, placements[service.name])

    _outputs(template, running, entry, storage, cluster, namespace)
    return template


def _needs_ec2(service: Any) -> bool:
    return any(fargate_refusals(container.linux, container.host_mounts) for container in service.containers)


def _capacity(template: Template, config: Config, running: list, *, cluster: Any, vpc: Any,
              subnets: list[Any]) -> tuple[dict[str, Placement], Any]:
    """Fargate for every service; with launch_type ec2, instances for those that hold no data, and for
    those whose containers need EC2 (host paths, Linux parameters Fargate refuses), data or not."""
    settings = config.services
    on_instances = [s for s in running if not s.holds_data or _needs_ec2(s)] if settings.launch_type == "ec2" else []
    providers: list[Any] = [FARGATE]
    assign_public_ip = (add_assign_public_ip_parameter(template)
                        if len(on_instances) < len(running) else "DISABLED")
    placements = {s.name: Placement(FARGATE, FARGATE, assign_public_ip) for s in running}
    if on_instances:
        instance_group = add_security_group(
            template, "InstanceSecurityGroup", vpc=vpc, ingress=[],
            description="Container instances: no inbound traffic (each task has its own interface and group)")
        provider = add_ec2_capacity(
            template, config.ec2.capacity, cluster=cluster, security_group=instance_group, subnets=subnets,
            instance_profile=add_instance_profile(template, cluster=cluster),
            task_cpu=max(s.settings.cpu for s in on_instances), task_memory=max(s.settings.memory for s in on_instances))
        providers.insert(0, Ref(provider))
        # EC2 tasks get no public IP; the instance pulls the images. Data stays on Fargate, where no scale-in drains it.
        placements.update({s.name: Placement(Ref(provider), "EC2", "DISABLED") for s in on_instances})
    associations = add_capacity_provider_associations(template, cluster=cluster, providers=providers,
                                                      default_provider=providers[0])
    return placements, associations


def _outputs(template: Template, running: list, entry: Any, storage: Any, cluster: Any, namespace: Any) -> None:
    for service in running:
        for endpoint in service.public_endpoints:
            balancer = entry.balancer_of(endpoint)
            port = entry.listener_ports[endpoint]
            name = logical_id(service.name, "url") if len(service.public_endpoints) == 1 else \
                logical_id(service.name, str(endpoint.port), "url")
            add_output(template, name, site_url(balancer, port),
                       f"{service.name} from the internet ({endpoint.app_protocol} {port})")
    if entry.application is not None:
        add_output(template, "LoadBalancerDnsName", GetAtt(entry.application.load_balancer, "DNSName"),
                   "DNS name of the load balancer (point the site's domain at it with a CNAME or alias)")
    if entry.network is not None:
        add_output(template, "NetworkLoadBalancerDnsName", GetAtt(entry.network.load_balancer, "DNSName"),
                   "DNS name of the network load balancer (the public TCP and UDP ports)")
    if storage.file_system_id is not None:
        add_output(template, "FileSystemId", storage.file_system_id,
                   "EFS file system holding the volumes (kept when the stack is deleted)")
    add_output(template, "ClusterName", Ref(cluster), "ECS cluster")
    add_output(template, "NamespaceArn", GetAtt(namespace, "Arn"), "Service Connect namespace of the services")
