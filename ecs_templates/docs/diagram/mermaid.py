"""Mermaid flowchart text (inside Markdown, drawn by GitHub and GitLab without any binary)."""
from __future__ import annotations

from ecs_templates.docs.diagram.model import Cluster, Diagram, Node

_MERMAID_SHAPES = {"box": "[{}]", "round": "({})", "cylinder": "[({})]", "circle": "(({}))"}
_MERMAID_ARROWS = {"traffic": "==>", "ref": "-.->", "depends": "-.->"}


def _mermaid_label(*parts: str) -> str:
    text = "<br/>".join(part.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
                        for text in parts for part in text.split("\n") if part)
    return f'"{text}"'


def to_mermaid(diagram: Diagram) -> str:
    """Flowchart, left to right: a subgraph per group, a nested one per cluster, traffic edges thick.

    Nodes and clusters of a group that is not one of GROUPS (the internet, the overview's
    units) are drawn at the top level, in the diagram's order.
    """
    lines = ["flowchart LR"]
    lines.extend(f"  %% {note}" for note in diagram.notes)

    def node_line(node: Node, indent: str) -> str:
        return indent + node.id + _MERMAID_SHAPES[node.shape].format(_mermaid_label(node.label, node.detail))

    def cluster_lines(cluster: Cluster, indent: str) -> list[str]:
        return [f"{indent}subgraph {cluster.id}[{_mermaid_label(cluster.label, cluster.detail)}]",
                *(node_line(node, indent + "  ") for node in diagram.members(cluster)),
                f"{indent}end"]

    top_nodes, top_clusters = diagram.top_level()
    lines.extend(node_line(node, "  ") for node in top_nodes)
    for cluster in top_clusters:
        lines.extend(cluster_lines(cluster, "  "))
    for group, title, clusters, members in diagram.groups():
        lines.append(f"  subgraph grp_{group}[{_mermaid_label(title)}]")
        for cluster in clusters:
            lines.extend(cluster_lines(cluster, "    "))
        lines.extend(node_line(node, "    ") for node in members)
        lines.append("  end")
    for edge in diagram.edges:
        label = f"|{_mermaid_edge_label(edge.label)}|" if edge.label else ""
        lines.append(f"  {edge.source} {_MERMAID_ARROWS[edge.kind]}{label} {edge.target}")
    return "\n".join(lines) + "\n"


def _mermaid_edge_label(text: str) -> str:
    return text.replace("|", "/").replace('"', "'")


def to_markdown(diagram: Diagram, heading: str = "##") -> str:
    return f"{heading} {diagram.stack}\n\n```mermaid\n{to_mermaid(diagram)}```\n"


OVERVIEW_CAPTION = ("Overview: the traffic path (thick arrows), left to right. Each service's box holds its "
                    "containers and counts the roles, policies, secrets, log groups and security groups folded "
                    "into it; databases and file systems are cylinders.")
INVENTORY_CAPTION = "Overview: what the stack creates, by resource type (it runs no service)."
FULL_CAPTION = "Thick arrows: the traffic path; dotted: references (Ref, GetAtt, Sub) and DependsOn."


def architecture_markdown(overview: Diagram, full: Diagram) -> str:
    """The overview, then the full reference diagram folded in <details> (GitHub draws both)."""
    caption = OVERVIEW_CAPTION if overview.clusters or overview.edges else INVENTORY_CAPTION
    return (f"{caption}\n\n```mermaid\n{to_mermaid(overview)}```\n\n"
            f"<details><summary>Full diagram: every resource and reference</summary>\n\n"
            f"{FULL_CAPTION}\n\n```mermaid\n{to_mermaid(full)}```\n\n</details>\n")
