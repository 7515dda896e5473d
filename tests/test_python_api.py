"""The Python API as docs/python-api.md shows it: the example runs, and the names it documents exist."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import ecs_templates
from ecs_templates import BuildFailed, ConfigError, Container, build_templates, configure, load_config, write_artifacts

DOC = Path(__file__).resolve().parent.parent / "docs" / "python-api.md"


def example_code(index: int = 0) -> str:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text("utf-8"), re.DOTALL)
    assert len(blocks) == 2
    return blocks[index]


def test_the_documented_example_runs_and_writes_lint_clean_artifacts(capsys):
    namespace: dict = {}
    exec(compile(example_code(), str(DOC), "exec"), namespace)  # noqa: S102 - the project's own document
    written = namespace["result"].directory
    names = sorted(path.name for path in written.iterdir())
    assert names == ["README.md", "ecr.json", "ecr.yaml", "ecs-services.json", "ecs-services.yaml", "manifest.json"]
    template = json.loads((written / "ecs-services.json").read_text())
    assert template["Resources"]["AlertsTopic"]["Type"] == "AWS::SNS::Topic"   # the caller's own resource
    assert json.loads((written / "manifest.json").read_text())["validation"]["status"] == "passed"
    assert template["Resources"]["WebService"]["Properties"]["DesiredCount"] == 2
    assert str(names) in capsys.readouterr().out


def test_the_documented_compose_example_builds_three_services_without_the_password(capsys):
    namespace: dict = {}
    exec(compile(example_code(1), str(DOC), "exec"), namespace)  # noqa: S102 - the project's own document
    written = namespace["compose_result"].directory
    services = json.loads((written / "ecs-services.json").read_text())
    kinds = [resource["Type"] for resource in services["Resources"].values()]
    assert kinds.count("AWS::ECS::Service") == 3
    assert json.loads((written / "manifest.json").read_text())["validation"]["status"] == "passed"
    assert not [path for path in written.iterdir() if "only-on-this-laptop" in path.read_text()]
    report = capsys.readouterr().out
    assert "services.api.environment.DATABASE_URL" in report and "becomes ECS service db" in report


def test_paths_may_be_strings(tmp_path: Path):
    config = tmp_path / "app.yaml"
    config.write_text("application: {name: notes}\n")
    assert load_config(str(config)).application.name == "notes"
    compose = tmp_path / "compose.yaml"
    compose.write_text("services:\n  web:\n    image: nginx:1.27\n    ports: ['80:80']\n")
    assert ecs_templates.import_compose(str(compose)).config.application.container("web").image == "nginx:1.27"


def test_the_compose_importer_loads_on_first_use_only():
    probe = ("import sys, ecs_templates; before = 'ecs_templates.importers.compose' in sys.modules; "
             "ecs_templates.import_compose; print(before, 'ecs_templates.importers.compose' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True).stdout.split() == ["False", "True"]


def test_every_name_in_the_documented_table_is_exported():
    table = DOC.read_text("utf-8").split("## Example", 1)[0]
    names = {name for cell in re.findall(r"^\| (.+?) \|", table, re.MULTILINE)
             for name in re.findall(r"`(\w+)", cell) if name not in ("name",)}
    assert names and names <= set(ecs_templates.__all__)


def test_a_finding_writes_nothing(tmp_path: Path):
    templates = build_templates(load_config())
    templates["ecr"].add_parameter(__import__("troposphere").Parameter("Unused", Type="String"))  # W2001
    with pytest.raises(BuildFailed) as raised:
        write_artifacts(templates, tmp_path / "out")
    assert "W2001" in str(raised.value) and not (tmp_path / "out").exists()


def test_bad_input_raises_config_error_naming_the_field():
    with pytest.raises(ConfigError) as raised:
        Container(name="Web", image="nginx", repository="nginx")
    assert raised.value.field == "application.containers.Web"
    with pytest.raises(ConfigError) as raised:
        configure(load_config().application, stacks=("ecs-nothing",))
    assert raised.value.field == "stacks[0]"
