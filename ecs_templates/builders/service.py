"""ECS services: keep N copies of a task running, roll back a deployment that never stabilises."""
from __future__ import annotations

from typing import Any, Sequence

from troposphere import NoValue, Ref, Template, ecs


def add_service(template: Template, name: str, *, cluster: ecs.Cluster, task_definition: ecs.TaskDefinition,
                desired_count: Any, capacity_provider: Any = None, launch_type: str | None = None,
                network_configuration: ecs.NetworkConfiguration | None = None,
                minimum_healthy_percent: int = 100, maximum_percent: int = 200,
                depends_on: Sequence[Any] = (), logical_name: str = "Service",
                **extra: Any) -> ecs.Service:
    """A REPLICA service with the deployment circuit breaker (rollback on failure) on."""
    strategy = ([ecs.CapacityProviderStrategyItem(CapacityProvider=capacity_provider, Weight=1, Base=0)]
                if capacity_provider is not None else NoValue)
    service = ecs.Service(
        logical_name,
        ServiceName=name,
        Cluster=Ref(cluster),
        TaskDefinition=Ref(task_definition),
        DesiredCount=desired_count,
        SchedulingStrategy="REPLICA",
        CapacityProviderStrategy=strategy,
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
        service.DependsOn = [getattr(item, "title", item) for item in depends_on]
    return template.add_resource(service)
