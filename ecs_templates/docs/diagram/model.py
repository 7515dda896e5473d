"""The diagram's data: nodes, task clusters and edges, and what a template's resource is drawn as."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

from ecs_templates.docs.template import properties

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
LOAD_BALANCER_TYPES = ("AWS::ElasticLoadBalancingV2::LoadBalancer",)
INSTANCE_TYPES = ("AWS::AutoScaling::AutoScalingGroup", "AWS::EC2::Instance")
INTERNET = "internet"
# Groups that are not drawn as a subgraph of their own: their nodes sit at the top level.
EXTERNAL = "external"
TOP = "top"


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    detail: str
    group: str
    shape: str = "box"  # box, round (containers), cylinder (databases), circle (the internet)
    parent: str | None = None  # a cluster id


@dataclass(frozen=True)
class Cluster:
    id: str
    label: str
    group: str
    detail: str = ""


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
    notes: tuple[str, ...] = ()  # rendered as comments: what the drawing leaves out

    def node(self, node_id: str) -> Node:
        return next(node for node in self.nodes if node.id == node_id)

    def top_level(self) -> tuple[list[Node], list[Cluster]]:
        """The nodes and clusters drawn outside any group (the internet, the overview's boxes)."""
        return ([node for node in self.nodes if node.group not in GROUPS and node.parent is None],
                [cluster for cluster in self.clusters if cluster.group not in GROUPS])

    def groups(self) -> list[tuple[str, str, list[Cluster], list[Node]]]:
        """(group, title, its clusters, its nodes outside clusters) of every group that has any."""
        found = []
        for group, title in GROUPS.items():
            members = [node for node in self.nodes if node.group == group and node.parent is None]
            clusters = [cluster for cluster in self.clusters if cluster.group == group]
            if members or clusters:
                found.append((group, title, clusters, members))
        return found

    def members(self, cluster: Cluster) -> list[Node]:
        return [node for node in self.nodes if node.parent == cluster.id]


def group_of(resource_type: str) -> str:
    matches = [prefix for prefix in _GROUP_OF_PREFIX if resource_type.startswith(prefix)]
    return _GROUP_OF_PREFIX[max(matches, key=len)] if matches else "other"


def shape_of(resource_type: str) -> str:
    return "cylinder" if resource_type in DATABASE_TYPES + FILE_SYSTEM_TYPES else "box"


def container_node_id(task_id: str, container: str) -> str:
    return f"ctr_{task_id}_{re.sub(r'[^A-Za-z0-9]', '_', container)}"


def containers(task: Mapping[str, Any]) -> list[dict[str, Any]]:
    definitions = properties(task).get("ContainerDefinitions", [])
    return [container for container in definitions if isinstance(container, dict) and "Name" in container]


def container_ports(container: Mapping[str, Any]) -> list[int]:
    return [int(mapping["ContainerPort"]) for mapping in container.get("PortMappings", [])
            if isinstance(mapping.get("ContainerPort"), (int, str)) and str(mapping["ContainerPort"]).isdigit()]
