"""Where a template's tasks run, and how many: its Auto Scaling groups and its Fargate services.

Read from the template as deployed with its parameter defaults: instance types and
counts from the groups and their launch templates, task counts from the services, split
between capacity providers by the same base-then-weight rule ECS uses.
"""
from __future__ import annotations

import math
from decimal import Decimal
from typing import Any, Mapping, Sequence

from ecs_templates.config.fargate_sizes import CPU_VALUES, VALID_MEMORY_MIB
from ecs_templates.config.instance_types import INSTANCE_TYPES
from ecs_templates.docs.template import (Template, is_created, of_type, properties, references, resolve,
                                         resolve_number, resources)
from ecs_templates.errors import EcsTemplatesError


def fargate_size(cpu: int, memory: int) -> tuple[int, int]:
    """The smallest valid Fargate size with at least this CPU and memory (MiB)."""
    for units in CPU_VALUES:
        if units >= cpu:
            fitting = [size for size in VALID_MEMORY_MIB[units] if size >= memory]
            if fitting:
                return units, fitting[0]
    raise EcsTemplatesError(f"no Fargate size has {cpu} CPU units and {memory} MiB")


def _launch_template_data(template: Template, group: Mapping[str, Any]) -> dict[str, Any]:
    spec = properties(group).get("LaunchTemplate", {})
    for name in references(spec.get("LaunchTemplateId", spec.get("LaunchTemplateName"))):
        target = resources(template).get(name)
        if target and target.get("Type") == "AWS::EC2::LaunchTemplate":
            return dict(properties(target).get("LaunchTemplateData", {}))
    return {}


def instance_groups(template: Template, tasks: int | None) -> list[tuple[str, int, dict[str, Any]]]:
    """(instance type, instance count, launch template data) of each Auto Scaling group."""
    return [(instance_type, count, data) for _, instance_type, count, data in auto_scaling_groups(template, tasks)]


def services_on(template: Template, group: str) -> list[str]:
    """The ECS services placed on an Auto Scaling group: through a capacity provider of that group
    in their own strategy, else in their cluster's default strategy."""
    providers = {name for name, provider in of_type(template, "AWS::ECS::CapacityProvider").items()
                 if group in references(properties(provider))}
    defaults = {ref for association in of_type(template, "AWS::ECS::ClusterCapacityProviderAssociations",
                                               "AWS::ECS::Cluster").values()
                for ref in references(properties(association).get("DefaultCapacityProviderStrategy"))}
    placed = []
    for name, service in of_type(template, "AWS::ECS::Service").items():
        service_props = properties(service)
        strategy = set(references(service_props.get("CapacityProviderStrategy")))
        if not service_props.get("CapacityProviderStrategy") and not service_props.get("LaunchType"):
            strategy = defaults
        if strategy & providers and is_created(template, service):
            placed.append(name)
    return placed


def auto_scaling_groups(template: Template, tasks: int | None) -> list[tuple[str, str, int, dict[str, Any]]]:
    """(group name, instance type, instance count, launch template data) of each Auto Scaling group
    created; `tasks` sets the count to the instances that many tasks need, within the group's bounds."""
    groups = []
    for group_name, group in of_type(template, "AWS::AutoScaling::AutoScalingGroup").items():
        if not is_created(template, group):
            continue
        group_props = properties(group)
        data = _launch_template_data(template, group)
        instance_type = resolve(template, data.get("InstanceType"))
        minimum = int(resolve_number(template, group_props.get("MinSize"), 0) or 0)
        maximum = int(resolve_number(template, group_props.get("MaxSize"), minimum) or minimum)
        count = int(resolve_number(template, group_props.get("DesiredCapacity"), minimum) or minimum)
        if tasks is not None:
            count = min(maximum, max(minimum, math.ceil(tasks / _tasks_per_instance(template, instance_type))))
        groups.append((group_name, str(instance_type), count, data))
    return groups


def _tasks_per_instance(template: Template, instance_type: Any) -> int:
    """One task per instance when a task binds a fixed host port, else as many as CPU and memory allow."""
    spec = INSTANCE_TYPES.get(str(instance_type))
    per_instance = 1
    for task in of_type(template, "AWS::ECS::TaskDefinition").values():
        task_props = properties(task)
        if resolve(template, task_props.get("NetworkMode")) in (None, "bridge", "host") and any(
                mapping.get("HostPort") for container in task_props.get("ContainerDefinitions", [])
                for mapping in container.get("PortMappings", [])):
            return 1
        cpu = resolve_number(template, task_props.get("Cpu"))
        memory = resolve_number(template, task_props.get("Memory"))
        if spec and cpu and memory:
            per_instance = max(1, min(int(spec.vcpus * 1024 // cpu), int(spec.memory_mib * 0.9 // memory)))
    return per_instance


def _service_task(template: Template, service: Mapping[str, Any]) -> dict[str, Any] | None:
    tasks = of_type(template, "AWS::ECS::TaskDefinition")
    name = next((ref for ref in references(properties(service).get("TaskDefinition")) if ref in tasks), None)
    return tasks.get(name) if name else None


def _providers(template: Template, service: Mapping[str, Any]) -> list[tuple[str, int, int]]:
    """(provider, base, weight) of a service: its own strategy, else the cluster's default, else its launch type."""
    service_props = properties(service)
    strategy = resolve(template, service_props.get("CapacityProviderStrategy"))
    launch_type = resolve(template, service_props.get("LaunchType"))
    if not strategy and not launch_type:
        cluster_refs = set(references(service_props.get("Cluster")))
        for resource in of_type(template, "AWS::ECS::ClusterCapacityProviderAssociations", "AWS::ECS::Cluster").values():
            resource_props = properties(resource)
            if resource.get("Type") == "AWS::ECS::Cluster" or cluster_refs & set(references(resource_props.get("Cluster"))):
                strategy = resolve(template, resource_props.get("DefaultCapacityProviderStrategy")) or strategy
    if strategy:
        return [(str(item.get("CapacityProvider")), int(item.get("Base", 0) or 0), int(item.get("Weight", 0) or 0))
                for item in strategy if isinstance(item.get("CapacityProvider"), str)]
    if launch_type:
        return [(str(launch_type), 0, 1)]
    task = _service_task(template, service) or {}
    compatibilities = resolve(template, properties(task).get("RequiresCompatibilities")) or []
    return [("FARGATE", 0, 1)] if compatibilities == ["FARGATE"] else []


def _split(count: int, providers: Sequence[tuple[str, int, int]]) -> dict[str, int]:
    """Tasks per provider: each base first, then the rest by weight (largest remainders win)."""
    shares = {name: 0 for name, _, _ in providers}
    remaining = count
    for name, base, _ in providers:
        taken = min(base, remaining)
        shares[name] += taken
        remaining -= taken
    total_weight = sum(weight for _, _, weight in providers)
    if remaining and total_weight:
        exact = {name: Decimal(remaining * weight) / total_weight for name, _, weight in providers}
        floors = {name: int(value) for name, value in exact.items()}
        left = remaining - sum(floors.values())
        for name in sorted(exact, key=lambda n: (-(exact[n] - floors[n]), n))[:left]:
            floors[name] += 1
        for name, value in floors.items():
            shares[name] += value
    return {name: share for name, share in shares.items() if share}


def fargate_services(template: Template, tasks: int | None = None
                     ) -> list[tuple[str, dict[str, Any], dict[str, Any], dict[str, int]]]:
    """(service name, service, task definition, tasks per Fargate provider) of every Fargate service;
    `tasks` replaces the desired count (scale-out) and is split by the same strategy."""
    found = []
    for name, service in of_type(template, "AWS::ECS::Service").items():
        task = _service_task(template, service)
        providers = [item for item in _providers(template, service) if item[0] in ("FARGATE", "FARGATE_SPOT")]
        if task is None or not providers or not is_created(template, service):
            continue
        count = tasks if tasks is not None else int(
            resolve_number(template, properties(service).get("DesiredCount"), 1) or 0)
        found.append((name, service, task, _split(count, providers)))
    return found
