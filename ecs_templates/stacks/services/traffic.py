"""Who may reach whom in the services stacks: the load balancers, and one security group per service.

internet -> ALB (HTTP) / NLB (TCP, UDP) -> the services that publish those ports -> the services
(or RDS databases) they use, each on the ports it uses; nothing else is open.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from troposphere import Ref, Template
from troposphere import elasticloadbalancingv2 as elb

from ecs_templates.builders.load_balancer import (
    LoadBalancer,
    MainListener,
    add_application_load_balancer,
    add_listener,
    add_main_listener,
    add_network_load_balancer,
    add_routing_rules,
    add_target_group,
)
from ecs_templates.builders.network import IngressRule, add_ingress, add_security_group
from ecs_templates.config.topology import MAIN_HTTP_PORT, Endpoint, Service, Topology, first_http_endpoint, listener_port
from ecs_templates.naming import logical_id

PROTOCOL_VERSIONS = {"http": "HTTP1", "http2": "HTTP2", "grpc": "GRPC"}
FIRST_RULE_PRIORITY = 10


@dataclass
class Entry:
    """The public side: load balancers, and the target group and listener of each public endpoint."""

    application: LoadBalancer | None = None
    network: LoadBalancer | None = None
    target_groups: dict[Endpoint, elb.TargetGroup] = field(default_factory=dict)
    listeners: dict[Endpoint, Any] = field(default_factory=dict)
    listener_ports: dict[Endpoint, int] = field(default_factory=dict)

    def balancer_of(self, endpoint: Endpoint) -> LoadBalancer:
        balancer = self.application if endpoint.is_http else self.network
        assert balancer is not None
        return balancer


def add_entry(template: Template, services: list[Service], topology: Topology, *, vpc: Any, subnets: Any,
              source_cidr: Any, certificate_default: str, deletion_protection: Any) -> Entry:
    entry = Entry()
    first = first_http_endpoint(topology)
    public = [(service, endpoint) for service in services for endpoint in service.public_endpoints]
    http = [(service, endpoint) for service, endpoint in public if endpoint.is_http]
    other = [(service, endpoint) for service, endpoint in public if not endpoint.is_http]
    for service, endpoint in public:
        entry.listener_ports[endpoint] = listener_port(endpoint, first, service.settings)
    if http:
        entry.application = add_application_load_balancer(
            template, vpc=vpc, subnets=subnets, source_cidr=source_cidr,
            ports=[entry.listener_ports[endpoint] for _, endpoint in http],
            certificate_default=certificate_default, deletion_protection=deletion_protection)
        for service, endpoint in http:
            entry.target_groups[endpoint] = add_target_group(
                template, logical_id(endpoint.port_name, "target", "group"), vpc=vpc, port=endpoint.port,
                protocol="HTTP", health_check_path=service.health_check_path,
                protocol_version=PROTOCOL_VERSIONS[endpoint.app_protocol])
        main: MainListener | None = None
        if any(entry.listener_ports[endpoint] == MAIN_HTTP_PORT for _, endpoint in http):
            main = add_main_listener(template, entry.application, entry.target_groups.get(first) if first else None)
        priority = FIRST_RULE_PRIORITY
        for service, endpoint in http:
            port = entry.listener_ports[endpoint]
            if port != MAIN_HTTP_PORT:
                entry.listeners[endpoint] = add_listener(
                    template, f"Http{port}Listener", entry.application, port=port, protocol="HTTP",
                    target_group=entry.target_groups[endpoint])
                continue
            assert main is not None
            entry.listeners[endpoint] = main.http
            if endpoint != first:
                add_routing_rules(template, logical_id(endpoint.port_name), main, entry.application,
                                  priority=priority, target_group=entry.target_groups[endpoint],
                                  host=service.settings.host_header, path=service.settings.path_pattern)
                priority += 1
    if other:
        entry.network = add_network_load_balancer(
            template, vpc=vpc, subnets=subnets, source_cidr=source_cidr,
            ports=[(endpoint.published, endpoint.transport) for _, endpoint in other],
            deletion_protection=deletion_protection)
        for _, endpoint in other:
            protocol = endpoint.transport.upper()
            entry.target_groups[endpoint] = add_target_group(
                template, logical_id(endpoint.port_name, "target", "group"), vpc=vpc, port=endpoint.port,
                protocol=protocol)
            entry.listeners[endpoint] = add_listener(
                template, f"Nlb{endpoint.published}{protocol.title()}Listener", entry.network,
                port=endpoint.published, protocol=protocol, target_group=entry.target_groups[endpoint])
    return entry


def add_service_groups(template: Template, services: list[Service], topology: Topology, entry: Entry, *,
                       vpc: Any, databases: dict[str, Any]) -> dict[str, Any]:
    """A security group per running service, and the rules: from the load balancer, from each client.

    `databases` maps replaced database services to the security group of their RDS instance.
    Client rules are separate resources, since two services may use each other.
    """
    groups: dict[str, Any] = {}
    for service in services:
        ingress = [IngressRule(endpoint.port, f"{endpoint.transport.upper()} {endpoint.port} from the load balancer",
                               source_security_group=Ref(entry.balancer_of(endpoint).security_group),
                               protocol=endpoint.transport)
                   for endpoint in service.public_endpoints]
        clients = topology.clients_of(service.name)
        groups[service.name] = add_security_group(
            template, logical_id(service.name, "security", "group"), vpc=vpc, ingress=ingress,
            description=f"{service.name} tasks: " + ("; ".join(
                part for part in ("its public ports from the load balancer only" if ingress else "",
                                  f"used by {', '.join(clients)}" if clients else "") if part) or
                "no public port and no client: no inbound traffic"))
    targets = {**groups, **databases}
    for link in topology.links:
        if link.client not in groups or link.server not in targets:
            continue
        add_ingress(template, logical_id(link.server, "from", link.client, str(link.port), link.transport, "ingress"),
                    group=Ref(targets[link.server]), rule=IngressRule(
                        link.port, f"{link.transport.upper()} {link.port} of {link.server} from {link.client}",
                        source_security_group=Ref(groups[link.client]), protocol=link.transport))
    return groups
