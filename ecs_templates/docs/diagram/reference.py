"""The full reference diagram: every resource a node, every reference an edge.

Resources are grouped into network, compute, data and identity by their type; each
container of a task definition becomes a node inside its task. Edges are the template's
own references (Ref, Fn::GetAtt, ${...} in Fn::Sub: dotted) and DependsOn (dotted,
labelled), plus the traffic path (thick) of `traffic.traffic_edges`.
"""
from __future__ import annotations

from typing import Any, Mapping

from ecs_templates.docs.diagram.model import (INTERNET, Cluster, Diagram, Edge, Node, container_node_id,
                                              container_ports, containers, group_of, shape_of)
from ecs_templates.docs.diagram.traffic import traffic_edges
from ecs_templates.docs.template import Template, of_type, properties, references, resolve, resources


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
        group = group_of(resource_type)
        parent = None
        if name in tasks:
            family = resolve(template, properties(resource).get("Family"))
            parent = f"task_{name}"
            clusters.append(Cluster(parent, f"Task {family or name}", group))
            for container in containers(resource):
                ports = ", ".join(str(port) for port in container_ports(container))
                nodes.append(Node(container_node_id(name, container["Name"]), f"container {container['Name']}",
                                  f"port {ports}" if ports else "no port", group, "round", parent))
                edges.extend(_reference_edges(container_node_id(name, container["Name"]), container, known))
        nodes.append(Node(name, name, detail, group, shape_of(resource_type), parent))
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


def _reference_edges(source: str, value: Any, known: Mapping[str, str]) -> list[Edge]:
    return [Edge(source, known[target], "ref") for target in dict.fromkeys(references(value))
            if target in known and known[target] != source]
