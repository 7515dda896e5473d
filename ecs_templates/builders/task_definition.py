"""Task definitions: the application's containers rendered for one network mode and launch type."""
from __future__ import annotations

from typing import Any, Mapping, Sequence

from troposphere import NoValue, Ref, Tags, Template, ecs, logs

from ecs_templates import wiring
from ecs_templates.builders.linux import host_mount_points, host_volumes, linux_properties
from ecs_templates.builders.secrets import assembled_secret_key, secret_value_from
from ecs_templates.config import instance_types
from ecs_templates.config.application import Application
from ecs_templates.config.container import Container
from ecs_templates.config.container_options import check_launch_type
from ecs_templates.errors import ConfigError


# (container, container port, protocol) -> (port mapping name, app protocol or None): Service Connect's names.
PortNames = Mapping[tuple[str, int, str], tuple[str, Any]]


def _port_mappings(container: Container, network_mode: str, port_names: PortNames | None = None
                   ) -> list[ecs.PortMapping]:
    mappings = []
    for index, port in enumerate(container.ports):
        if network_mode in ("awsvpc", "host"):
            if port.host_port not in (None, port.container_port):
                raise ConfigError(
                    f"{container.path}.ports[{index}].host",
                    f"{container.name}: host port {port.host_port} differs from container port "
                    f"{port.container_port}, which awsvpc cannot do (the task has its own address); "
                    "remove `host` or set it to the container port")
            host_port = port.container_port
        else:
            host_port = port.host_port if port.host_port is not None else 0  # 0: dynamic
        named = (port_names or {}).get((container.name, port.container_port, port.protocol))
        extra = {} if named is None else {"Name": named[0], **({"AppProtocol": named[1]} if named[1] else {})}
        mappings.append(ecs.PortMapping(ContainerPort=port.container_port, HostPort=host_port,
                                        Protocol=port.protocol, **extra))
    return mappings


def _check_shared_namespace_ports(containers: Sequence[Container]) -> None:
    """Under awsvpc the containers of a task share one network namespace: each port binds once."""
    owner: dict[tuple[int, str], str] = {}
    for container in containers:
        for index, port in enumerate(container.ports):
            key = (port.container_port, port.protocol)
            if key in owner:
                raise ConfigError(
                    f"{container.path}.ports[{index}]",
                    f"{container.name}: port {port.container_port} is also a port of {owner[key]}; "
                    "under awsvpc the containers of a task share one address and each port binds "
                    f"once: give {container.name} or {owner[key]} another port, or build the stack "
                    "ecs-services instead (`stacks:`), where each runs as its own ECS service")
            owner[key] = container.name


def container_definition(container: Container, *, network_mode: str, image: Any,
                         secrets: Mapping[str, Any], log_group: logs.LogGroup,
                         in_task: set[str], service_hosts: Mapping[str, Any] | None = None,
                         port_names: PortNames | None = None) -> ecs.ContainerDefinition:
    """One container, with its `uses` wired for `network_mode` and its secrets injected."""
    for connection in container.uses:
        if connection.container not in in_task and not (service_hosts and connection.container in service_hosts):
            raise ConfigError(
                f"{container.path}.uses.{connection.container}",
                f"{container.name} uses {connection.container}, which is not in this task "
                f"(containers: {', '.join(sorted(in_task))}); add it or remove the `uses` entry")
    environment = dict(container.environment)
    environment.update(wiring.connection_environment(container, network_mode, service_hosts))
    health = container.health_check
    optional: dict[str, Any] = {
        "PortMappings": _port_mappings(container, network_mode, port_names),
        "Environment": [ecs.Environment(Name=name, Value=value)
                        for name, value in sorted(environment.items())],
        "Secrets": [ecs.Secret(Name=name, ValueFrom=secret_value_from(secrets[secret]))
                    for name, secret in container.secrets]
        + [ecs.Secret(Name=use.env, ValueFrom=secret_value_from(secrets[assembled_secret_key(container.name, use.env)]))
           for use in container.uses if use.password],
        "HealthCheck": ecs.HealthCheck(
            Command=list(health.command), Interval=health.interval, Timeout=health.timeout,
            Retries=health.retries, StartPeriod=health.start_period) if health else None,
        "DependsOn": [ecs.ContainerDependency(ContainerName=dep.container, Condition=dep.condition)
                      for dep in container.depends_on if dep.container in in_task],
        "Links": wiring.links_for(container, network_mode, in_task),
        "Command": list(container.command),
        "EntryPoint": list(container.entry_point),
        "WorkingDirectory": container.working_directory,
        "User": container.user,
        "Cpu": container.cpu,
        "Memory": container.memory,
        "MemoryReservation": container.memory_reservation,
        "StopTimeout": container.stop_timeout,
        # OpenStdin and Tty of docker create (API_ContainerDefinition: interactive, pseudoTerminal).
        "Interactive": True if container.interactive else None,
        "PseudoTerminal": True if container.pseudo_terminal else None,
        "DockerLabels": dict(container.labels) or None,
        "MountPoints": [ecs.MountPoint(SourceVolume=mount.volume, ContainerPath=mount.path,
                                       ReadOnly=mount.read_only)
                        for mount in container.mounts] + host_mount_points(container),
        **linux_properties(container),
    }
    return ecs.ContainerDefinition(
        Name=container.name,
        Image=image,
        Essential=container.essential,
        LogConfiguration=ecs.LogConfiguration(
            LogDriver="awslogs",
            Options={"awslogs-group": Ref(log_group), "awslogs-region": Ref("AWS::Region"),
                     "awslogs-stream-prefix": container.name},
        ),
        **{key: value for key, value in optional.items() if value not in (None, [])},
    )


def instance_volume(name: str) -> ecs.Volume:
    """A Docker volume on the container instance that outlives the task (EC2 only).

    Scope `shared`: "Docker volumes that are shared persist after the task stops";
    autoprovision creates it on the task's first start, the `local` driver keeps it on the
    instance's root volume, so a task restarted on the same instance finds its data again:
    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ecs-taskdefinition-dockervolumeconfiguration.html
    """
    return ecs.Volume(Name=name, DockerVolumeConfiguration=ecs.DockerVolumeConfiguration(
        Scope="shared", Autoprovision=True, Driver="local"))


def add_task_definition(template: Template, app: Application, *, family: Any, network_mode: str,
                        compatibility: str, cpu: int, memory: int, architecture: str,
                        images: Mapping[str, Any], secrets: Mapping[str, Any],
                        log_group: logs.LogGroup, execution_role_arn: Any, task_role_arn: Any,
                        containers: Sequence[Container] | None = None,
                        service_hosts: Mapping[str, Any] | None = None,
                        volumes: Sequence[ecs.Volume] = (),
                        on_instance: bool = False,
                        logical_name: str = "TaskDefinition",
                        port_names: PortNames | None = None) -> ecs.TaskDefinition:
    """A task definition of `containers` (all of the application by default).

    `secrets` maps secret names to generated secrets or SecretSource. `volumes` are the
    stack's own (e.g. EFS); a volume that a container mounts and that `volumes` does not
    name is added as task storage (it lives as long as the task) or, `on_instance` (EC2),
    as a Docker volume of the instance that outlives the task (`instance_volume`).
    """
    chosen = list(containers if containers is not None else app.containers)
    in_task = {container.name for container in chosen}
    given = {volume.properties.get("Name") for volume in volumes}
    task_storage = sorted({mount.volume for container in chosen for mount in container.mounts} - given)
    for container in chosen:
        check_launch_type(container.path, container.name, compatibility, container.linux,
                          container.host_mounts, network_mode)
    all_volumes = list(volumes) + [instance_volume(name) if on_instance else ecs.Volume(Name=name)
                                   for name in task_storage] + host_volumes(chosen)
    if network_mode in ("awsvpc", "host"):
        _check_shared_namespace_ports(chosen)
    return template.add_resource(ecs.TaskDefinition(
        logical_name,
        Family=family,
        NetworkMode=network_mode,
        RequiresCompatibilities=[compatibility],
        Cpu=str(cpu),
        Memory=str(memory),
        RuntimePlatform=ecs.RuntimePlatform(
            CpuArchitecture=instance_types.RUNTIME_CPU_ARCHITECTURE[architecture],
            OperatingSystemFamily="LINUX"),
        ExecutionRoleArn=execution_role_arn,
        TaskRoleArn=task_role_arn,
        ContainerDefinitions=[
            container_definition(container, network_mode=network_mode, image=images[container.name],
                                 secrets=secrets, log_group=log_group, in_task=in_task,
                                 service_hosts=service_hosts, port_names=port_names)
            for container in chosen
        ],
        Volumes=all_volumes or NoValue,
        **({"Tags": Tags(dict(app.tags))} if app.tags else {}),
    ))
