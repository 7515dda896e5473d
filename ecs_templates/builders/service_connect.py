"""ECS Service Connect: services reach each other by their compose names (`db:3306`), unchanged.

Each service that others use publishes its ports in the stack's own Cloud Map namespace under
a client alias that is its plain name; every service of the stack is a client, so its
Service Connect proxy resolves those short names. "Tasks that run in a namespace can use
short names to connect to services in the namespace":
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect-concepts-deploy.html
An HTTP namespace suffices (Service Connect does not use DNS records); one per stack.
"""
from __future__ import annotations

from typing import Any, Sequence

from troposphere import GetAtt, Ref, Template, ecs, logs
from troposphere import servicediscovery as sd

from ecs_templates.builders.template import add_parameter
from ecs_templates.config.topology import Endpoint

NAMES_GROUP = "Names (unique in the account and Region: give others for a second copy)"
# "Up to 1,024 characters ... letters, numbers, hyphens and periods" for an HTTP namespace:
# https://docs.aws.amazon.com/cloud-map/latest/api/API_CreateHttpNamespace.html
NAMESPACE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9.-]{0,1023}$"


def add_namespace(template: Template, *, default: str) -> sd.HttpNamespace:
    """The stack's namespace; its name is a parameter since it is unique per account and Region."""
    name = add_parameter(
        template, "NamespaceName", group=NAMES_GROUP, label="Service Connect namespace",
        Type="String", Default=default, AllowedPattern=NAMESPACE_PATTERN,
        ConstraintDescription="letters, digits, hyphens and periods, such as shop.internal",
        Description="Cloud Map namespace in which the services find each other by name (ECS Service Connect); "
                    "unique in the account and Region.")
    return template.add_resource(sd.HttpNamespace(
        "ServiceConnectNamespace", Name=Ref(name),
        Description="Service Connect names of this stack's services"))


def cluster_defaults(namespace: sd.HttpNamespace) -> ecs.ServiceConnectDefaults:
    return ecs.ServiceConnectDefaults(Namespace=GetAtt(namespace, "Arn"))


def configuration(namespace: sd.HttpNamespace, endpoints: Sequence[Endpoint], *, log_group: logs.LogGroup,
                  service: str) -> ecs.ServiceConnectConfiguration:
    """Client of every service; server of `endpoints` (those others use), each as `<service>:<port>`."""
    properties: dict[str, Any] = {}
    if endpoints:
        properties["Services"] = [ecs.ServiceConnectService(
            PortName=endpoint.port_name, DiscoveryName=endpoint.port_name,
            ClientAliases=[ecs.ServiceConnectClientAlias(Port=endpoint.port, DnsName=endpoint.service)])
            for endpoint in endpoints]
    return ecs.ServiceConnectConfiguration(
        Enabled=True,
        Namespace=GetAtt(namespace, "Arn"),
        LogConfiguration=ecs.LogConfiguration(LogDriver="awslogs", Options={
            "awslogs-group": Ref(log_group), "awslogs-region": Ref("AWS::Region"),
            "awslogs-stream-prefix": f"{service}-service-connect"}),
        **properties,
    )
