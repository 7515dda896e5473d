"""Diagram, cost and README of generated 5- and 10-service applications, built by the real services stacks.

The applications (tests/synthetic_services.py `services_config`) go through the config
loader and the stack builders; the docs then read only the finished templates. Expected
connections are worked out here from the security group rules, independently of the
diagram code.
"""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from ecs_templates.build import build_files
from ecs_templates.docs.cost import Usage, estimate
from ecs_templates.docs.diagram import (INTERNET, OVERVIEW_EDGES, OVERVIEW_NODES, architecture_markdown,
                                        build_diagram, build_overview, to_mermaid)
from ecs_templates.docs.prices import load_prices
from ecs_templates.docs.readme import README
from ecs_templates.docs.template import templates_from_files
import mermaid
import mermaid_js
from handmade import write_prices
from helpers import config_with, resources_of_type, run_cli
from synthetic_services import services_config

SIZES = (5, 10)
STACKS = ("ecs-services", "ecs-services-rds")
# A service whose clients get its host name only: the security group rules alone say they connect.
HOST_ONLY = "orders"


@pytest.fixture(scope="module")
def builds(validator) -> dict[int, dict[str, bytes]]:
    """The artifact files of each generated application, cfn-lint clean."""
    found = {}
    for count in SIZES:
        output = build_files(config_with(services_config(count, host_only=HOST_ONLY)), validator=validator)
        assert not output.findings, [str(finding) for finding in output.findings]
        found[count] = output.files
    return found


@pytest.fixture(scope="module")
def templates(builds) -> dict[tuple[int, str], dict[str, Any]]:
    return {(count, name): template for count, files in builds.items()
            for name, template in templates_from_files(files).items()}


@pytest.fixture(scope="module")
def parsed(templates, builds):
    """Mermaid's own parser over every overview, full diagram and README block, in one Node process."""
    texts: dict[str, str] = {}
    for (count, name), template in templates.items():
        texts[f"{count} {name} overview"] = to_mermaid(build_overview(name, template))
        texts[f"{count} {name} full"] = to_mermaid(build_diagram(name, template))
    for count, files in builds.items():
        for index, block in enumerate(mermaid_js.blocks(files[README].decode("utf-8"))):
            texts[f"{count} README block {index}"] = block
    return dict(zip(texts, mermaid_js.parse(list(texts.values()))))


def _services(template: dict[str, Any]) -> dict[str, str]:
    """ECS service logical ID -> its security group's logical ID."""
    return {name: service["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]["SecurityGroups"][0]["Ref"]
            for name, service in resources_of_type(template, "AWS::ECS::Service").items()}


def _expected_connections(template: dict[str, Any]) -> set[tuple[str, str]]:
    """(client, server) for every ingress resource between two services' groups or a group and a database's."""
    owner = {group: f"svc_{service}" for service, group in _services(template).items()}
    for name, database in resources_of_type(template, "AWS::RDS::DBInstance").items():
        owner.update({group["Ref"]: name for group in database["Properties"]["VPCSecurityGroups"]})
    found = set()
    for rule in resources_of_type(template, "AWS::EC2::SecurityGroupIngress").values():
        props = rule["Properties"]
        server, source = props["GroupId"].get("Ref"), (props.get("SourceSecurityGroupId") or {}).get("Ref")
        if server in owner and source in owner:
            found.add((owner[source], owner[server]))
    return found


@pytest.mark.parametrize("count", SIZES)
@pytest.mark.parametrize("stack", STACKS)
def test_overview_within_budget_accepted_by_mermaid(count, stack, parsed, templates):
    result = parsed[f"{count} {stack} overview"]
    assert result.ok, result.error
    assert result.nodes <= OVERVIEW_NODES and result.edges <= OVERVIEW_EDGES, result
    full = parsed[f"{count} {stack} full"]
    assert full.ok, full.error
    assert full.nodes > OVERVIEW_NODES  # the full diagram holds every resource
    overview = build_overview(stack, templates[(count, stack)])
    assert not overview.notes  # nothing left out at this size


@pytest.mark.parametrize("count", SIZES)
@pytest.mark.parametrize("stack", STACKS)
def test_overview_draws_the_traffic_path_service_by_service(count, stack, templates):
    template = templates[(count, stack)]
    text = to_mermaid(build_overview(stack, template))
    drawn = mermaid.node_ids(text)
    services = _services(template)
    assert {f"svc_{name}" for name in services} <= drawn
    edges = {(source, target) for source, _, _, target in mermaid.edges(text)}
    labelled = mermaid.edges(text)
    assert (INTERNET, "==>", "HTTP 80, HTTPS 443", "LoadBalancer") in labelled
    assert (INTERNET, "==>", "TCP 1883", "NetworkLoadBalancer") in labelled
    assert ("LoadBalancer", "==>", "HTTP 8000", "svc_GatewayService") in labelled
    assert ("NetworkLoadBalancer", "==>", "TCP 1883", "svc_PaymentsService") in labelled
    between = {(source, target) for source, target in edges
               if source.startswith("svc_") and (target.startswith("svc_") or target.endswith("Database"))}
    assert between == _expected_connections(template)
    assert ("svc_GatewayService", "svc_OrdersService") in between  # from the security group rule alone
    # Cylinders: the file system, and each RDS database in place of the database service.
    assert "  FileSystem[(" in text
    databases = resources_of_type(template, "AWS::RDS::DBInstance")
    assert len(databases) == (1 if stack == "ecs-services-rds" else 0)
    for name in databases:
        assert f"  {name}[(" in text
    # Roles, policies, secrets, log groups and security groups are folded, not drawn.
    folded = {name for name, resource in template["Resources"].items() if resource["Type"] in (
        "AWS::IAM::Role", "AWS::SecretsManager::Secret", "AWS::Logs::LogGroup", "AWS::EC2::SecurityGroup",
        "AWS::EC2::SecurityGroupIngress")}
    assert folded and not folded & drawn


def test_readme_of_a_generated_application_shows_overview_then_folded_full_diagram(builds, parsed, templates):
    text = builds[10][README].decode("utf-8")
    for stack in STACKS:
        section = text.split(f"\n## {stack}\n", 1)[1].split("\n## ", 1)[0]
        overview, full = mermaid_js.blocks(section)
        assert section.index("```mermaid") < section.index("<details>") < section.rindex("```mermaid")
        assert overview == to_mermaid(build_overview(stack, templates[(10, stack)]))
        assert architecture_markdown(build_overview(stack, templates[(10, stack)]),
                                     build_diagram(stack, templates[(10, stack)])) in section
    rejected = {where: result.error for where, result in parsed.items() if not result.ok}
    assert not rejected


@pytest.mark.parametrize("count", SIZES)
@pytest.mark.parametrize("stack", STACKS)
def test_cost_has_one_line_per_service_and_adds_up(count, stack, templates, tmp_path: Path):
    template = templates[(count, stack)]
    region = load_prices(write_prices(tmp_path / "prices.json")).region("test-1")
    result = estimate(stack, template, region, Usage())
    compute = [line for line in result.lines if line.category == "compute"]
    assert sorted(line.resource for line in compute) == sorted(_services(template))
    for line in compute:  # 512 CPU units / 1024 MiB, arm64 (the defaults), one task each
        assert line.sizing.startswith(f"{line.resource}: 1 task x (0.5 vCPU x 0.04 + 1 GB x 0.004) x 730 h")
        assert line.monthly == Decimal("17.52")  # 730 x (0.5 x 0.04 + 1 x 0.004)
    balancers = {line.resource: line.monthly for line in result.lines if line.category == "load_balancer"}
    assert balancers == {"LoadBalancer": Decimal("16.43"),          # 730 x 0.02 + 0.25 x 730 x 0.01
                         "NetworkLoadBalancer": Decimal("15.51")}   # 730 x 0.02 + 0.25 x 730 x 0.005
    assert [line.sizing for line in result.lines if line.category == "file_storage"] == [
        "FileSystem: 5 GB Standard x 0.3/GB-month"]
    databases = [line for line in result.lines if line.service == "Amazon RDS instance"]
    assert len(databases) == len(resources_of_type(template, "AWS::RDS::DBInstance"))
    assert result.required == sum(line.monthly for line in result.lines) == result.with_optional
    assert not [kind for kind in result.not_priced if "LoadBalancer" in kind]


def test_cli_cost_lists_each_service_and_a_total_that_is_the_sum(tmp_path: Path):
    config = tmp_path / "shop.yaml"
    config.write_text(yaml.safe_dump(services_config(5)), encoding="utf-8")
    result = run_cli("cost", "ecs-services", "--config", str(config), check=True)
    rows = [[cell.strip() for cell in line.split("|")[1:-1]] for line in result.stdout.splitlines()
            if line.startswith("| **") and "Total" not in line]
    total_row = next(line for line in result.stdout.splitlines() if line.startswith("| **Total estimated**"))
    services = sorted(re.match(r"(\w+Service): ", sizing).group(1) for service, sizing, _, _ in rows
                      if service.startswith("**AWS Fargate"))
    assert services == ["CatalogService", "GatewayService", "OrdersService", "PaymentsService", "SearchService"]
    monthly = sum(Decimal(row[2].replace(",", "")) for row in rows)
    assert Decimal(total_row.split("|")[3].strip(" *").replace(",", "")) == monthly
    assert any(row[0] == "**Elastic Load Balancing (network)**" for row in rows)
