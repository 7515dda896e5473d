"""Container mounts and labels, application tags: read, checked, and rendered in the task definition."""
from __future__ import annotations

import json

import pytest
from troposphere import ecs

from ecs_templates.builders.template import new_template
from ecs_templates.config import parse_config
from ecs_templates.errors import ConfigError
from ecs_templates.stacks.common import add_application_task


def app_with(container: dict, **application) -> dict:
    return {"application": {"extends": "none", "name": "app", **application,
                            "containers": {"app": {"image": "x:1", **container}}}}


def task_definition(config, **kwargs) -> dict:
    template = new_template("test", "task")
    add_application_task(template, config, family="t", network_mode="awsvpc", compatibility="FARGATE",
                         cpu=256, memory=512, architecture="arm64", **kwargs)
    return json.loads(template.to_json())["Resources"]["TaskDefinition"]["Properties"]


def test_mounts_labels_tags_are_rendered():
    config = parse_config(app_with({"labels": {"tier": "web"},
                                    "mounts": [{"volume": "cache", "path": "/cache", "read_only": True}]},
                                   tags={"team": "web", "cost:center": 42}))
    properties = task_definition(config)
    assert properties["Volumes"] == [{"Name": "cache"}]
    assert properties["Tags"] == [{"Key": "cost:center", "Value": "42"}, {"Key": "team", "Value": "web"}]
    (container,) = properties["ContainerDefinitions"]
    assert container["DockerLabels"] == {"tier": "web"}
    assert container["MountPoints"] == [{"ContainerPath": "/cache", "ReadOnly": True, "SourceVolume": "cache"}]


def test_a_stack_volume_of_the_same_name_replaces_task_storage():
    """A stack that attaches EFS to a volume name keeps it; the mount is not duplicated as task storage."""
    config = parse_config(app_with({"mounts": [{"volume": "data", "path": "/data"}]}))
    efs = ecs.Volume(Name="data", EFSVolumeConfiguration=ecs.EFSVolumeConfiguration(FilesystemId="fs-1"))
    assert task_definition(config, volumes=[efs])["Volumes"] == [
        {"EFSVolumeConfiguration": {"FilesystemId": "fs-1"}, "Name": "data"}]


def test_no_mounts_labels_or_tags_render_nothing():
    properties = task_definition(parse_config(app_with({})))
    assert properties.get("Volumes", {"Ref": "AWS::NoValue"}) == {"Ref": "AWS::NoValue"}
    assert "Tags" not in properties
    assert not {"DockerLabels", "MountPoints"} & set(properties["ContainerDefinitions"][0])


@pytest.mark.parametrize("container, application, field", [
    ({"mounts": [{"volume": "bad.name", "path": "/x"}]}, {}, r"application\.containers\.app\.mounts\[0\]\.volume"),
    ({"mounts": [{"volume": "v", "path": "relative"}]}, {}, r"mounts\[0\]\.path: 'relative' must be an absolute"),
    ({"mounts": [{"volume": "v", "path": "/x"}, {"volume": "w", "path": "/x"}]}, {}, r"mounts\[1\]\.path: /x is mounted twice"),
    ({"mounts": [{"volume": "v"}]}, {}, r"mounts\[0\]\.path: is required"),
    ({"mounts": [{"volume": "v", "path": "/x", "mode": "ro"}]}, {}, r"mounts\[0\]\.mode: unknown key"),
    ({"labels": {"a": ["list"]}}, {}, r"labels\.a: expected a string or a number"),
    ({}, {"tags": {"aws:owner": "me"}}, r"application\.tags\.aws:owner: a tag key .* cannot start with aws:"),
    ({}, {"tags": {"k": "v" * 300}}, r"application\.tags\.k: a tag value has at most 256"),
])
def test_bad_mounts_labels_tags(container, application, field):
    with pytest.raises(ConfigError, match=field):
        parse_config(app_with(container, **application))
