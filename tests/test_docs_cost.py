"""Cost estimates: figures worked out by hand, lines that add up, the price table, bad input."""
from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from ecs_templates.artifacts import render_templates
from ecs_templates.config.instance_types import INSTANCE_TYPES
from ecs_templates.docs.comparison import compare, fargate_variant, render_comparison
from ecs_templates.docs.cost import Usage, estimate, fargate_size, render_estimate
from ecs_templates.docs.prices import PriceError, load_prices
from ecs_templates.docs.template import templates_from_files
from ecs_templates.errors import EcsTemplatesError
from ecs_templates.stacks import build_all
from handmade import fargate_alb_efs_rds, prices_with, write_prices
from helpers import config_with, run_cli

D = Decimal


@pytest.fixture()
def region(tmp_path: Path):
    return load_prices(write_prices(tmp_path / "prices.json")).region("test-1")


def _ec2_template(overrides: dict) -> dict:
    return templates_from_files(render_templates(build_all(config_with(overrides))))["ecs-ec2"]


def _figures(result) -> dict[str, tuple[Decimal, bool]]:
    return {line.service: (line.monthly, line.optional) for line in result.lines}


def _assert_adds_up(result) -> None:
    assert result.required == sum(line.monthly for line in result.lines if not line.optional)
    assert result.with_optional == sum(line.monthly for line in result.lines)
    for line in result.lines:
        assert line.yearly == line.monthly * 12 and line.monthly == line.monthly.quantize(D("0.01"))


def test_default_configuration_by_hand(default_templates, region):
    result = estimate("ecs-ec2", default_templates["ecs-ec2"], region, Usage())
    assert _figures(result) == {
        "Amazon EC2": (D("29.20"), False),                      # 1 x 730 h x 0.04
        "Amazon ECR": (D("0.08"), False),                       # 0.8 GB x 0.1
        "AWS Data Transfer": (D("10.00"), False),               # 100 GB x 0.1
        "Elastic Load Balancing (optional, not in this template)": (D("16.43"), True),  # 730 x 0.02 + 0.25 x 730 x 0.01
        "Amazon EBS": (D("3.00"), False),                       # 30 GiB x 0.1
        "Amazon CloudWatch Logs": (D("1.06"), False),           # 2 GB x 0.5 + 2 GB kept 30 days x 0.03
        "AWS Secrets Manager": (D("1.00"), False),              # 2 secrets x 0.5
        "Public IPv4 addresses": (D("3.65"), False),            # 1 x 730 h x 0.005
    }
    assert (result.required, result.with_optional) == (D("47.99"), D("64.42"))
    _assert_adds_up(result)
    assert [line.category for line in result.lines][:6] == [
        "compute", "registry", "transfer", "load_balancer", "block_storage", "logs"]  # the seed's row order
    table = render_estimate(result)
    assert "**47.99 - 64.42**" in table and "**575.88 - 773.04**" in table and "~16.43" in table


def test_second_configuration_by_hand(region):
    template = _ec2_template({"ec2": {"capacity": {"architecture": "x86_64", "instance_type": "t3.large",
                                                   "desired_size": 2, "max_size": 3, "root_volume_gib": 50}},
                              "logs": {"retention_days": 7}})
    usage = Usage.from_assignments(["hours_per_month=720", "data_transfer_gb=50", "log_ingest_gb=4"])
    result = estimate("ecs-ec2", template, region, usage)
    assert _figures(result) == {
        "Amazon EC2": (D("144.00"), False),                     # 2 x 720 h x 0.1
        "Amazon ECR": (D("0.08"), False),
        "AWS Data Transfer": (D("5.00"), False),                # 50 GB x 0.1
        "Elastic Load Balancing (optional, not in this template)": (D("16.20"), True),  # 720 x 0.02 + 0.25 x 720 x 0.01
        "Amazon EBS": (D("10.00"), False),                      # 2 x 50 GiB x 0.1
        "Amazon CloudWatch Logs": (D("2.03"), False),           # 4 x 0.5 + (4 x 7 / 30 = 0.93 GB) x 0.03
        "AWS Secrets Manager": (D("1.00"), False),
        "Public IPv4 addresses": (D("7.20"), False),            # 2 x 720 h x 0.005
    }
    assert (result.required, result.with_optional) == (D("169.31"), D("185.51"))
    _assert_adds_up(result)


def test_fargate_alb_efs_rds_by_hand(region):
    result = estimate("ecs-services", fargate_alb_efs_rds(), region, Usage())
    assert _figures(result) == {
        "AWS Fargate x86_64": (D("43.80"), False),              # base 1 + 1 of 4 by weight: 2 x 730 x (0.5 x 0.05 + 1 x 0.005)
        "AWS Fargate Spot (x86_64 task)": (D("19.71"), False),       # 3 x 730 x (0.5 x 0.015 + 1 x 0.0015)
        "AWS Data Transfer": (D("10.00"), False),
        "Elastic Load Balancing": (D("16.43"), False),          # in the template: not optional
        "Amazon CloudWatch Logs": (D("1.03"), False),           # 2 x 0.5 + (2 x 14 / 30 = 0.93) x 0.03
        "AWS Secrets Manager": (D("0.50"), False),
        "Amazon RDS instance": (D("14.60"), False),             # db.t4g.micro (parameter default) x 730 x 0.02
        "Amazon RDS storage": (D("2.00"), False),               # 20 GB gp3 x 0.1
        "Amazon EFS": (D("1.50"), False),                       # 5 GB x 0.3
    }
    assert result.required == result.with_optional == D("109.57")
    assert [line.service for line in result.lines][:2] == ["AWS Fargate x86_64", "AWS Fargate Spot (x86_64 task)"]
    assert result.not_priced == ("AWS::ServiceDiscovery::PrivateDnsNamespace",)
    assert "Not priced" in render_estimate(result)


def test_an_arm64_task_on_fargate_spot_is_never_priced(region):
    """Fargate Spot runs X86_64 tasks only: a template that puts an ARM64 task there is refused, not priced."""
    template = fargate_alb_efs_rds()
    template["Resources"]["TaskDefinition"]["Properties"]["RuntimePlatform"]["CpuArchitecture"] = "ARM64"
    with pytest.raises(EcsTemplatesError, match="on FARGATE_SPOT, but the task definition is arm64 and "
                                                "Fargate Spot runs X86_64 Linux tasks only"):
        estimate("ecs-services", template, region, Usage())


def test_scale_out_and_rate_overrides(region):
    template = fargate_alb_efs_rds()
    scaled = estimate("ecs-services", template, region, Usage(), tasks=8)
    # the same strategy for 8 tasks: base 1 on FARGATE, then 7 by weight 1:3 -> 2 + 5 -> 3 on-demand, 5 Spot
    assert _figures(scaled)["AWS Fargate x86_64"] == (D("65.70"), False)          # 3 x 730 x 0.03
    assert _figures(scaled)["AWS Fargate Spot (x86_64 task)"] == (D("32.85"), False)   # 5 x 730 x 0.009
    one_rate = estimate("ecs-services", template, region, Usage(), tasks=8, fargate_rate="arm64")
    assert _figures(one_rate)["AWS Fargate arm64"] == (D("140.16"), False)       # 8 x 730 x 0.024
    assert "8 tasks x (0.5 vCPU x 0.04 + 1 GB x 0.004) x 730 h" in render_estimate(one_rate)
    assert "AWS Fargate Spot (x86_64 task)" not in _figures(one_rate)


def test_comparison_uses_the_fargate_stack_when_the_build_has_one(default_templates, region):
    templates = {"ecs-ec2": default_templates["ecs-ec2"], "ecs-fargate": fargate_alb_efs_rds()}
    comparison = compare(templates, region, Usage())
    assert comparison.fargate_stack == "ecs-fargate" and "ecs-fargate template" in comparison.basis
    arm64 = dict((title, at_desired) for title, at_desired, _ in comparison.columns)["Fargate arm64"]
    assert arm64.by_category()["compute"] == D("87.60")  # 5 tasks x 730 x 0.024
    assert comparison.scaled_tasks == 8                  # the ScalableTarget's MaxCapacity


def test_comparison_of_the_built_ecs_ec2_and_ecs_fargate(default_templates, region):
    comparison = compare(default_templates, region, Usage())
    assert (comparison.ec2_stack, comparison.fargate_stack) == ("ecs-ec2", "ecs-fargate")
    assert "the ecs-fargate template's tasks (512 CPU units / 1024 MiB, ARM64, 1 desired)" in comparison.basis
    columns = {title: at_desired for title, at_desired, _ in comparison.columns}
    assert columns["Fargate arm64"].by_category()["compute"] == D("17.52")  # 730 x (0.5 x 0.04 + 1 x 0.004)
    assert columns["Fargate x86_64"].by_category()["compute"] == D("21.90")  # 730 x (0.5 x 0.05 + 1 x 0.005)


def test_comparison_without_fargate_stack_prices_the_ec2_task_at_a_fargate_size(default_templates, region):
    templates = {name: default_templates[name] for name in ("ecr", "ecs-ec2")}
    comparison = compare(templates, region, Usage())
    assert comparison.fargate_stack is None and "nearest valid Fargate size" in comparison.basis
    columns = {title: (at_desired, scaled) for title, at_desired, scaled in comparison.columns}
    ec2, ec2_scaled = columns["EC2 (ecs-ec2)"]
    arm64, arm64_scaled = columns["Fargate arm64"]
    assert ec2.required == D("47.99")
    # 1 vCPU / 1 GB is no Fargate size: 1 vCPU / 2 GB, 730 x (0.04 + 2 x 0.004) = 35.04
    assert arm64.by_category()["compute"] == D("35.04") and "block_storage" not in arm64.by_category()
    assert comparison.scaled_tasks == 2 and ec2_scaled.by_category()["compute"] == D("58.40")
    assert arm64_scaled.by_category()["compute"] == D("70.08")
    assert any(line.sizing == "2 addresses x 730 h x 0.005/h" for line in arm64_scaled.lines)
    spot = columns["Fargate Spot (x86_64 task)"][0]
    assert spot.by_category()["compute"] == D("13.14")   # 730 x (0.015 + 2 x 0.0015)
    text = render_comparison(comparison)
    assert "| **Monthly, 1 task**" in text and "scaled out to 2 tasks" in text


def test_fargate_variant_is_a_fargate_task(default_templates):
    variant = fargate_variant(default_templates["ecs-ec2"])
    task = variant["Resources"]["TaskDefinition"]["Properties"]
    assert (task["Cpu"], task["Memory"], task["NetworkMode"]) == ("1024", "2048", "awsvpc")
    assert "AutoScalingGroup" not in variant["Resources"]
    assert "DependsOn" not in variant["Resources"]["Service"]
    assert "AutoScalingGroup" in default_templates["ecs-ec2"]["Resources"]  # the original is untouched


@pytest.mark.parametrize("cpu, memory, size", [(1024, 1024, (1024, 2048)), (256, 512, (256, 512)),
                                               (300, 600, (512, 1024)), (1024, 8192, (1024, 8192)),
                                               (1024, 9000, (2048, 9216))])
def test_fargate_size(cpu, memory, size):
    assert fargate_size(cpu, memory) == size


def test_shipped_table_prices_every_offered_instance_type():
    table = load_prices()
    assert table.as_of and table.source and table.currency == "USD"
    for region_name in table.regions:
        region = table.region(region_name)
        for instance_type in INSTANCE_TYPES:
            assert region.get("ec2_hourly", instance_type) > 0, (region_name, instance_type)


def test_same_as_region(tmp_path: Path):
    table = load_prices(write_prices(tmp_path / "p.json"))
    assert table.region("test-2").get("alb", "hour") == D("0.02")


@pytest.mark.parametrize("change, message", [
    (lambda r: r["alb"].pop("lcu_hour"), "regions.test-1.alb.lcu_hour is missing"),
    (lambda r: r.pop("efs_gb_month"), "regions.test-1.efs_gb_month is missing"),
    (lambda r: r["ec2_hourly"].update({"t4g.medium": -0.04}), "ec2_hourly.t4g.medium is -0.04; a price cannot be negative"),
    (lambda r: r.update(ecr_gb_month="cheap"), "ecr_gb_month is 'cheap', not a number"),
])
def test_bad_price_tables(tmp_path: Path, change, message):
    with pytest.raises(PriceError, match=message.replace(".", r"\.")):
        load_prices(write_prices(tmp_path / "p.json", prices_with(change)))


def test_usage_assumptions_are_checked():
    with pytest.raises(EcsTemplatesError, match="KEY one of hours_per_month"):
        Usage.from_assignments(["colour=blue"])
    with pytest.raises(EcsTemplatesError, match="'lots' is not a number"):
        Usage.from_assignments(["data_transfer_gb=lots"])
    assert Usage.from_assignments(["data-transfer-gb=7"]).data_transfer_gb == D(7)


def test_cli_cost_ecs_ec2_is_the_seed_table_with_fargate_beside_it():
    result = run_cli("cost", "ecs-ec2", check=True)
    out = result.stdout
    assert "as of " in out and "source: " in out and "hours_per_month=730" in out
    rows = [line.split("|")[1].strip() for line in out.splitlines() if line.startswith("| **")]
    assert rows[:7] == ["**Amazon EC2**", "**Amazon ECR**", "**AWS Data Transfer**",
                        "**Elastic Load Balancing (optional, not in this template)**", "**Amazon EBS**",
                        "**Amazon CloudWatch Logs**", "**AWS Secrets Manager**"]
    assert "| Service" in out and "Monthly (USD)" in out and "Yearly (USD)" in out
    assert "| Monthly (USD) | EC2 (ecs-ec2) | Fargate arm64 | Fargate x86_64 | Fargate Spot (x86_64 task) |" \
        in re.sub(" +", " ", out)
    total = next(line for line in out.splitlines() if line.startswith("| **Total estimated**"))
    low, high = total.split("|")[3].strip(" *").split(" - ")
    assert D(low) < D(high)


def test_cli_cost_with_own_prices_and_assumptions(tmp_path: Path):
    prices = write_prices(tmp_path / "p.json")
    result = run_cli("cost", "ecs-ec2", "--prices", str(prices), "--region", "test-2",
                     "--assume", "hours_per_month=720", check=True)
    assert "test table" in result.stdout and "as of 2024-01-31" in result.stdout
    assert "1 x t4g.medium on-demand x 720 h x 0.04/h" in result.stdout and "28.80" in result.stdout


@pytest.mark.parametrize("args, message", [
    (["cost", "nope"], "unknown stack 'nope'"),
    (["cost", "--region", "mars-1"], "--region mars-1: ecs_templates/docs/prices.json has no prices for it"),
    (["cost", "--assume", "hours_per_month=-5"], "must be a number from 0 to 744"),
    (["cost", "--prices", "/nonexistent/prices.json"], "price file /nonexistent/prices.json does not exist"),
])
def test_cli_cost_bad_input(args, message):
    result = run_cli(*args)
    assert result.returncode == 1 and message in result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("change, message", [
    (lambda r: r["fargate"]["spot"].pop("gb_hour"), "regions.test-1.fargate.spot.gb_hour is missing"),
    (lambda r: r["alb"].update(hour=-1), "regions.test-1.alb.hour is -1; a price cannot be negative"),
])
def test_cli_cost_bad_price_file(tmp_path: Path, change, message):
    prices = write_prices(tmp_path / "p.json", prices_with(change))
    result = run_cli("cost", "--prices", str(prices), "--region", "test-1")
    assert result.returncode == 1 and message in result.stderr and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_cost_price_table_without_the_instance_type(tmp_path: Path):
    prices = write_prices(tmp_path / "p.json", prices_with(lambda r: r["ec2_hourly"].pop("t4g.medium")))
    result = run_cli("cost", "ecs-ec2", "--prices", str(prices), "--region", "test-1")
    assert result.returncode == 1 and "no price for ec2_hourly.t4g.medium in region test-1" in result.stderr


def test_cli_cost_not_json(tmp_path: Path):
    prices = tmp_path / "p.json"
    prices.write_text(json.dumps({"as_of": "x"})[:-1])
    result = run_cli("cost", "--prices", str(prices))
    assert result.returncode == 1 and "not valid JSON" in result.stderr
