"""scripts/lib/cfn_helper.py: the pure parts the emulator cannot exercise (AWS-shaped change sets)."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from ecs_templates.artifacts import newest_version_directory, version_key

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("cfn_helper", ROOT / "scripts" / "lib" / "cfn_helper.py")
assert _spec and _spec.loader
helper = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(helper)


def change(action: str, logical: str, kind: str, replacement: str | None = None) -> dict[str, Any]:
    resource = {"Action": action, "LogicalResourceId": logical, "ResourceType": kind}
    if replacement is not None:
        resource["Replacement"] = replacement
    return {"Type": "Resource", "ResourceChange": resource}


@pytest.mark.parametrize("entry, risky", [
    (change("Remove", "Database", "AWS::RDS::DBInstance"), "DELETE Database (AWS::RDS::DBInstance)"),
    (change("Modify", "Files", "AWS::EFS::FileSystem", "True"), "REPLACE (True) Files (AWS::EFS::FileSystem)"),
    (change("Modify", "Repo", "AWS::ECR::Repository", "Conditional"), "REPLACE (Conditional) Repo (AWS::ECR::Repository)"),
    (change("Modify", "Secret", "AWS::SecretsManager::Secret", "False"), None),
    (change("Remove", "Service", "AWS::ECS::Service"), None),
    (change("Modify", "Task", "AWS::ECS::TaskDefinition", "True"), None),
    (change("Add", "Logs", "AWS::Logs::LogGroup"), None),
])
def test_review_flags_deleted_or_replaced_stateful_resources(entry: dict[str, Any], risky: str | None) -> None:
    lines, risks = helper.review_changes({"Changes": [entry]}, [], {"Resources": {}})
    assert len(lines) == 1 and entry["ResourceChange"]["LogicalResourceId"] in lines[0]
    assert risks == ([risky] if risky else [])


def test_review_flags_a_stateful_resource_the_new_template_drops() -> None:
    current = [{"LogicalResourceId": "Logs", "ResourceType": "AWS::Logs::LogGroup"},
               {"LogicalResourceId": "Role", "ResourceType": "AWS::IAM::Role"}]
    _, risks = helper.review_changes({"Changes": []}, current, {"Resources": {"Role": {}}})
    assert risks == ["DELETE Logs (AWS::Logs::LogGroup): the new template no longer has it"]


def test_newest_version_agrees_with_the_generator(tmp_path: Path) -> None:
    names = ["0.1.0.dev0", "0.1.0", "0.10.0.dev3", "0.9.2", "0.10.0.dev12", "1.0.0.dev1"]
    for name in names:
        (tmp_path / f"v{name}").mkdir()
    assert helper.versions(tmp_path)[-1] == newest_version_directory(tmp_path).name[1:] == "1.0.0.dev1"
    assert helper.versions(tmp_path) == sorted(names, key=version_key)


def test_parameters_are_all_stated_defaults_included() -> None:
    template = {"Parameters": {
        "Tag": {"Type": "String", "Default": "latest", "AllowedPattern": "^[a-z0-9.]+$"},
        "Days": {"Type": "Number", "Default": 30, "AllowedValues": [7, 30]},
        "Subnets": {"Type": "List<AWS::EC2::Subnet::Id>"},
        "Ami": {"Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>", "Default": "/aws/service/x"},
    }}
    resolved = helper.resolve_parameters(template, {"Subnets": "subnet-0a,subnet-0b", "Days": "7"}, "s")
    assert resolved == [{"ParameterKey": "Ami", "ParameterValue": "/aws/service/x"},
                        {"ParameterKey": "Days", "ParameterValue": "7"},
                        {"ParameterKey": "Subnets", "ParameterValue": "subnet-0a,subnet-0b"},
                        {"ParameterKey": "Tag", "ParameterValue": "latest"}]
    with pytest.raises(helper.InputError, match="parameter Subnets .* has no default: give it with --param Subnets="):
        helper.resolve_parameters(template, {}, "s")
    assert [item["ParameterKey"] for item in helper.resolve_parameters(template, {}, "s", defer_network=True)] \
        == ["Ami", "Days", "Tag"]
    with pytest.raises(helper.InputError, match="Tag does not match"):
        helper.resolve_parameters(template, {"Subnets": "subnet-0a", "Tag": "UPPER"}, "s")
    with pytest.raises(helper.InputError, match="Subnets must be a list of AWS::EC2::Subnet::Id"):
        helper.resolve_parameters(template, {"Subnets": "subnet-0a,sub-1"}, "s")


@pytest.mark.parametrize("text", [
    "Tag=v1\n# comment\n\nDays = 7\n",
    json.dumps({"Tag": "v1", "Days": 7}),
    json.dumps({"Parameters": {"Tag": "v1", "Days": 7}}),
    json.dumps([{"ParameterKey": "Tag", "ParameterValue": "v1"}, {"ParameterKey": "Days", "ParameterValue": "7"}]),
])
def test_parameter_files(tmp_path: Path, text: str) -> None:
    path = tmp_path / ("params.json" if text.startswith(("{", "[")) else "params.env")
    path.write_text(text)
    assert helper.read_params_file(str(path)) == {"Tag": "v1", "Days": "7"}


def test_parameter_file_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "params.env"
    path.write_text("Tag=v1\nDays\n")
    with pytest.raises(helper.InputError, match=r"params.env:2: expected KEY=VALUE, got 'Days'"):
        helper.read_params_file(str(path))


@pytest.mark.parametrize("text", ["2026-11-25T16:01:32.675757Z", "2026-11-25T16:01:32.675757+00:00",
                                  "2026-11-25T17:01:32.675757+01:00", "2026-11-25T16:01:32.6757570Z"])
def test_event_times_in_the_cli_formats(text: str) -> None:
    assert helper.parse_time(text).isoformat() == "2026-11-25T16:01:32.675757+00:00"


def test_source_images_and_platform_of_the_committed_templates() -> None:
    newest = newest_version_directory(ROOT / "templates")
    assert newest is not None
    ecr = json.loads((newest / "ecr.json").read_text())
    assert ecr["Metadata"]["EcsTemplates"]["SourceImages"]
    assert helper.platform_of(newest) == "linux/arm64"
    assert helper.stacks_in(newest)[-1] == "ecr"


def test_a_parameters_file_may_serve_several_stacks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = tmp_path / "stack.json"
    template.write_text(json.dumps({"Parameters": {"Tag": {"Type": "String", "Default": "latest"}}}))
    shared = tmp_path / "lab.params"
    shared.write_text("Tag=v1\nKeyName=vockey\n")
    output = tmp_path / "params.json"
    assert helper.main(["parameters", "--stack", "s", "--params-file", str(shared), str(template), str(output)]) == 0
    assert json.loads(output.read_text()) == [{"ParameterKey": "Tag", "ParameterValue": "v1"}]
    assert f"not a parameter of this stack, ignored: KeyName from {shared}" in capsys.readouterr().out

    with pytest.raises(SystemExit) as exit_info:
        helper.main(["parameters", "--stack", "s", str(template), str(output), "KeyName=vockey"])
    assert exit_info.value.code == 2
    assert "unknown parameter KeyName for stack s; its parameters are: Tag" in capsys.readouterr().err


def _committed(stack: str) -> dict[str, Any]:
    newest = newest_version_directory(ROOT / "templates")
    assert newest is not None
    return json.loads((newest / f"{stack}.json").read_text())


def test_restore_plan_brings_back_the_file_system_and_the_snapshot_with_the_stack_parameters() -> None:
    template = _committed("ecs-services-rds")
    resources = [{"LogicalResourceId": "FileSystem", "PhysicalResourceId": "fs-0abc"},
                 {"LogicalResourceId": "MariadbDatabase", "PhysicalResourceId": "db-1"},
                 {"LogicalResourceId": "Cluster", "PhysicalResourceId": "cluster"}]
    stack = {"Parameters": [{"ParameterKey": key, "ParameterValue": value} for key, value in {
        "VpcId": "vpc-1", "SubnetIds": "['subnet-1', 'subnet-2']", "ImageTag": "v2",
        "LogRetentionDays": "30", "ExistingFileSystemId": "", "MariadbSnapshotIdentifier": "old"}.items()]}
    rows = helper.kept_data.restore_plan(template, resources, stack)
    assert rows == [("param", "ExistingFileSystemId", "fs-0abc"), ("param", "ImageTag", "v2"),
                    ("snapshot", "MariadbSnapshotIdentifier", "db-1"),
                    ("param", "SubnetIds", "subnet-1,subnet-2"), ("param", "VpcId", "vpc-1")]


def test_restore_plan_keeps_an_existing_file_system_and_is_empty_when_nothing_was_kept() -> None:
    template = _committed("ecs-services")
    stack = {"Parameters": [{"ParameterKey": "ExistingFileSystemId", "ParameterValue": "fs-9"},
                            {"ParameterKey": "VpcId", "ParameterValue": "vpc-1"}]}
    assert helper.kept_data.restore_plan(template, [], stack) == [
        ("param", "ExistingFileSystemId", "fs-9"), ("param", "VpcId", "vpc-1")]
    assert helper.kept_data.restore_plan(template, [], {"Parameters": []}) == []
    assert helper.kept_data.restore_plan(_committed("ecs-fargate"), [], stack) == []


def test_service_urls_are_named_after_the_service() -> None:
    stack = {"Outputs": [
        {"OutputKey": "WordpressUrl", "OutputValue": "http://lb", "Description": "wordpress from the internet (http 80)"},
        {"OutputKey": "Admin8080Url", "OutputValue": "http://lb:8080"},
        {"OutputKey": "LoadBalancerDnsName", "OutputValue": "lb"}]}
    assert helper.kept_data.service_urls(stack) == [("Admin8080", "http://lb:8080"), ("wordpress", "http://lb")]
