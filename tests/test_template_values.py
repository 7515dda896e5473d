"""scripts/lib/template_values.py: what deploy.sh works out from a template before creating anything."""
from __future__ import annotations

import importlib.util
import json

import pytest

from ecs_templates.artifacts import newest_version_directory
from emulator import ROOT

_spec = importlib.util.spec_from_file_location("template_values", ROOT / "scripts" / "lib" / "template_values.py")
values = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(values)

NEWEST_ECR = json.loads((newest_version_directory(ROOT / "templates") / "ecr.json").read_text())


@pytest.mark.parametrize("expression, expected", [
    ("plain", "plain"),
    ({"Ref": "Prefix"}, "team/"),
    ({"Ref": "AWS::StackName"}, "wordpress-ecr"),
    ({"Fn::Sub": "${Prefix}wordpress"}, "team/wordpress"),
    ({"Fn::Sub": "${AWS::StackName}-cp"}, "wordpress-ecr-cp"),
    ({"Fn::Join": ["-", [{"Ref": "AWS::StackName"}, "x"]]}, "wordpress-ecr-x"),
    ({"Fn::Sub": "${Unknown}x"}, None),
    ({"Fn::GetAtt": ["A", "B"]}, None),
])
def test_resolve(expression, expected) -> None:
    assert values.resolve(expression, {"Prefix": "team/"}, "wordpress-ecr") == expected


def test_import_request_holds_the_adopted_repositories_alone() -> None:
    parameters = {"RepositoryNamePrefix": "team/", "ImageTagMutability": "MUTABLE"}
    found = values.importable(NEWEST_ECR, parameters, "x-ecr")
    assert [(kind, identifier) for kind, _, _, identifier in found] == \
        [("AWS::ECR::Repository", "team/mariadb"), ("AWS::ECR::Repository", "team/wordpress")]
    body, to_import = values.import_request(NEWEST_ECR, found[1:])
    assert "Outputs" not in body and body["Parameters"] == NEWEST_ECR["Parameters"]
    assert list(body["Resources"]) == [found[1][1]]
    assert body["Resources"][found[1][1]]["DeletionPolicy"] == "RetainExceptOnCreate"
    assert to_import == [{"ResourceType": "AWS::ECR::Repository", "LogicalResourceId": found[1][1],
                          "ResourceIdentifier": {"RepositoryName": "team/wordpress"}}]


def test_import_needs_a_deletion_policy() -> None:
    template = {"Resources": {"Repo": {"Type": "AWS::ECR::Repository", "Properties": {"RepositoryName": "r"}}}}
    with pytest.raises(ValueError, match="cannot import Repo: no DeletionPolicy"):
        values.import_request(template, values.importable(template, {}, "s"))


@pytest.mark.parametrize("stack_name, name, refused", [
    ("ecs-ec2", None, True), ("ECS-ec2", None, True), ("fargate-x-ecs-ec2", None, True), ("awsome-ecs-ec2", None, True),
    ("wordpress-ecs-ec2", None, False), ("my-ecs-ec2", None, False),
    ("wordpress-ecs-ec2", {"Fn::Sub": "ecs-${AWS::StackName}"}, True),
    ("ecs-ec2", {"Fn::Sub": "cp-${AWS::StackName}"}, False),
])
def test_reserved_capacity_provider_names(stack_name, name, refused) -> None:
    provider = {"Type": "AWS::ECS::CapacityProvider", "Properties": {} if name is None else {"Name": name}}
    found = values.reserved_capacity_provider_names({"Resources": {"Provider": provider}}, {}, stack_name)
    assert bool(found) is refused
