"""Architecture diagrams: every resource drawn, the traffic path present, Mermaid well-formed."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ecs_templates.docs.diagram import INTERNET, build_diagram, container_node_id, to_dot, to_markdown, to_mermaid
from ecs_templates.stacks import stack_names
import mermaid
from handmade import fargate_alb_efs_rds, two_services_by_name
from helpers import run_cli


def _handmade() -> dict[str, dict]:
    return {"ecs-services": fargate_alb_efs_rds(), "two-services": two_services_by_name()}


def _all_templates(default_templates) -> dict[str, dict]:
    return {**default_templates, **_handmade()}


def test_every_stack_and_handmade_template_gives_valid_mermaid_with_every_resource(default_templates):
    for name, template in _all_templates(default_templates).items():
        text = to_mermaid(build_diagram(name, template))
        counts = mermaid.validate(text)
        assert set(template["Resources"]) <= mermaid.node_ids(text), name
        assert counts["subgraphs"] >= 1


def test_ecs_ec2_traffic_path_internet_instance_wordpress_mariadb(default_templates):
    text = to_mermaid(build_diagram("ecs-ec2", default_templates["ecs-ec2"]))
    wordpress = container_node_id("TaskDefinition", "wordpress")
    mariadb = container_node_id("TaskDefinition", "mariadb")
    assert {(INTERNET, "==>", "TCP 80", "AutoScalingGroup"),
            ("AutoScalingGroup", "==>", "TCP 80", wordpress),
            (wordpress, "==>", "TCP 3306", mariadb)} <= mermaid.edges(text)
    # The database port is never an entry point.
    assert not any(source == INTERNET and target == mariadb for source, _, _, target in mermaid.edges(text))


def test_references_and_depends_on_are_edges(default_templates):
    edges = mermaid.edges(to_mermaid(build_diagram("ecs-ec2", default_templates["ecs-ec2"])))
    assert ("Service", "-.->", "", "TaskDefinition") in edges            # Ref
    assert ("AutoScalingGroup", "-.->", "", "LaunchTemplate") in edges   # Ref + GetAtt
    assert ("Service", "-.->", "DependsOn", "ClusterCapacityProviders") in edges
    assert (container_node_id("TaskDefinition", "wordpress"), "-.->", "", "DbPasswordSecret") in edges


def test_groups_network_compute_data_identity(default_templates):
    diagram = build_diagram("ecs-ec2", default_templates["ecs-ec2"])
    assert diagram.node("InstanceSecurityGroup").group == "network"
    assert diagram.node("Service").group == "compute"
    assert diagram.node("DbPasswordSecret").group == "data"
    assert diagram.node("TaskRole").group == "identity"
    assert diagram.node(container_node_id("TaskDefinition", "mariadb")).parent == "task_TaskDefinition"


def test_alb_fargate_path_reaches_rds_and_efs():
    text = to_mermaid(build_diagram("ecs-services", fargate_alb_efs_rds()))
    wordpress = container_node_id("TaskDefinition", "wordpress")
    assert {(INTERNET, "==>", "HTTP 80", "LoadBalancer"), ("LoadBalancer", "==>", "HTTP 80", wordpress),
            (wordpress, "==>", "SQL", "Database"), (wordpress, "==>", "NFS 2049", "FileSystem")} \
        <= mermaid.edges(text)
    assert "Database[(" in text  # databases drawn as cylinders


def test_services_that_reach_each_other_by_dns_name():
    edges = mermaid.edges(to_mermaid(build_diagram("two-services", two_services_by_name())))
    wordpress = container_node_id("WordpressTask", "wordpress")
    mariadb = container_node_id("MariadbTask", "mariadb")
    assert (INTERNET, "==>", "TCP 80", "WordpressService") in edges
    assert (wordpress, "==>", "TCP 3306", mariadb) in edges
    assert ("MariadbService", "==>", "TCP 3306", mariadb) not in edges  # no public IP, no public port


@pytest.mark.parametrize("bad, problem", [
    ("graph\n  A[\"a\"]\n", "first line"),
    ("flowchart LR\n  subgraph g[\"G\"]\n  A[\"a\"]\n", "not closed"),
    ("flowchart LR\n  A[\"a\"]\n  end\n", "without an open subgraph"),
    ("flowchart LR\n  A[\"a\"]\n  A ==> B\n", "B is not a defined node"),
    ("flowchart LR\n  A[\"a\"]\n  A[\"again\"]\n", "defined twice"),
    ("flowchart LR\n  end[\"a\"]\n", "keyword"),
    ("flowchart LR\n  A[\"a\"b\"]\n", "not a node"),
    ("flowchart LR\n  A[\"a\"]\n  A -> A\n", "not a node"),
])
def test_the_validator_rejects_broken_mermaid(bad, problem):
    with pytest.raises(mermaid.MermaidError, match=problem):
        mermaid.validate(bad)


def test_diagram_is_deterministic(default_templates):
    first = to_markdown(build_diagram("ecs-ec2", default_templates["ecs-ec2"]))
    assert first == to_markdown(build_diagram("ecs-ec2", default_templates["ecs-ec2"]))
    assert first.startswith("## ecs-ec2\n\n```mermaid\nflowchart LR\n") and first.endswith("```\n")


def test_dot_has_every_node_and_balanced_braces(default_templates):
    text = to_dot(build_diagram("ecs-ec2", default_templates["ecs-ec2"]))
    assert text.startswith('digraph "ecs-ec2" {') and text.count("{") == text.count("}")
    for name in default_templates["ecs-ec2"]["Resources"]:
        assert f'"{name}" [label=' in text
    assert '"internet" -> "AutoScalingGroup" [penwidth=2, label="TCP 80"];' in text


def test_cli_diagram_prints_markdown_for_every_stack(default_templates):
    result = run_cli("diagram", check=True)
    for name, template in default_templates.items():
        caption = "the traffic path" if template_runs_services(template) else "what the stack creates"
        assert f"## {name}\n\nOverview: {caption}" in result.stdout
    blocks = result.stdout.split("```mermaid\n")[1:]
    assert len(blocks) == 2 * len(default_templates) and result.stdout.count("<details>") == len(default_templates)
    for block in blocks:
        mermaid.validate(block.split("```")[0])


def template_runs_services(template: dict) -> bool:
    return any(resource["Type"] == "AWS::ECS::Service" for resource in template["Resources"].values())


def test_cli_diagram_full_prints_the_reference_diagram_only(default_templates):
    result = run_cli("diagram", "ecs-ec2", "--full", check=True)
    assert result.stdout == to_markdown(build_diagram("ecs-ec2", default_templates["ecs-ec2"]))


def test_cli_diagram_to_file(tmp_path: Path):
    target = tmp_path / "ecs-ec2.md"
    result = run_cli("diagram", "ecs-ec2", "--output", str(target), check=True)
    assert "written" in result.stdout
    assert target.read_text().startswith("## ecs-ec2\n")
    assert [p.name for p in tmp_path.iterdir()] == ["ecs-ec2.md"]


@pytest.mark.parametrize("args, message", [
    (["diagram", "nope"], f"unknown stack 'nope'; stacks: {', '.join(stack_names())}"),
    (["diagram", "--format", "svg"], "--format svg draws one stack"),
])
def test_cli_diagram_bad_input_writes_nothing(tmp_path: Path, args, message):
    target = tmp_path / "out.md"
    result = run_cli(*args, "--output", str(target))
    assert result.returncode == 1 and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_cli_diagram_output_in_a_missing_directory(tmp_path: Path):
    result = run_cli("diagram", "ecr", "--output", str(tmp_path / "missing" / "d.md"))
    assert result.returncode == 1 and "does not exist" in result.stderr
    assert not (tmp_path / "missing").exists()


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")
def test_cli_diagram_svg(tmp_path: Path):
    target = tmp_path / "ecs-ec2.svg"
    run_cli("diagram", "ecs-ec2", "--format", "svg", "--output", str(target), check=True)
    content = target.read_text()
    assert "<svg" in content and "AutoScalingGroup" in content


@pytest.mark.skipif(shutil.which("dot") is not None, reason="Graphviz dot is installed")
def test_cli_diagram_svg_without_dot_is_one_clear_message(tmp_path: Path):
    target = tmp_path / "ecs-ec2.svg"
    result = run_cli("diagram", "ecs-ec2", "--format", "svg", "--output", str(target))
    assert result.returncode == 1 and "needs Graphviz's `dot` on PATH" in result.stderr
    assert not target.exists()
