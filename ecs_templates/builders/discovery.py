"""Service discovery with AWS Cloud Map: a private DNS name that follows a service's running task."""
from __future__ import annotations

from typing import Any

from troposphere import GetAtt, Ref, Template, ecs
from troposphere import servicediscovery as sd

from ecs_templates.naming import logical_id


def add_private_namespace(template: Template, name: Any, *, vpc: Any) -> sd.PrivateDnsNamespace:
    """A Route 53 private zone `name` (or a parameter's Ref) in the VPC (DNS resolution and host names on)."""
    return template.add_resource(sd.PrivateDnsNamespace(
        "ServiceNamespace",
        Name=name,
        Vpc=vpc,
        Description="Private DNS names of this stack's services",
    ))


def add_discovery_service(template: Template, name: str, *, namespace: sd.PrivateDnsNamespace
                          ) -> sd.Service:
    """`<name>.<namespace>`: an A record per healthy task, registered and removed by ECS.

    A short TTL, since the address changes whenever ECS replaces the task.
    """
    return template.add_resource(sd.Service(
        logical_id(name, "discovery", "service"),
        Name=name,
        NamespaceId=Ref(namespace),
        DnsConfig=sd.DnsConfig(RoutingPolicy="MULTIVALUE", DnsRecords=[sd.DnsRecord(Type="A", TTL=10)]),
        # ECS reports the container health check's result; an unhealthy task leaves DNS.
        HealthCheckCustomConfig=sd.HealthCheckCustomConfig(FailureThreshold=1),
    ))


def service_registry(service: sd.Service) -> ecs.ServiceRegistry:
    """What an awsvpc ECS service lists in ServiceRegistries to keep `service`'s records up to date."""
    return ecs.ServiceRegistry(RegistryArn=GetAtt(service, "Arn"))
