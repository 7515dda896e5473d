"""The overview diagram: the traffic path, left to right, with everything else folded in.

At most OVERVIEW_NODES nodes and OVERVIEW_EDGES edges for applications of up to ten
services: the internet, the load balancers (their listeners and target groups folded),
instances that are an entry point, one node per ECS service (its containers, roles,
policies, secrets, log groups, scaling and security groups named or counted in it), the
databases and file systems as cylinders, and what the stack holds as a whole, one node
per resource type. A service whose containers talk to each other inside the task (the
single-task stacks) is a box holding one node per container instead, so that traffic
stays visible. Edges are the traffic edges between those nodes, one per pair. Past the
edge budget, connections between services are left to the full diagram, and a comment in
the drawing says how many.
"""
from __future__ import annotations

from collections import defaultdict

from ecs_templates.docs.diagram.folding import fold, left_over, noun, summarize
from ecs_templates.docs.diagram.model import (DATABASE_TYPES, FILE_SYSTEM_TYPES, INSTANCE_TYPES, INTERNET,
                                              LOAD_BALANCER_TYPES, TOP, Cluster, Diagram, Edge, Node,
                                              container_node_id, container_ports, containers)
from ecs_templates.docs.diagram.traffic import listener_labels, service_tasks, traffic_edges
from ecs_templates.docs.template import Template, is_created, of_type, properties, resolve, resources

OVERVIEW_NODES = 30
OVERVIEW_EDGES = 40
_MAX_NAMES = 4


def _unit_id(service: str) -> str:
    return f"svc_{service}"


def _scaling(template: Template, members: list[str], desired: object) -> str:
    targets = [resources(template)[name] for name in members
               if resources(template)[name].get("Type") == "AWS::ApplicationAutoScaling::ScalableTarget"]
    tasks = f"{desired} task{'s' if str(desired) != '1' else ''}" if desired is not None else ""
    for target in targets:
        low = resolve(template, properties(target).get("MinCapacity"))
        high = resolve(template, properties(target).get("MaxCapacity"))
        if low is not None and high is not None:
            return f"{tasks}, scales {low}-{high}" if tasks else f"scales {low}-{high}"
    return tasks


def build_overview(stack: str, template: Template) -> Diagram:
    all_resources = resources(template)
    services = list(service_tasks(template))
    entries = [name for name, resource in of_type(template, *INSTANCE_TYPES).items() if is_created(template, resource)]
    balancers = list(of_type(template, *LOAD_BALANCER_TYPES))
    stores = list(of_type(template, *DATABASE_TYPES, *FILE_SYSTEM_TYPES))
    anchors: dict[str, list[str]] = {name: [name] for name in balancers + entries + stores}
    for service, _, task in services:
        anchors.setdefault(_unit_id(service), [service, task])
    folded = fold(template, anchors)
    traffic = traffic_edges(template)
    nodes: list[Node] = []
    merged: dict[str, str] = {}  # container node -> the node of its service, when drawn as one
    clusters: list[Cluster] = []
    for name in balancers:
        listening = ", ".join(listener_labels(template, name))
        nodes.append(Node(name, name, "\n".join(filter(None, [
            f"load balancer{': ' + listening if listening else ''}", summarize(template, folded[name])])), TOP))
    for name in entries:
        nodes.append(Node(name, name, "\n".join(filter(None, [
            noun(all_resources[name]["Type"]), summarize(template, folded[name])])), TOP))
    for service, resource, task in services:
        unit = _unit_id(service)
        if unit in {cluster.id for cluster in clusters}:
            continue
        scale = _scaling(template, folded[unit], resolve(template, properties(resource).get("DesiredCount")))
        title = f"ECS service{', ' + scale if scale else ''}"
        members = containers(all_resources[task])
        ids = {container_node_id(task, container["Name"]) for container in members}
        if not any(edge.source in ids and edge.target in ids for edge in traffic):
            merged.update({member: unit for member in ids})
            nodes.append(Node(unit, service, "\n".join(filter(None, [
                title, _container_list(members), summarize(template, folded[unit])])), TOP, "round"))
            continue
        clusters.append(Cluster(unit, service, TOP, "\n".join(filter(None, [
            title, summarize(template, folded[unit])]))))
        for container in members:
            ports = ", ".join(map(str, container_ports(container)))
            nodes.append(Node(container_node_id(task, container["Name"]), f"container {container['Name']}",
                              f"port {ports}" if ports else "", TOP, "round", unit))
    for name in stores:
        nodes.append(Node(name, name, "\n".join(filter(None, [
            noun(all_resources[name]["Type"]), summarize(template, folded[name])])), TOP, "cylinder"))
    by_type: dict[str, list[str]] = defaultdict(list)
    for name in left_over(template, folded, anchors):
        by_type[all_resources[name].get("Type", "")].append(name)
    for kind, names in sorted(by_type.items()):
        shown = ", ".join(names[:_MAX_NAMES]) + (f" and {len(names) - _MAX_NAMES} more" if len(names) > _MAX_NAMES else "")
        title = noun(kind, len(names)) if len(names) > 1 else noun(kind)
        nodes.append(Node("other_" + "".join(ch for ch in kind if ch.isalnum()), title, shown, TOP))
    edges = _overview_edges(template, traffic, {node.id for node in nodes}, merged)
    notes: tuple[str, ...] = ()
    if len(edges) > OVERVIEW_EDGES:
        kept, dropped = _within_budget(edges, {node.id for node in nodes if node.parent is None})
        edges, notes = kept, (f"{dropped} connections between services are drawn in the full diagram only",)
    if edges:
        nodes.insert(0, Node(INTERNET, "Internet", "users", TOP, "circle"))
    return Diagram(stack, tuple(nodes), tuple(clusters), tuple(edges), notes)


def _container_list(members: list[dict]) -> str:
    """`containers: web :8000, migrate`: the task's containers and their ports, three to a line."""
    words = [container["Name"] + "".join(f" :{port}" for port in container_ports(container)) for container in members]
    lines = [", ".join(words[start:start + 3]) for start in range(0, len(words), 3)]
    return ("container" + ("s" if len(words) > 1 else "") + ": " + "\n".join(lines)) if words else ""


def _overview_edges(template: Template, edges: list[Edge], drawn: set[str], merged: dict[str, str]) -> list[Edge]:
    """The traffic edges between drawn nodes, one per pair (labels merged); an edge through a
    service that is its own entry point (a public IP) joins its two ends; the containers of a
    service drawn as one node stand for it, and traffic inside it is not drawn."""
    service_units = {service: _unit_id(service) for service, _, _ in service_tasks(template)}
    into = defaultdict(list)
    for edge in edges:
        if edge.target in service_units:
            into[edge.target].append(edge.source)
    joined: list[Edge] = []
    for edge in edges:
        if edge.target in service_units:
            continue
        sources = into[edge.source] if edge.source in service_units else [edge.source]
        joined.extend(Edge(source, edge.target, "traffic", edge.label) for source in sources)
    joined = [Edge(merged.get(edge.source, edge.source), merged.get(edge.target, edge.target), edge.kind, edge.label)
              for edge in joined]
    joined = [edge for edge in joined if edge.source != edge.target]
    labels: dict[tuple[str, str], list[str]] = {}
    for edge in joined:
        if (edge.source in drawn or edge.source == INTERNET) and edge.target in drawn:
            labels.setdefault((edge.source, edge.target), [])
            if edge.label and edge.label not in labels[(edge.source, edge.target)]:
                labels[(edge.source, edge.target)].append(edge.label)
    return [Edge(source, target, "traffic", ", ".join(texts)) for (source, target), texts in labels.items()]


def _within_budget(edges: list[Edge], top_level: set[str]) -> tuple[list[Edge], int]:
    """Edges from the internet and entry points and to the data stores first, then the rest in order."""
    first = [edge for edge in edges if edge.source == INTERNET or edge.source in top_level or edge.target in top_level]
    rest = [edge for edge in edges if edge not in first]
    kept = (first + rest)[:OVERVIEW_EDGES]
    return [edge for edge in edges if edge in kept], len(edges) - len(kept)
