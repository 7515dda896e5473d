"""A small structural validator for the Mermaid flowcharts the diagrams produce.

Checks what breaks rendering on GitHub and GitLab: the header, one statement per line
(subgraph, end, node, edge), identifiers (letters, digits, underscores; no keyword),
balanced and closed shapes and quotes, every edge between defined nodes, subgraph/end
balance, and no identifier used both as a node and as a subgraph.
"""
from __future__ import annotations

import re

HEADER = re.compile(r"^(flowchart|graph) (LR|RL|TB|TD|BT)$")
IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]*"
KEYWORDS = {"end", "subgraph", "graph", "flowchart", "class", "classDef", "click", "style", "linkStyle",
            "direction"}
LABEL = r'"[^"\n]*"'
SHAPES = [r"\[{}\]", r"\({}\)", r"\[\({}\)\]", r"\(\({}\)\)"]
NODE = re.compile(rf"^({IDENTIFIER})(?:" + "|".join(shape.format(LABEL) for shape in SHAPES) + r")$")
SUBGRAPH = re.compile(rf"^subgraph ({IDENTIFIER})(?:\[{LABEL}\])?$")
EDGE = re.compile(rf"^({IDENTIFIER}) (-->|==>|-\.->)(?:\|([^|\n\"]+)\|)? ({IDENTIFIER})$")


class MermaidError(AssertionError):
    pass


def validate(text: str) -> dict[str, int]:
    """Raise MermaidError at the first structural problem; return counts of nodes, edges, subgraphs."""
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line and not line.startswith("%%")]
    if not lines or not HEADER.match(lines[0]):
        raise MermaidError(f"first line must be `flowchart LR` (or another direction), got {lines[:1]}")
    nodes: set[str] = set()
    subgraphs: set[str] = set()
    edges: list[tuple[str, str]] = []
    depth = 0
    for number, line in enumerate(lines[1:], start=2):
        if line == "end":
            depth -= 1
            if depth < 0:
                raise MermaidError(f"line {number}: `end` without an open subgraph")
            continue
        if match := SUBGRAPH.match(line):
            identifier = match.group(1)
            _check_identifier(identifier, number)
            if identifier in subgraphs or identifier in nodes:
                raise MermaidError(f"line {number}: subgraph id {identifier} is already used")
            subgraphs.add(identifier)
            depth += 1
            continue
        if match := NODE.match(line):
            identifier = match.group(1)
            _check_identifier(identifier, number)
            if identifier in nodes or identifier in subgraphs:
                raise MermaidError(f"line {number}: node {identifier} defined twice")
            nodes.add(identifier)
            continue
        if match := EDGE.match(line):
            edges.append((match.group(1), match.group(4)))
            continue
        raise MermaidError(f"line {number}: not a node, edge, subgraph or end: {line!r}")
    if depth != 0:
        raise MermaidError(f"{depth} subgraph(s) not closed with `end`")
    for source, target in edges:
        for identifier in (source, target):
            if identifier not in nodes:
                raise MermaidError(f"edge {source} -> {target}: {identifier} is not a defined node")
    return {"nodes": len(nodes), "edges": len(edges), "subgraphs": len(subgraphs)}


def _check_identifier(identifier: str, number: int) -> None:
    if identifier in KEYWORDS:
        raise MermaidError(f"line {number}: {identifier} is a Mermaid keyword, not usable as an id")


def edges(text: str) -> set[tuple[str, str, str, str]]:
    """(source, arrow, label, target) of every edge line."""
    found = set()
    for line in text.splitlines():
        if match := EDGE.match(line.strip()):
            found.add((match.group(1), match.group(2), match.group(3) or "", match.group(4)))
    return found


def node_ids(text: str) -> set[str]:
    return {match.group(1) for line in text.splitlines() if (match := NODE.match(line.strip()))}
