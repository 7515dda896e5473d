"""ECS services: keep N copies of a task running, roll back a deployment that never stabilises."""
from __future__ import annotations

from typing import Any, Sequence

from troposphere import NoValue, Ref, Template, ecs


def capacity_provider_strategy(weights: Sequence[tuple[Any, int]], *, base: int = 0
                               ) -> list[ecs.CapacityProviderStrategyItem]:
    """Providers and their weights; the first one always appears and takes the first `base` tasks.

    A later provider of weight 0 is left out, so a config can switch it off with its weight.
    """
    return [ecs.CapacityProviderStrategyItem(CapacityProvider=provider, Weight=weight,
                                             **({"Base": base} if index == 0 else {}))
            for index, (provider, weight) in enumerate(weights) if weight > 0 or index == 0]


def add_service(template: Template, name: Any, *, cluster: ecs.Cluster, task_definition: ecs.TaskDefinition,
                desired_count: Any, capacity_provider: Any = None, launch_type: str | None = None,
                network_configuration: ecs.NetworkConfiguration | None = None,
                minimum_healthy_percent: int = 100, maximum_percent: int = 200,
                depends_on: Sequence[Any] = (), logical_name: str = "Service",
                strategy: Sequence[ecs.CapacityProviderStrategyItem] = (),
                **extra: Any) -> ecs.Service:
    """A REPLICA service with the deployment circuit breaker (rollback on failure) on.

    Capacity: one `capacity_provider`, or a whole `strategy` (see capacity_provider_strategy),
    or a `launch_type`.
    """
    if capacity_provider is not None:
        strategy = capacity_provider_strategy([(capacity_provider, 1)])
    service = ecs.Service(
        logical_name,
        ServiceName=name,
        Cluster=Ref(cluster),
        TaskDefinition=Ref(task_definition),
        DesiredCount=desired_count,
        SchedulingStrategy="REPLICA",
        CapacityProviderStrategy=list(strategy) or NoValue,
        LaunchType=launch_type or NoValue,
        NetworkConfiguration=network_configuration or NoValue,
        DeploymentConfiguration=ecs.DeploymentConfiguration(
            DeploymentCircuitBreaker=ecs.DeploymentCircuitBreaker(Enable=True, Rollback=True),
            MinimumHealthyPercent=minimum_healthy_percent,
            MaximumPercent=maximum_percent,
        ),
        EnableECSManagedTags=True,
        PropagateTags="SERVICE",
        **extra,
    )
    if depends_on:
        titles = [item if isinstance(item, str) else item.title for item in depends_on]
        service.DependsOn = list(dict.fromkeys(titles))
    return template.add_resource(service)
