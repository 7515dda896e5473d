"""The overview diagram of each stack, and Mermaid's own parser over every diagram the docs hold.

One Node process parses every block (`mermaid_js.parse`): the README of this build, the
CLI's output, the hand-made and generated templates, and a broken block that must fail.
"""
from __future__ import annotations

import pytest

from ecs_templates.build import build_files
from ecs_templates.docs.diagram import (INTERNET, OVERVIEW_EDGES, OVERVIEW_NODES, architecture_markdown,
                                        build_diagram, build_overview, container_node_id, to_mermaid)
from ecs_templates.docs.readme import README
from ecs_templates.docs.template import of_type
import mermaid
import mermaid_js
from handmade import fargate_alb_efs_rds, two_services_by_name
from synthetic_services import services_template

BROKEN = "flowchart LR\n  a[\"A\"] -> b\n"
SIZES = (1, 5, 10)


def _generated() -> dict[str, dict]:
    shapes = {f"shop-{count}": services_template(count) for count in SIZES}
    return {**shapes, "shop-10-mesh": services_template(10, mesh=True), "handmade-alb": fargate_alb_efs_rds(),
            "two-services": two_services_by_name()}


@pytest.fixture(scope="module")
def readme(default_config) -> str:
    return build_files(default_config, validate=False).files[README].decode("utf-8")


@pytest.fixture(scope="module")
def parsed(readme, default_templates):
    """Every block, parsed at once: (where, text) -> Mermaid's result."""
    blocks = [(f"README block {index}", text) for index, text in enumerate(mermaid_js.blocks(readme))]
    for name, template in {**default_templates, **_generated()}.items():
        blocks += [(f"{name} overview", to_mermaid(build_overview(name, template))),
                   (f"{name} full", to_mermaid(build_diagram(name, template)))]
    blocks.append(("broken", BROKEN))
    results = mermaid_js.parse([text for _, text in blocks])
    return {where: (text, result) for (where, text), result in zip(blocks, results)}


def _sections(text: str) -> dict[str, str]:
    return {part.split("\n", 1)[0]: part for part in text.split("\n## ")[1:]}


def test_mermaid_accepts_every_block_and_rejects_a_broken_one(parsed, default_templates):
    rejected = {where: result.error for where, (_, result) in parsed.items() if not result.ok}
    assert list(rejected) == ["broken"], rejected
    assert "Parse error" in rejected["broken"]
    readme_blocks = [where for where in parsed if where.startswith("README")]
    assert len(readme_blocks) == 2 * len(default_templates)  # an overview and a full diagram per stack
    assert {result.type for _, result in parsed.values() if result.ok} == {"flowchart-v2"}


def test_overview_within_30_nodes_and_40_edges_by_mermaids_count(parsed):
    for where, (_, result) in parsed.items():
        if where.endswith("overview"):
            assert result.nodes <= OVERVIEW_NODES and result.edges <= OVERVIEW_EDGES, (where, result)
    _, ten = parsed["shop-10 overview"]
    assert ten.nodes >= 10 and ten.edges >= 10  # every service drawn, and its traffic
    _, full = parsed["shop-10 full"]
    assert full.nodes > OVERVIEW_NODES  # the budget is the overview's doing, not the template's size


def test_readme_shows_the_overview_first_and_the_full_diagram_folded(readme, default_templates, parsed):
    sections = _sections(readme)
    for name, template in default_templates.items():
        architecture = sections[name].split("### Architecture\n", 1)[1].split("### Parameters", 1)[0]
        overview, full = mermaid_js.blocks(architecture)
        assert architecture.index("```mermaid") < architecture.index("<details>") < architecture.rindex("```mermaid")
        assert "</details>" in architecture.split(full, 1)[1]
        assert overview == to_mermaid(build_overview(name, template))
        assert set(template["Resources"]) <= mermaid.node_ids(full)
        assert parsed[f"{name} overview"][1].nodes <= len(template["Resources"]) + 2


def test_overview_folds_roles_secrets_and_logs_into_their_service():
    template = services_template(5)
    text = to_mermaid(build_overview("shop", template))
    folded = of_type(template, "AWS::IAM::Role", "AWS::SecretsManager::Secret", "AWS::Logs::LogGroup",
                     "AWS::ApplicationAutoScaling::ScalingPolicy", "AWS::EC2::SecurityGroup")
    drawn = mermaid.node_ids(text)
    assert not set(folded) & drawn
    assert '  svc_OrdersService("OrdersService<br/>ECS service, 1 task, scales 1-4<br/>container: orders :8001<br/>' \
        in text
    orders = text.split("svc_OrdersService(", 1)[1].split("\n", 1)[0]
    assert "2 IAM roles" in orders and "1 log group, 1 secret" in orders and "1 security group" in orders
    assert "1 listener, 1 target group" in text.split("\n  Balancer[", 1)[1].split("\n", 1)[0]


def test_overview_traffic_path_left_to_right_with_cylinders():
    text = to_mermaid(build_overview("shop", services_template(3)))
    gateway, orders, payments = "svc_GatewayService", "svc_OrdersService", "svc_PaymentsService"
    assert text.startswith("flowchart LR\n")
    assert {(INTERNET, "==>", "HTTPS 443", "Balancer"), ("Balancer", "==>", "HTTP 8000", gateway),
            (gateway, "==>", "TCP 8001", orders), (orders, "==>", "TCP 8002", payments),
            (gateway, "==>", "SQL", "Store"), (payments, "==>", "NFS 2049", "Files")} == mermaid.edges(text)
    assert '  Store[("Store<br/>RDS database' in text and '  Files[("Files<br/>EFS file system' in text


def test_overview_of_default_stacks_keeps_the_entry_point_and_the_database_shape(default_templates):
    ec2 = to_mermaid(build_overview("ecs-ec2", default_templates["ecs-ec2"]))
    assert (INTERNET, "==>", "TCP 80", "AutoScalingGroup") in mermaid.edges(ec2)
    fargate = mermaid.edges(to_mermaid(build_overview("ecs-fargate", default_templates["ecs-fargate"])))
    assert any(source == INTERNET and target.startswith("ctr_") for source, _, _, target in fargate)
    for name, template in default_templates.items():
        text = to_mermaid(build_overview(name, template))
        for store in of_type(template, "AWS::RDS::DBInstance", "AWS::EFS::FileSystem"):
            assert f"  {store}[(" in text, (name, store)


def test_a_dense_mesh_stays_within_the_edge_budget_and_says_what_it_left_out():
    overview = build_overview("shop", services_template(10, mesh=True))
    assert len(overview.edges) == OVERVIEW_EDGES
    assert overview.notes == (f"{10 * 9 + 4 - OVERVIEW_EDGES} connections between services are drawn in the "
                              "full diagram only",)
    assert (INTERNET, "Balancer") in {(edge.source, edge.target) for edge in overview.edges}
    assert "  %% 54 connections" in to_mermaid(overview)


def test_architecture_markdown_is_deterministic(default_templates):
    template = default_templates["ecs-fargate"]
    first = architecture_markdown(build_overview("f", template), build_diagram("f", template))
    assert first == architecture_markdown(build_overview("f", template), build_diagram("f", template))



def test_a_network_load_balancer_path_carries_the_target_groups_protocol():
    template = services_template(2)
    template["Resources"]["Balancer"]["Properties"]["Type"] = "network"
    template["Resources"]["Targets"]["Properties"]["Protocol"] = "TCP"
    template["Resources"]["Listener"]["Properties"].update(Protocol="TCP", Port=5432)
    edges = mermaid.edges(to_mermaid(build_overview("shop", template)))
    gateway = "svc_GatewayService"
    assert {(INTERNET, "==>", "TCP 5432", "Balancer"), ("Balancer", "==>", "TCP 8000", gateway)} <= edges
