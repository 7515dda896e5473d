"""Stacks `ecs-services-mariadb` and `ecs-services-rds`: the application split into services that scale.

The seed's single task could not grow (host port 80, the database inside it) and lost
the site with every restart. Here, from the internet in:

    internet -> ALB :80 (:443 with a certificate) -> web tasks (MinTasks..MaxTasks, target
    tracking on CPU and requests) -> the database, reachable only from the web tasks.

State lives only where it outlives the stack: the web files on EFS (Retain), the database
on EFS through a one-task MariaDB service (`mariadb`) or in Amazon RDS (`rds`, Snapshot),
the secrets in Secrets Manager (Retain).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable

from troposphere import GetAtt, Ref, Select, Sub, Template, ecs

from ecs_templates.builders import efs, rds
from ecs_templates.builders.capacity import add_ec2_capacity
from ecs_templates.builders.cluster import add_capacity_provider_associations, add_cluster
from ecs_templates.builders.discovery import add_discovery_service, add_private_namespace, service_registry
from ecs_templates.builders.iam import add_instance_profile
from ecs_templates.builders.names import add_ecs_name, add_namespace_name
from ecs_templates.builders.load_balancer import (
    HTTP_PORT,
    HTTPS_PORT,
    add_deletion_protection_parameter,
    add_load_balancer,
    site_url,
)
from ecs_templates.builders.network import (
    IngressRule,
    add_assign_public_ip_parameter,
    add_ingress_cidr_parameter,
    add_security_group,
    add_vpc_parameters,
    awsvpc_network_configuration,
)
from ecs_templates.builders.secrets import add_generated_secret
from ecs_templates.builders.scaling import add_service_scaling, add_task_count_parameters
from ecs_templates.builders.service import add_service, capacity_provider_strategy
from ecs_templates.builders.template import add_output, new_template
from ecs_templates.config import database_user
from ecs_templates.config.model import Config, Container, Mount
from ecs_templates.config.services import FileShare, ServicesDeployment
from ecs_templates.naming import logical_id
from ecs_templates.stacks.common import add_application_task, add_secrets_kms_key

NAME = "ecs-services"
SUMMARIES = {
    "mariadb": "web service behind a load balancer, scaled, files on EFS; MariaDB as a one-task service on EFS",
    "rds": "web service behind a load balancer, scaled, files on EFS; Amazon RDS for MariaDB",
}
NETWORK_MODE = "awsvpc"
NFS_PORT = 2049
PUBLIC_PORTS = (HTTP_PORT, HTTPS_PORT)  # the load balancer's listeners; 443 only with a certificate
FARGATE = "FARGATE"
# A first start copies WordPress onto an empty file system before Apache answers.
HEALTH_CHECK_GRACE_SECONDS = 300
TASK_ROLE_DESCRIPTION = (
    "ARN of an existing role for the containers (LabRole in the Learner Lab); it needs "
    "elasticfilesystem:ClientMount and ClientWrite. Empty: one role per service, limited to its EFS access point.")
SUBNETS_DESCRIPTION = (
    "Two or more subnets in different Availability Zones: the load balancer (and RDS) use all, the tasks "
    "and EFS mount targets the first two. Public subnets: keep AssignPublicIp ENABLED to pull images.")


def stack_name(variant: str) -> str:
    return f"{NAME}-{variant}"


def builder(variant: str) -> Callable[[Config], Template]:
    def build_variant(config: Config) -> Template:
        return build(config, variant)
    build_variant.__name__ = f"build_{variant}"
    return build_variant


def enabled(variant: str) -> Callable[[Config], bool]:
    """Whether the config asks for this database variant (`services.database`)."""
    def is_enabled(config: Config) -> bool:
        return config.services is not None and variant in config.services.variants
    return is_enabled


def on_share(container: Container, share: FileShare, volume: str) -> tuple[Container, str]:
    """The container with `share.path` mounted from a volume, and that volume's name.

    A mount the application already has at that path keeps its volume name: the stack
    attaches EFS to it, instead of task storage that would vanish with the task.
    """
    for mount in container.mounts:
        if mount.path == share.path:
            return container, mount.volume
    return replace(container, mounts=container.mounts + (Mount(volume=volume, path=share.path),)), volume


def for_services(config: Config, services: ServicesDeployment) -> tuple[Config, dict[str, str]]:
    """The config as these stacks run it, and the volume names of the EFS shares per container.

    The web container gets its extra generated secrets (WordPress keys and salts) and a
    mount of its files; the database container a mount of its data directory.
    """
    app = config.application
    web, web_volume = on_share(app.container(services.web_container), services.web_files, "files")
    web = replace(web, secrets=tuple(sorted(web.secrets + services.web_secrets)))
    database, database_volume = on_share(app.container(services.database_container), services.database_files,
                                         "data")
    changed = {web.name: web, database.name: database}
    app = replace(app, secrets=app.secrets + services.web_secret_definitions(web.name),
                  containers=tuple(changed.get(c.name, c) for c in app.containers))
    # The services section was checked against the original application; this one is derived from it.
    return replace(config, application=app, services=None), {web.name: web_volume, database.name: database_volume}


def _database_port(web: Container, database: Container) -> int:
    return next(connection.port for connection in web.uses if connection.container == database.name)


def build(config: Config, variant: str) -> Template:
    services = config.services
    if services is None or variant not in services.variants:
        raise ValueError(f"the config does not ask for the {variant} variant (services.database)")
    derived, volumes = for_services(config, services)
    app = derived.application
    web, database = app.container(services.web_container), app.container(services.database_container)
    web_port = next(port.container_port for port in web.ports if port.public)
    database_port = _database_port(web, database)

    template = new_template(stack_name(variant), SUMMARIES[variant])
    vpc, subnets = add_vpc_parameters(template, subnets_description=SUBNETS_DESCRIPTION)
    task_subnets = [Select(0, subnets), Select(1, subnets)]
    deletion_protection = add_deletion_protection_parameter(template)
    balancer = add_load_balancer(
        template, vpc=vpc, subnets=subnets, source_cidr=add_ingress_cidr_parameter(template),
        target_port=web_port, health_check_path=services.health_check_path,
        certificate_default=services.certificate_arn, deletion_protection=deletion_protection)
    # Only Fargate tasks take the parameter (the web tasks on EC2, and RDS, run no Fargate task).
    uses_fargate = services.launch_type == "fargate" or variant == "mariadb"
    assign_public_ip = add_assign_public_ip_parameter(template) if uses_fargate else "DISABLED"

    # Who may reach whom: internet -> load balancer -> web tasks -> database; tasks -> NFS.
    web_group = add_security_group(
        template, "WebSecurityGroup", vpc=vpc,
        ingress=[IngressRule(web_port, f"HTTP to {web.name} from the load balancer only",
                             source_security_group=Ref(balancer.security_group))],
        description=f"{web.name} tasks: TCP {web_port} from the load balancer only")
    database_group = add_security_group(
        template, "DatabaseSecurityGroup", vpc=vpc,
        ingress=[IngressRule(database_port, f"{database.name} from the {web.name} tasks only",
                             source_security_group=Ref(web_group))],
        description=f"Database: TCP {database_port} from the {web.name} tasks only; never public",
        egress_description="Outbound: a database task's image, secrets and logs")
    nfs_clients = [(web.name, web_group)] + ([(database.name, database_group)] if variant == "mariadb" else [])
    file_system_group = add_security_group(
        template, "FileSystemSecurityGroup", vpc=vpc,
        ingress=[IngressRule(NFS_PORT, f"NFS from the {name} tasks", source_security_group=Ref(group))
                 for name, group in nfs_clients],
        description="EFS mount targets: NFS from the tasks that keep files on it only",
        egress_description="Outbound: AWS default; mount targets only answer")

    file_system = efs.add_file_system(template, name="files")
    mount_targets = efs.add_mount_targets(template, file_system=file_system, subnets=task_subnets,
                                          security_group=file_system_group)
    web_access_point = efs.add_access_point(template, services.web_files, file_system=file_system, name=web.name)

    # Issue 11 item 9: cluster, service, family and namespace names are parameters (builders/names.py)
    # defaulting to the configured names, so that two copies of the stack can share an account.
    cluster = add_cluster(template, add_ecs_name(template, "ClusterName", kind="cluster",
                                                 default=services.cluster_name(app.name, variant)))
    providers: list[Any] = [FARGATE]
    web_public_ip: Any = assign_public_ip
    if services.launch_type == "ec2":
        instance_group = add_security_group(
            template, "InstanceSecurityGroup", vpc=vpc, ingress=[],
            description="Container instances: no inbound traffic (each task has its own interface and group)")
        capacity_provider = add_ec2_capacity(
            template, config.ec2.capacity, cluster=cluster, security_group=instance_group, subnets=task_subnets,
            instance_profile=add_instance_profile(template, cluster=cluster),
            task_cpu=services.task_cpu, task_memory=services.task_memory)
        # The web tasks go on the instances; a MariaDB task stays on Fargate, where no scale-in drains it.
        providers = [Ref(capacity_provider)] + ([FARGATE] if variant == "mariadb" else [])
        web_public_ip = "DISABLED"  # EC2 tasks cannot have a public IP; the instance pulls the images
    associations = add_capacity_provider_associations(
        template, cluster=cluster, providers=providers, default_provider=providers[0])

    if variant == "mariadb":
        database_service, secrets, hosts, endpoint = _mariadb_service(
            template, derived, services, database=database, port=database_port, vpc=vpc, cluster=cluster,
            subnets=task_subnets, security_group=database_group, assign_public_ip=assign_public_ip,
            file_system=file_system, volume=volumes[database.name], mount_targets=mount_targets,
            associations=associations)
        after_database = [database_service]
        web_containers = [web]
    else:
        # Issue 11 item 8: WordPress connects as its own user (MYSQL_USER, with the generated db-password
        # secret, never rotated), which a setup container of the web task creates at each start with the
        # RDS-managed master secret (rotated weekly); see config/database_user.py.
        name, user, password = services.rds_database_settings(database)
        instance = rds.add_database(template, services.rds, subnets=subnets, security_group=database_group,
                                    database_name=name, master_username=database_user.MASTER_USERNAME,
                                    port=database_port, deletion_protection=deletion_protection,
                                    secret_kms_key=add_secrets_kms_key(template)[0])
        secrets = {database_user.MASTER_SECRET_ENTRY: rds.master_password(instance)}
        hosts = {database.name: GetAtt(instance, "Endpoint.Address")}
        setup = database_user.setup_container(database, database_name=name, user=user, password_secret=password,
                                              port=database_port)
        web_containers = [setup, database_user.after_setup(web, setup)]
        endpoint = rds.endpoint(instance)
        after_database = []
        add_output(template, "DatabaseSecretArn", GetAtt(instance, "MasterUserSecret.SecretArn"),
                   "Secrets Manager secret of the database's master user (managed by RDS)")

    # The keys and salts are generated here, so that they get no outputs: nobody needs to read them.
    secrets_key, _ = add_secrets_kms_key(template)
    secrets.update({secret.name: add_generated_secret(template, secret, app_name=app.name, kms_key_id=secrets_key)
                    for secret in services.web_secret_definitions(web.name)})
    web_task = add_application_task(
        template, derived, family=services.task_family(app.name, variant, "web"), network_mode=NETWORK_MODE,
        family_name=add_ecs_name(template, "WebTaskFamily", kind="family", what=web.name,
                                 default=services.task_family(app.name, variant, "web")),
        compatibility=services.launch_type.upper(), cpu=services.task_cpu, memory=services.task_memory,
        architecture=services.architecture, containers=web_containers, service_hosts=hosts,
        volumes=[efs.efs_volume(volumes[web.name], file_system=file_system, access_point=web_access_point)],
        secrets=secrets, prefix=logical_id(web.name), task_role_parameter_description=TASK_ROLE_DESCRIPTION,
        task_role_statements=[efs.mount_statement(file_system=file_system, access_point=web_access_point)])
    web_service = add_service(
        template, add_ecs_name(template, "WebServiceName", kind="service", default=f"{web.name}-service",
                               what=web.name),
        cluster=cluster, task_definition=web_task.task_definition,
        desired_count=services.desired_tasks, logical_name="WebService",
        strategy=capacity_provider_strategy([(providers[0], 1)]),
        network_configuration=awsvpc_network_configuration(
            subnets=task_subnets, security_groups=[Ref(web_group)], assign_public_ip=web_public_ip),
        # Every task has its own address: new tasks start and pass the health check before old ones stop.
        minimum_healthy_percent=100, maximum_percent=200,
        depends_on=[associations, balancer.http_listener, *mount_targets, *after_database],
        LoadBalancers=[ecs.LoadBalancer(ContainerName=web.name, ContainerPort=web_port,
                                        TargetGroupArn=Ref(balancer.target_group))],
        HealthCheckGracePeriodSeconds=HEALTH_CHECK_GRACE_SECONDS)
    minimum, maximum = add_task_count_parameters(template, minimum=services.min_tasks, maximum=services.max_tasks)
    add_service_scaling(template, cluster=cluster, service=web_service, minimum=minimum, maximum=maximum,
                        cpu_percent=services.cpu_target_percent,
                        requests_per_target=services.requests_per_target, balancer=balancer)

    add_output(template, "SiteUrl", site_url(balancer), "The site: the load balancer's DNS name")
    add_output(template, "LoadBalancerDnsName", GetAtt(balancer.load_balancer, "DNSName"),
               "DNS name of the load balancer (point the site's domain at it with a CNAME or alias)")
    add_output(template, "DatabaseEndpoint", endpoint, "host:port of the database, reachable from the web tasks only")
    add_output(template, "FileSystemId", Ref(file_system),
               "EFS file system holding the site's files" + (" and the database" if variant == "mariadb" else ""))
    add_output(template, "ClusterName", Ref(cluster), "ECS cluster")
    add_output(template, "WebServiceName", GetAtt(web_service, "Name"), f"ECS service running {web.name}")
    return template


def _mariadb_service(template: Template, config: Config, services: ServicesDeployment, *, database: Container,
                     port: int, vpc: Any, cluster: ecs.Cluster, subnets: list[Any], security_group: Any,
                     assign_public_ip: Any, file_system: Any, volume: str, mount_targets: list[Any],
                     associations: Any) -> tuple[ecs.Service, dict[str, Any], dict[str, Any], Any]:
    """The database container as a one-task Fargate service: data on EFS, a stable private DNS name.

    One task and a deployment that stops it before starting its replacement: two servers
    must never write one data directory.
    """
    access_point = efs.add_access_point(template, services.database_files, file_system=file_system,
                                        name=database.name)
    namespace_name = add_namespace_name(template, "NamespaceName", default=services.namespace)
    namespace = add_private_namespace(template, namespace_name, vpc=vpc)
    discovery = add_discovery_service(template, database.name, namespace=namespace)
    task = add_application_task(
        template, config, family=services.task_family(config.application.name, "mariadb", "database"),
        family_name=add_ecs_name(template, "DatabaseTaskFamily", kind="family", what=database.name,
                                 default=services.task_family(config.application.name, "mariadb", "database")),
        network_mode=NETWORK_MODE, compatibility=FARGATE, cpu=services.database_cpu,
        memory=services.database_memory, architecture=services.architecture, containers=[database],
        volumes=[efs.efs_volume(volume, file_system=file_system, access_point=access_point)],
        prefix=logical_id(database.name), task_role_parameter_description=TASK_ROLE_DESCRIPTION,
        task_role_statements=[efs.mount_statement(file_system=file_system, access_point=access_point)])
    service = add_service(
        template, add_ecs_name(template, "DatabaseServiceName", kind="service", default=f"{database.name}-service",
                               what=database.name),
        cluster=cluster, task_definition=task.task_definition,
        desired_count=1, logical_name="DatabaseService",
        strategy=capacity_provider_strategy([(FARGATE, 1)]),
        network_configuration=awsvpc_network_configuration(
            subnets=subnets, security_groups=[Ref(security_group)], assign_public_ip=assign_public_ip),
        minimum_healthy_percent=0, maximum_percent=100,
        depends_on=[associations, *mount_targets],
        ServiceRegistries=[service_registry(discovery)])
    host = Sub(f"{database.name}.${{Namespace}}", Namespace=namespace_name)
    add_output(template, "DatabaseServiceName", GetAtt(service, "Name"), f"ECS service running {database.name}")
    return service, dict(task.secrets), {database.name: host}, \
        Sub(f"{database.name}.${{Namespace}}:{port}", Namespace=namespace_name)
