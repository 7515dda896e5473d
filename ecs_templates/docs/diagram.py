"""Architecture diagrams derived from a finished template.

Every resource becomes a node, grouped into network, compute, data and identity by its
type; each container of a task definition becomes a node inside its task. Edges are the
template's own references (Ref, Fn::GetAtt, ${...} in Fn::Sub: dotted) and DependsOn
(dotted, labelled), plus the traffic path (thick): internet -> load balancer, or the
instance / task that holds a public IP -> the containers on a public port -> the
containers and managed databases or file systems they reach.

Container-to-container traffic is read from the task: `Links`, and environment values
whose host is another container's name (or its DNS name's first label) or the loopback
address, with one of that container's ports. Renderers: Mermaid (inside Markdown, shown
by GitHub and GitLab without any binary) and Graphviz DOT (SVG when `dot` is installed).
"""
from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from typing import Any, Mapping

from ecs_templates.docs.template import (Template, is_created, of_type, properties, references, resolve,
                                         resolve_number, resources)
from ecs_templates.errors import EcsTemplatesError

GROUPS = {"network": "Network", "compute": "Compute", "data": "Data", "identity": "Identity",
          "other": "Other"}
# Resource type prefixes -> group; the longest matching prefix wins.
_GROUP_OF_PREFIX = {
    "AWS::EC2::": "network", "AWS::ElasticLoadBalancingV2::": "network", "AWS::ServiceDiscovery::": "network",
    "AWS::Route53::": "network", "AWS::CertificateManager::": "network",
    "AWS::EC2::LaunchTemplate": "compute", "AWS::EC2::Instance": "compute", "AWS::ECS::": "compute",
    "AWS::AutoScaling::": "compute", "AWS::ApplicationAutoScaling::": "compute", "AWS::Lambda::": "compute",
    "AWS::RDS::": "data", "AWS::EFS::": "data", "AWS::SecretsManager::": "data", "AWS::Logs::": "data",
    "AWS::ECR::": "data", "AWS::S3::": "data", "AWS::KMS::": "data", "AWS::SSM::": "data",
    "AWS::CloudWatch::": "data",
    "AWS::IAM::": "identity",
}
DATABASE_TYPES = ("AWS::RDS::DBInstance", "AWS::RDS::DBCluster")
FILE_SYSTEM_TYPES = ("AWS::EFS::FileSystem",)
INTERNET = "internet"
_LOOPBACK = ("127.0.0.1", "localhost")


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    detail: str
    group: str
    shape: str = "box"  # box, round (containers), cylinder (databases), circle (the internet)
    parent: str | None = None  # a task cluster id


@dataclass(frozen=True)
class Cluster:
    id: str
    label: str
    group: str


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: str  # traffic, ref, depends
    label: str = ""


@dataclass(frozen=True)
class Diagram:
    stack: str
    nodes: tuple[Node, ...]
    clusters: tuple[Cluster, ...]
    edges: tuple[Edge, ...]

    def node(self, node_id: str) -> Node:
        return next(node for node in self.nodes if node.id == node_id)


def group_of(resource_type: str) -> str:
    matches = [prefix for prefix in _GROUP_OF_PREFIX if resource_type.startswith(prefix)]
    return _GROUP_OF_PREFIX[max(matches, key=len)] if matches else "other"


def container_node_id(task_id: str, container: str) -> str:
    return f"ctr_{task_id}_{re.sub(r'[^A-Za-z0-9]', '_', container)}"


def build_diagram(stack: str, template: Template) -> Diagram:
    """The diagram of one template: nodes, task clusters, reference and traffic edges."""
    all_resources = resources(template)
    nodes: list[Node] = []
    clusters: list[Cluster] = []
    edges: list[Edge] = []
    parameters = {name: spec for name, spec in template.get("Parameters", {}).items()
                  if str(spec.get("Type", "")).replace("List<", "").startswith("AWS::EC2::")}
    for name, spec in sorted(parameters.items()):
        nodes.append(Node(f"param_{name}", name, f"parameter {spec['Type']}", "network"))
    known = {name: f"param_{name}" for name in parameters}
    known.update({name: name for name in all_resources})
    tasks = of_type(template, "AWS::ECS::TaskDefinition")
    for name, resource in sorted(all_resources.items()):
        resource_type = resource.get("Type", "")
        condition = resource.get("Condition")
        detail = resource_type + (f" (if {condition})" if condition else "")
        shape = "cylinder" if resource_type in DATABASE_TYPES + FILE_SYSTEM_TYPES else "box"
        group = group_of(resource_type)
        parent = None
        if name in tasks:
            family = resolve(template, properties(resource).get("Family"))
            parent = f"task_{name}"
            clusters.append(Cluster(parent, f"Task {family or name}", group))
            for container in _containers(resource):
                ports = ", ".join(str(port) for port in _container_ports(container))
                nodes.append(Node(container_node_id(name, container["Name"]), f"container {container['Name']}",
                                  f"port {ports}" if ports else "no port", group, "round", parent))
                edges.extend(_reference_edges(container_node_id(name, container["Name"]), container, known))
        nodes.append(Node(name, name, detail, group, shape, parent))
        props = {key: value for key, value in properties(resource).items() if key != "ContainerDefinitions"}
        edges.extend(_reference_edges(name, props, known))
        depends = resource.get("DependsOn", [])
        for target in [depends] if isinstance(depends, str) else depends:
            edges.append(Edge(name, target, "depends", "DependsOn"))
    traffic = traffic_edges(template)
    if traffic:
        nodes.insert(0, Node(INTERNET, "Internet", "users", "external", "circle"))
    unique_edges = list(dict.fromkeys(traffic)) + sorted(set(edges) - set(traffic),
                                                         key=lambda e: (e.source, e.target, e.kind))
    return Diagram(stack, tuple(nodes), tuple(clusters), tuple(unique_edges))


def _containers(task: Mapping[str, Any]) -> list[dict[str, Any]]:
    definitions = properties(task).get("ContainerDefinitions", [])
    return [container for container in definitions if isinstance(container, dict) and "Name" in container]


def _container_ports(container: Mapping[str, Any]) -> list[int]:
    return [int(mapping["ContainerPort"]) for mapping in container.get("PortMappings", [])
            if isinstance(mapping.get("ContainerPort"), (int, str)) and str(mapping["ContainerPort"]).isdigit()]


def _host_ports(container: Mapping[str, Any], network_mode: str) -> list[int]:
    ports = []
    for mapping in container.get("PortMappings", []):
        port = mapping.get("ContainerPort") if network_mode == "awsvpc" else mapping.get("HostPort")
        if isinstance(port, int) and port:
            ports.append(port)
    return ports


def _reference_edges(source: str, value: Any, known: Mapping[str, str]) -> list[Edge]:
    return [Edge(source, known[target], "ref") for target in dict.fromkeys(references(value))
            if target in known and known[target] != source]


def _public_ports(template: Template) -> set[int]:
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


def traffic_edges(template: Template) -> list[Edge]:
    """internet -> entry point -> public containers -> what they reach (containers, databases, files)."""
    edges: list[Edge] = []
    tasks = of_type(template, "AWS::ECS::TaskDefinition")
    public = _public_ports(template)
    balancers = {name: resource for name, resource in of_type(template, "AWS::ElasticLoadBalancingV2::LoadBalancer").items()
                 if resolve(template, properties(resource).get("Scheme")) != "internal"}
    listeners = of_type(template, "AWS::ElasticLoadBalancingV2::Listener")
    for name in balancers:
        labels = sorted(f"{resolve(template, properties(listener).get('Protocol')) or 'TCP'} "
                        f"{resolve(template, properties(listener).get('Port')) or ''}".strip()
                        for listener in listeners.values()
                        if name in references(properties(listener).get("LoadBalancerArn")))
        edges.append(Edge(INTERNET, name, "traffic", ", ".join(labels) or "HTTP"))
    instances = [name for name, resource in of_type(template, "AWS::AutoScaling::AutoScalingGroup",
                                                   "AWS::EC2::Instance").items() if is_created(template, resource)]
    for service_name, service in of_type(template, "AWS::ECS::Service").items():
        service_props = properties(service)
        task_name = next((ref for ref in references(service_props.get("TaskDefinition")) if ref in tasks), None)
        if task_name is None:
            continue
        task = tasks[task_name]
        network_mode = str(resolve(template, properties(task).get("NetworkMode")) or "bridge")
        containers = {container["Name"]: container for container in _containers(task)}
        bindings = resolve(template, service_props.get("LoadBalancers")) or []
        if bindings:
            for binding in service_props.get("LoadBalancers", []):
                container = resolve(template, binding.get("ContainerName"))
                port = resolve(template, binding.get("ContainerPort"))
                for balancer in _balancers_of(template, binding.get("TargetGroupArn"), balancers, listeners):
                    if container in containers:
                        edges.append(Edge(balancer, container_node_id(task_name, container), "traffic",
                                          f"HTTP {port}"))
            continue
        public_ip = network_mode != "awsvpc" or resolve(
            template, service_props.get("NetworkConfiguration", {}).get("AwsvpcConfiguration", {})
            .get("AssignPublicIp")) == "ENABLED"
        entries = instances if network_mode != "awsvpc" and instances else [service_name]
        for container_name, container in containers.items():
            ports = [port for port in _host_ports(container, network_mode) if port in public]
            if not ports or not public_ip:
                continue
            label = "TCP " + ", ".join(map(str, ports))
            for entry in entries:
                edges.append(Edge(INTERNET, entry, "traffic", label))
                edges.append(Edge(entry, container_node_id(task_name, container_name), "traffic", label))
    edges.extend(_backend_edges(template, tasks))
    return list(dict.fromkeys(edges))


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


def _backend_edges(template: Template, tasks: Mapping[str, Mapping[str, Any]]) -> list[Edge]:
    """Containers -> the containers, databases and file systems they reach."""
    edges: list[Edge] = []
    by_container: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for task_name, task in tasks.items():
        for container in _containers(task):
            by_container.setdefault(container["Name"], []).append((task_name, container))
    databases = of_type(template, *DATABASE_TYPES)
    file_systems = of_type(template, *FILE_SYSTEM_TYPES)
    for task_name, task in tasks.items():
        siblings = {container["Name"]: container for container in _containers(task)}
        volumes = {volume.get("Name"): volume for volume in properties(task).get("Volumes", [])
                   if isinstance(volume, dict)} if isinstance(properties(task).get("Volumes"), list) else {}
        for container in siblings.values():
            source = container_node_id(task_name, container["Name"])
            for link in container.get("Links", []) if isinstance(container.get("Links"), list) else []:
                target = str(link).split(":")[0]
                if target in siblings:
                    ports = _container_ports(siblings[target])
                    edges.append(Edge(source, container_node_id(task_name, target), "traffic",
                                      "TCP " + ", ".join(map(str, ports)) if ports else "link"))
            for variable in container.get("Environment", []):
                value = resolve(template, variable.get("Value"))
                if not isinstance(value, str):
                    continue
                for host, port in re.findall(r"([A-Za-z0-9_.-]+):(\d+)", value):
                    if host in _LOOPBACK:
                        targets = [(task_name, other) for other in siblings.values()
                                   if other is not container and int(port) in _container_ports(other)]
                    else:
                        targets = [(owner, other) for owner, other in by_container.get(host.split(".")[0], [])
                                   if int(port) in _container_ports(other) and other is not container]
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


# ---- renderers --------------------------------------------------------------------------------

def _mermaid_label(*parts: str) -> str:
    text = "<br/>".join(part.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;") for part in parts)
    return f'"{text}"'


_MERMAID_SHAPES = {"box": "[{}]", "round": "({})", "cylinder": "[({})]", "circle": "(({}))"}
_MERMAID_ARROWS = {"traffic": "==>", "ref": "-.->", "depends": "-.->"}


def to_mermaid(diagram: Diagram) -> str:
    """Mermaid flowchart text: subgraph per group, nested subgraph per task, traffic edges thick."""
    lines = ["flowchart LR"]

    def node_line(node: Node, indent: str) -> str:
        return indent + node.id + _MERMAID_SHAPES[node.shape].format(_mermaid_label(node.label, node.detail))

    for node in diagram.nodes:
        if node.group == "external":
            lines.append(node_line(node, "  "))
    for group, title in GROUPS.items():
        members = [node for node in diagram.nodes if node.group == group and node.parent is None]
        clusters = [cluster for cluster in diagram.clusters if cluster.group == group]
        if not members and not clusters:
            continue
        lines.append(f"  subgraph grp_{group}[{_mermaid_label(title)}]")
        for cluster in clusters:
            lines.append(f"    subgraph {cluster.id}[{_mermaid_label(cluster.label)}]")
            lines.extend(node_line(node, "      ") for node in diagram.nodes if node.parent == cluster.id)
            lines.append("    end")
        lines.extend(node_line(node, "    ") for node in members)
        lines.append("  end")
    for edge in diagram.edges:
        label = f"|{edge.label}|" if edge.label else ""
        lines.append(f"  {edge.source} {_MERMAID_ARROWS[edge.kind]}{label} {edge.target}")
    return "\n".join(lines) + "\n"


def to_markdown(diagram: Diagram, heading: str = "##") -> str:
    return f"{heading} {diagram.stack}\n\n```mermaid\n{to_mermaid(diagram)}```\n"


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


_DOT_SHAPES = {"box": "box", "round": "box, style=rounded", "cylinder": "cylinder", "circle": "ellipse"}


def to_dot(diagram: Diagram) -> str:
    """Graphviz DOT text of the same diagram: a cluster per group and per task."""
    lines = [f"digraph {_dot_quote(diagram.stack)} {{", "  rankdir=LR;",
             '  node [shape=box, fontname="Helvetica", fontsize=10];', '  edge [fontname="Helvetica", fontsize=9];']

    def node_line(node: Node, indent: str) -> str:
        label = _dot_quote(f"{node.label}\n{node.detail}").replace("\n", "\\n")
        return f"{indent}{_dot_quote(node.id)} [label={label}, shape={_DOT_SHAPES[node.shape]}];"

    lines.extend(node_line(node, "  ") for node in diagram.nodes if node.group == "external")
    for group, title in GROUPS.items():
        members = [node for node in diagram.nodes if node.group == group and node.parent is None]
        clusters = [cluster for cluster in diagram.clusters if cluster.group == group]
        if not members and not clusters:
            continue
        lines.append(f"  subgraph cluster_{group} {{")
        lines.append(f"    label={_dot_quote(title)};")
        for cluster in clusters:
            lines.append(f"    subgraph cluster_{cluster.id} {{")
            lines.append(f"      label={_dot_quote(cluster.label)};")
            lines.extend(node_line(node, "      ") for node in diagram.nodes if node.parent == cluster.id)
            lines.append("    }")
        lines.extend(node_line(node, "    ") for node in members)
        lines.append("  }")
    styles = {"traffic": "penwidth=2", "ref": "style=dashed", "depends": "style=dotted"}
    for edge in diagram.edges:
        attributes = [styles[edge.kind]] + ([f"label={_dot_quote(edge.label)}"] if edge.label else [])
        lines.append(f"  {_dot_quote(edge.source)} -> {_dot_quote(edge.target)} [{', '.join(attributes)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_svg(diagram: Diagram) -> bytes:
    """SVG through Graphviz's `dot`; a clear error when it is not installed."""
    dot = shutil.which("dot")
    if dot is None:
        raise EcsTemplatesError("--format svg needs Graphviz's `dot` on PATH (e.g. apt-get install graphviz, "
                                "brew install graphviz); without it use --format mermaid")
    result = subprocess.run([dot, "-Tsvg"], input=to_dot(diagram).encode("utf-8"), capture_output=True,
                            check=False, timeout=120)
    if result.returncode != 0:
        raise EcsTemplatesError(f"dot failed to render {diagram.stack}: "
                                f"{result.stderr.decode('utf-8', 'replace').strip()}")
    return result.stdout
