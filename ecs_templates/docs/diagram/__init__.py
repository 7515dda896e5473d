"""Architecture diagrams derived from a finished template (docs read templates, never builders).

Two drawings per stack: the overview (`overview.build_overview`: the traffic path, left to
right, everything else folded into its service, load balancer or data store) and the full
reference diagram (`reference.build_diagram`: every resource and reference). Both come
from the traffic analysis of `traffic` over resource types and references, and render as
Mermaid (inside Markdown, shown by GitHub and GitLab without any binary) or Graphviz DOT
(SVG when `dot` is installed).
"""
from __future__ import annotations

from ecs_templates.docs.diagram.dot import to_dot, to_svg
from ecs_templates.docs.diagram.mermaid import architecture_markdown, to_markdown, to_mermaid
from ecs_templates.docs.diagram.model import (GROUPS, INTERNET, Cluster, Diagram, Edge, Node, container_node_id,
                                              group_of)
from ecs_templates.docs.diagram.overview import OVERVIEW_EDGES, OVERVIEW_NODES, build_overview
from ecs_templates.docs.diagram.reference import build_diagram
from ecs_templates.docs.diagram.traffic import traffic_edges

__all__ = ["GROUPS", "INTERNET", "OVERVIEW_EDGES", "OVERVIEW_NODES", "Cluster", "Diagram", "Edge", "Node",
           "architecture_markdown", "build_diagram", "build_overview", "container_node_id", "group_of",
           "to_dot", "to_markdown", "to_mermaid", "to_svg", "traffic_edges"]
