"""Graphviz DOT text of a diagram, and SVG through `dot` when it is installed."""
from __future__ import annotations

import shutil
import subprocess

from ecs_templates.docs.diagram.model import Cluster, Diagram, Node
from ecs_templates.errors import EcsTemplatesError

_DOT_SHAPES = {"box": "box", "round": "box, style=rounded", "cylinder": "cylinder", "circle": "ellipse"}
_DOT_STYLES = {"traffic": "penwidth=2", "ref": "style=dashed", "depends": "style=dotted"}


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(diagram: Diagram) -> str:
    """A cluster per group and per task (or overview unit), left to right."""
    lines = [f"digraph {_dot_quote(diagram.stack)} {{", "  rankdir=LR;",
             '  node [shape=box, fontname="Helvetica", fontsize=10];', '  edge [fontname="Helvetica", fontsize=9];']

    def node_line(node: Node, indent: str) -> str:
        label = _dot_quote("\n".join(part for part in (node.label, node.detail) if part)).replace("\n", "\\n")
        return f"{indent}{_dot_quote(node.id)} [label={label}, shape={_DOT_SHAPES[node.shape]}];"

    def cluster_lines(cluster: Cluster, indent: str) -> list[str]:
        label = _dot_quote("\n".join(part for part in (cluster.label, cluster.detail) if part)).replace("\n", "\\n")
        return [f"{indent}subgraph cluster_{cluster.id} {{", f"{indent}  label={label};",
                *(node_line(node, indent + "  ") for node in diagram.members(cluster)),
                f"{indent}}}"]

    top_nodes, top_clusters = diagram.top_level()
    lines.extend(node_line(node, "  ") for node in top_nodes)
    for cluster in top_clusters:
        lines.extend(cluster_lines(cluster, "  "))
    for group, title, clusters, members in diagram.groups():
        lines += [f"  subgraph cluster_{group} {{", f"    label={_dot_quote(title)};"]
        for cluster in clusters:
            lines.extend(cluster_lines(cluster, "    "))
        lines.extend(node_line(node, "    ") for node in members)
        lines.append("  }")
    for edge in diagram.edges:
        attributes = [_DOT_STYLES[edge.kind]] + ([f"label={_dot_quote(edge.label)}"] if edge.label else [])
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
