"""templates/v<version>/README.md: generated with the templates, complete per stack, same bytes every time."""
from __future__ import annotations

import json

from ecs_templates import __version__
from ecs_templates.build import build_files
from ecs_templates.docs.readme import README, render_readme
from ecs_templates.docs.template import templates_from_files
import mermaid
from handmade import fargate_alb_efs_rds
from helpers import ROOT


def test_readme_is_part_of_the_build_and_the_manifest(default_config):
    files = build_files(default_config, validate=False).files
    assert README in files
    manifest = json.loads(files["manifest.json"])
    assert README in manifest["files"]


def test_readme_regenerates_byte_identically(default_config):
    first = build_files(default_config, validate=False).files[README]
    second = build_files(default_config, validate=False).files[README]
    assert first == second
    committed = ROOT / "templates" / f"v{__version__}" / README
    assert committed.read_bytes() == first, "run `make templates` and commit templates/"


def _sections(text: str) -> dict[str, str]:
    parts = text.split("\n## ")[1:]
    return {part.split("\n", 1)[0]: part for part in parts}


def test_every_stack_has_diagram_parameters_outputs_and_cost(default_config, default_templates):
    text = build_files(default_config, validate=False).files[README].decode("utf-8")
    sections = _sections(text)
    for name, template in default_templates.items():
        section = sections[name]
        for heading in ("### Architecture", "### Parameters", "### Outputs", "### Monthly cost (us-east-1)"):
            assert heading in section, (name, heading)
        mermaid.validate(section.split("```mermaid\n")[1].split("```")[0])
        for parameter in template.get("Parameters", {}):
            assert f"| `{parameter}`" in section
        for output in template.get("Outputs", {}):
            assert f"| `{output}`" in section
        assert "| **Total estimated**" in section
    comparison = sections["EC2 vs Fargate vs scale-out"]
    assert "Fargate arm64" in comparison and "scaled out to 2 tasks" in comparison and "Management" in comparison


def test_parameter_table_row(default_config):
    text = build_files(default_config, validate=False).files[README].decode("utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| `InstanceType`"))
    cells = [cell.strip() for cell in row.split("|")[1:-1]]
    assert cells[:3] == ["`InstanceType`", "`String`", "`t4g.medium`"]
    assert cells[3].startswith("EC2 instance type of the container instances.")
    assert "(required)" in next(line for line in text.splitlines() if line.startswith("| `VpcId`"))
    assert "&lt;account&gt;" in text  # no bare <account> for Markdown to swallow as a tag


def test_a_stack_added_later_is_documented_without_code_changes(default_config):
    """The README iterates over the built templates: a new one gets its section."""
    files = build_files(default_config, validate=False).files
    templates = {**templates_from_files(files), "ecs-services": fargate_alb_efs_rds()}
    text = render_readme(templates, version="9.9.9").decode("utf-8")
    section = _sections(text)["ecs-services"]
    assert "WordPress on Fargate behind an ALB, EFS and RDS" in section
    assert "Database[(" in section and "| `DbClass`" in section and "Amazon RDS instance" in section
    # the comparison keeps the first Fargate stack of the build (ecs-fargate) and its scale
    comparison = _sections(text)["EC2 vs Fargate vs scale-out"]
    assert "the ecs-fargate template's tasks" in comparison and "scaled out to 2 tasks" in comparison
