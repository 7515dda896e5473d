"""The traffic path of a finished template, read from resource types and references only.

internet -> load balancer, or the instance / task that holds a public IP -> the containers
on a public port -> the containers, managed databases and file systems they reach.
Container-to-container traffic is read from the task: `Links`, and environment values
whose host is another container's name (or its DNS name's first label), a name the other
service registers (Cloud Map service discovery, Service Connect aliases), or the loopback
address, with one of that container's ports. Between ECS services, and from a service to a
database, the security groups say it too: an ingress rule of one service's (or database's)
group whose source is another service's group is a connection, drawn when nothing in the
environment already shows it (a client that takes a host name without a port).
"""
from __future__ import annotations

import re
from typing import Any, Iterator, Mapping

from ecs_templates.docs.diagram.model import (DATABASE_TYPES, FILE_SYSTEM_TYPES, INSTANCE_TYPES, INTERNET,
                                              LOAD_BALANCER_TYPES, Edge, container_node_id, container_ports,
                                              containers)
from ecs_templates.docs.template import Template, is_created, of_type, properties, references, resolve, resolve_number

_LOOPBACK = ("127.0.0.1", "localhost")
_HOST_PORT = re.compile(r"([A-Za-z0-9_.-]+):(\d+)")


def _host_ports(container: Mapping[str, Any], network_mode: str) -> list[int]:
    ports = []
    for mapping in container.get("PortMappings", []):
        port = mapping.get("ContainerPort") if network_mode == "awsvpc" else mapping.get("HostPort")
        if isinstance(port, int) and port:
            ports.append(port)
    return ports


def public_ports(template: Template) -> set[int]:
    """Ports any security group opens to an IP range (not only to another security group)."""
    rules: list[Mapping[str, Any]] = []
    for resource in of_type(template, "AWS::EC2::SecurityGroup").values():
        rules.extend(properties(resource).get("SecurityGroupIngress", []))
    rules.extend(properties(resource) for resource in of_type(template, "AWS::EC2::SecurityGroupIngress").values())
    ports: set[int] = set()
    for rule in rules:
        if "CidrIp" not in rule and "CidrIpv6" not in rule:
            continue
        low = resolve_number(template, rule.get("FromPort"))
        high = resolve_number(template, rule.get("ToPort"), low)
        if low is not None and high is not None and high - low < 1024:
            ports.update(range(int(low), int(high) + 1))
    return ports


def service_tasks(template: Template) -> Iterator[tuple[str, dict[str, Any], str]]:
    """(service logical ID, service resource, its task definition's logical ID) of every ECS service."""
    tasks = of_type(template, "AWS::ECS::TaskDefinition")
    for service_name, service in of_type(template, "AWS::ECS::Service").items():
        task_name = next((ref for ref in references(properties(service).get("TaskDefinition")) if ref in tasks), None)
        if task_name is not None:
            yield service_name, service, task_name


def internet_facing_balancers(template: Template) -> dict[str, dict[str, Any]]:
    return {name: resource for name, resource in of_type(template, *LOAD_BALANCER_TYPES).items()
            if resolve(template, properties(resource).get("Scheme")) != "internal"}


def listener_labels(template: Template, balancer: str) -> list[str]:
    return sorted(f"{resolve(template, properties(listener).get('Protocol')) or 'TCP'} "
                  f"{resolve(template, properties(listener).get('Port')) or ''}".strip()
                  for listener in of_type(template, "AWS::ElasticLoadBalancingV2::Listener").values()
                  if balancer in references(properties(listener).get("LoadBalancerArn")))


def traffic_edges(template: Template) -> list[Edge]:
    """internet -> entry point -> public containers -> what they reach (containers, databases, files)."""
    edges: list[Edge] = []
    tasks = of_type(template, "AWS::ECS::TaskDefinition")
    public = public_ports(template)
    balancers = internet_facing_balancers(template)
    listeners = of_type(template, "AWS::ElasticLoadBalancingV2::Listener")
    for name in balancers:
        edges.append(Edge(INTERNET, name, "traffic", ", ".join(listener_labels(template, name)) or "HTTP"))
    instances = [name for name, resource in of_type(template, *INSTANCE_TYPES).items()
                 if is_created(template, resource)]
    for service_name, service, task_name in service_tasks(template):
        service_props = properties(service)
        task = tasks[task_name]
        network_mode = str(resolve(template, properties(task).get("NetworkMode")) or "bridge")
        by_name = {container["Name"]: container for container in containers(task)}
        if resolve(template, service_props.get("LoadBalancers")):
            for binding in service_props.get("LoadBalancers", []):
                container = resolve(template, binding.get("ContainerName"))
                port = resolve(template, binding.get("ContainerPort"))
                protocol = _target_protocol(template, binding.get("TargetGroupArn"))
                for balancer in _balancers_of(template, binding.get("TargetGroupArn"), balancers, listeners):
                    if container in by_name:
                        edges.append(Edge(balancer, container_node_id(task_name, container), "traffic",
                                          f"{protocol} {port}"))
            continue
        public_ip = network_mode != "awsvpc" or resolve(
            template, service_props.get("NetworkConfiguration", {}).get("AwsvpcConfiguration", {})
            .get("AssignPublicIp")) == "ENABLED"
        entries = instances if network_mode != "awsvpc" and instances else [service_name]
        for container_name, container in by_name.items():
            ports = [port for port in _host_ports(container, network_mode) if port in public]
            if not ports or not public_ip:
                continue
            label = "TCP " + ", ".join(map(str, ports))
            for entry in entries:
                edges.append(Edge(INTERNET, entry, "traffic", label))
                edges.append(Edge(entry, container_node_id(task_name, container_name), "traffic", label))
    backend = _backend_edges(template, tasks)
    edges.extend(backend)
    edges.extend(_ingress_edges(template, tasks, backend))
    return list(dict.fromkeys(edges))


def _target_protocol(template: Template, target_group: Any) -> str:
    """The target group's protocol (HTTP behind an ALB; TCP, UDP or TLS behind an NLB)."""
    groups = of_type(template, "AWS::ElasticLoadBalancingV2::TargetGroup")
    for name in references(target_group):
        if name in groups:
            return str(resolve(template, properties(groups[name]).get("Protocol")) or "HTTP")
    return "HTTP"


def _balancers_of(template: Template, target_group: Any, balancers: Mapping[str, Any],
                  listeners: Mapping[str, Any]) -> list[str]:
    groups = set(references(target_group))
    found = []
    rules = of_type(template, "AWS::ElasticLoadBalancingV2::ListenerRule")
    for listener_name, listener in listeners.items():
        forwarded = set(references(properties(listener).get("DefaultActions")))
        forwarded.update(ref for rule in rules.values()
                         if listener_name in references(properties(rule).get("ListenerArn"))
                         for ref in references(properties(rule).get("Actions")))
        if groups & forwarded:
            found.extend(name for name in references(properties(listener).get("LoadBalancerArn")) if name in balancers)
    return sorted(set(found)) or sorted(balancers)


def _names_in_network(template: Template, tasks: Mapping[str, Mapping[str, Any]]
                      ) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """Host name -> (task, container): container names, and the names services register."""
    found: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for task_name, task in tasks.items():
        for container in containers(task):
            found.setdefault(container["Name"], []).append((task_name, container))
    registries = of_type(template, "AWS::ServiceDiscovery::Service")
    for _, service, task_name in service_tasks(template):
        service_props = properties(service)
        names = [resolve(template, properties(registries[ref]).get("Name"))
                 for ref in references(service_props.get("ServiceRegistries")) if ref in registries]
        connect = service_props.get("ServiceConnectConfiguration", {})
        for entry in connect.get("Services", []) if isinstance(connect, dict) else []:
            names.append(resolve(template, entry.get("DiscoveryName")))
            names.extend(resolve(template, alias.get("DnsName")) for alias in entry.get("ClientAliases", []))
        for name in dict.fromkeys(name for name in names if isinstance(name, str)):
            for container in containers(tasks[task_name]):
                if (task_name, container) not in found.setdefault(name, []):
                    found[name].append((task_name, container))
    return found


def _backend_edges(template: Template, tasks: Mapping[str, Mapping[str, Any]]) -> list[Edge]:
    """Containers -> the containers, databases and file systems they reach."""
    edges: list[Edge] = []
    by_host = _names_in_network(template, tasks)
    databases = of_type(template, *DATABASE_TYPES)
    file_systems = of_type(template, *FILE_SYSTEM_TYPES)
    for task_name, task in tasks.items():
        siblings = {container["Name"]: container for container in containers(task)}
        volumes = {volume.get("Name"): volume for volume in properties(task).get("Volumes", [])
                   if isinstance(volume, dict)} if isinstance(properties(task).get("Volumes"), list) else {}
        for container in siblings.values():
            source = container_node_id(task_name, container["Name"])
            for link in container.get("Links", []) if isinstance(container.get("Links"), list) else []:
                target = str(link).split(":")[0]
                if target in siblings:
                    ports = container_ports(siblings[target])
                    edges.append(Edge(source, container_node_id(task_name, target), "traffic",
                                      "TCP " + ", ".join(map(str, ports)) if ports else "link"))
            for variable in container.get("Environment", []):
                value = resolve(template, variable.get("Value"))
                if not isinstance(value, str):
                    continue
                for host, port in _HOST_PORT.findall(value):
                    if host in _LOOPBACK:
                        targets = [(task_name, other) for other in siblings.values()
                                   if other is not container and int(port) in container_ports(other)]
                    else:
                        candidates = by_host.get(host) or by_host.get(host.split(".")[0], [])
                        targets = [(owner, other) for owner, other in candidates
                                   if int(port) in container_ports(other) and other is not container]
                    for owner, other in targets:
                        edges.append(Edge(source, container_node_id(owner, other["Name"]), "traffic", f"TCP {port}"))
            for target in dict.fromkeys(references(container)):
                if target in databases:
                    edges.append(Edge(source, target, "traffic", "SQL"))
            for mount in container.get("MountPoints", []) if isinstance(container.get("MountPoints"), list) else []:
                volume = volumes.get(mount.get("SourceVolume"), {})
                for target in references(volume.get("EFSVolumeConfiguration", {})):
                    if target in file_systems:
                        edges.append(Edge(source, target, "traffic", "NFS 2049"))
    return edges


def _group_owners(template: Template) -> dict[str, tuple[str, str]]:
    """Security group -> ("task", task definition) of the ECS service that uses it, or ("database", name)."""
    owners: dict[str, tuple[str, str]] = {}
    for _, service, task_name in service_tasks(template):
        configuration = properties(service).get("NetworkConfiguration", {}).get("AwsvpcConfiguration", {})
        for group in references(configuration.get("SecurityGroups")):
            owners.setdefault(group, ("task", task_name))
    for name, database in of_type(template, *DATABASE_TYPES).items():
        for group in references(properties(database).get("VPCSecurityGroups")):
            owners.setdefault(group, ("database", name))
    return owners


def _group_rules(template: Template) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(the group a rule opens, the rule) of every ingress rule from another security group."""
    for name, group in of_type(template, "AWS::EC2::SecurityGroup").items():
        for rule in properties(group).get("SecurityGroupIngress", []) or []:
            if isinstance(rule, Mapping) and rule.get("SourceSecurityGroupId") is not None:
                yield name, rule
    for rule_resource in of_type(template, "AWS::EC2::SecurityGroupIngress").values():
        if not is_created(template, rule_resource):
            continue
        rule = properties(rule_resource)
        for group in references(rule.get("GroupId")):
            if rule.get("SourceSecurityGroupId") is not None:
                yield group, rule


def _ingress_edges(template: Template, tasks: Mapping[str, Mapping[str, Any]], known: list[Edge]) -> list[Edge]:
    """Client containers -> the server (its containers on the port, or the database) for every
    ingress rule between the groups of two services, or of a service and a database, that no
    edge in `known` already draws."""
    owners = _group_owners(template)
    node_task = {container_node_id(task_name, container["Name"]): task_name
                 for task_name, task in tasks.items() for container in containers(task)}
    connected = {(node_task.get(edge.source), node_task.get(edge.target, edge.target)) for edge in known}
    edges: list[Edge] = []
    for group, rule in _group_rules(template):
        server = owners.get(group)
        clients = [owners[ref] for ref in references(rule.get("SourceSecurityGroupId")) if ref in owners]
        port = resolve_number(template, rule.get("FromPort"))
        if server is None or port is None:
            continue
        protocol = str(resolve(template, rule.get("IpProtocol")) or "tcp").upper()
        label = f"{protocol} {int(port)}"
        for kind, client in clients:
            if kind != "task" or (kind, client) == server or (client, server[1]) in connected:
                continue
            sources = [container_node_id(client, container["Name"]) for container in containers(tasks[client])
                       if container.get("Essential", True) is not False]
            if server[0] == "database":
                targets = [server[1]]
            else:
                members = containers(tasks[server[1]])
                listening = [container for container in members if int(port) in container_ports(container)]
                targets = [container_node_id(server[1], container["Name"]) for container in listening or members]
            edges.extend(Edge(source, target, "traffic", label) for source in sources for target in targets)
            connected.add((client, server[1]))
    return edges
