"""Every stack: golden file, cfn-lint clean in JSON and YAML, deterministic."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ecs_templates import __version__
from ecs_templates.artifacts import render_templates
from ecs_templates.stacks import STACKS, build_all

GOLDEN = Path(__file__).parent / "golden"
STACK_NAMES = [spec.name for spec in STACKS]


def normalised(data: dict) -> dict:
    """The template with the generator version masked, so a version bump alone changes no golden file."""
    return json.loads(json.dumps(data).replace(__version__, "<version>"))


@pytest.mark.parametrize("name", STACK_NAMES)
def test_golden_file(name, default_templates):
    """Compare with tests/golden/<stack>.json; regenerate on purpose with UPDATE_GOLDEN=1 make test."""
    path = GOLDEN / f"{name}.json"
    actual = normalised(default_templates[name])
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(json.dumps(actual, indent=2, sort_keys=True) + "\n")
    assert path.exists(), f"no golden file {path}; run UPDATE_GOLDEN=1 make test once and review it"
    assert actual == json.loads(path.read_text()), f"{name} differs from {path}"


@pytest.fixture(scope="module")
def rendered(default_config):
    return render_templates(build_all(default_config))


@pytest.mark.parametrize("file_name", [f"{n}.{ext}" for n in STACK_NAMES for ext in ("json", "yaml")])
def test_cfn_lint_clean(file_name, rendered, validator):
    findings = validator.lint_text(rendered[file_name].decode(), file_name)
    assert findings == [], "\n".join(map(str, findings))


def test_yaml_and_json_hold_the_same_template(rendered):
    import yaml

    for name in STACK_NAMES:
        assert yaml.safe_load(rendered[f"{name}.yaml"]) == json.loads(rendered[f"{name}.json"])


def test_same_input_same_bytes(default_config, rendered):
    again = render_templates(build_all(default_config))
    assert again == rendered


def test_version_in_every_template(default_templates):
    for name, data in default_templates.items():
        assert __version__ in data["Description"], name
        assert data["Metadata"]["EcsTemplates"] == {**data["Metadata"]["EcsTemplates"],
                                                    "Version": __version__, "Stack": name}


def test_logical_ids_are_cloudformation_safe(default_templates):
    for data in default_templates.values():
        for section in ("Resources", "Parameters", "Outputs", "Conditions"):
            for logical in data.get(section, {}):
                assert logical.isalnum() and logical[0].isupper(), logical


def test_stateful_resources_keep_their_data(default_templates):
    stateful = ("AWS::ECR::Repository", "AWS::SecretsManager::Secret", "AWS::Logs::LogGroup",
                "AWS::EFS::FileSystem", "AWS::RDS::DBInstance")
    for data in default_templates.values():
        for logical, resource in data["Resources"].items():
            if resource["Type"] in stateful:
                assert resource.get("DeletionPolicy") in ("Retain", "RetainExceptOnCreate", "Snapshot"), logical
                assert resource.get("UpdateReplacePolicy") in ("Retain", "Snapshot"), logical
