"""ECS clusters and the capacity providers they draw on."""
from __future__ import annotations

from typing import Any, Sequence

from troposphere import Ref, Template, ecs


def add_cluster(template: Template, name: Any, *, service_connect: Any = None) -> ecs.Cluster:
    """A named cluster (a name, or the Ref of a name parameter) with Container Insights on.

    `service_connect`: ServiceConnectDefaults, the namespace its services join by default.
    """
    return template.add_resource(ecs.Cluster(
        "Cluster",
        ClusterName=name,
        ClusterSettings=[ecs.ClusterSetting(Name="containerInsights", Value="enabled")],
        **({"ServiceConnectDefaults": service_connect} if service_connect is not None else {}),
    ))


def add_capacity_provider_associations(template: Template, *, cluster: ecs.Cluster,
                                       providers: Sequence[object],
                                       default_provider: object) -> ecs.ClusterCapacityProviderAssociations:
    """Attach capacity providers to the cluster; services then use the default strategy."""
    return template.add_resource(ecs.ClusterCapacityProviderAssociations(
        "ClusterCapacityProviders",
        Cluster=Ref(cluster),
        CapacityProviders=list(providers),
        DefaultCapacityProviderStrategy=[ecs.CapacityProviderStrategy(
            CapacityProvider=default_provider, Weight=1, Base=0)],
    ))
