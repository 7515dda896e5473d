"""The container keys build, copies, host_mounts and linux in a config file, and the launch types.

Fargate takes SYS_PTRACE as its one added capability, network sysctls only, no devices,
sharedMemorySize, tmpfs, privileged or host paths:
https://docs.aws.amazon.com/AmazonECS/latest/userguide/fargate-tasks-services.html
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from ecs_templates.config import parse_config
from ecs_templates.errors import ConfigError
from ecs_templates.stacks import build_all
from helpers import run_cli


def config_data(container: dict, stacks: list[str], services: dict | None = None) -> dict:
    data = {"application": {"extends": "none", "name": "demo", "containers": {"app": container}},
            "stacks": stacks}
    return {**data, **({"services": services} if services else {})}


@pytest.mark.parametrize("container, stacks, services, field, fragment", [
    ({"image": "x", "host_mounts": [{"source": "/var/run/docker.sock", "path": "/var/run/docker.sock"}]},
     ["ecr", "ecs-fargate"], None, "application.containers.app.host_mounts", "Fargate tasks have no host paths"),
    ({"image": "x", "linux": {"cap_add": ["NET_ADMIN"]}}, ["ecr", "ecs-services"], None,
     "application.containers.app.linux.cap_add", "Fargate adds only SYS_PTRACE, not NET_ADMIN"),
    ({"image": "x", "linux": {"sysctls": {"kernel.shmmax": "1"}}}, ["ecr", "ecs-fargate"], None,
     "application.containers.app.linux.sysctls", "Fargate sets only network (net.*) sysctls"),
    ({"image": "x", "linux": {"privileged": True}}, ["ecr", "ecs-fargate"], None,
     "application.containers.app.linux.privileged", "Fargate does not support privileged"),
    ({"image": "x", "linux": {"devices": [{"host_path": "/dev/fuse"}]}}, ["ecr", "ecs-services"],
     {"launch_type": "fargate"}, "application.containers.app.linux.devices", "Fargate does not support devices"),
])
def test_fargate_refuses_what_it_cannot_run_naming_the_ec2_option(tmp_path: Path, container, stacks, services,
                                                                   field, fragment):
    (tmp_path / "app.yaml").write_text(yaml.safe_dump(config_data(container, stacks, services)))
    result = run_cli("build", "--config", "app.yaml", "--output", "out", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"ecs-templates: error: {field}: ") and fragment in lines[0]
    assert "build the stack ecs-ec2, or set services.launch_type: ec2" in lines[0]
    assert "Traceback" not in result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["app.yaml"]  # nothing written


def test_the_same_options_build_on_ec2():
    container = {"image": "x", "host_mounts": [{"source": "/srv", "path": "/srv", "read_only": True}],
                 "linux": {"cap_add": ["NET_ADMIN"], "privileged": True, "devices": [{"host_path": "/dev/fuse"}]}}
    config = parse_config(config_data(container, ["ecr", "ecs-ec2", "ecs-services"], {"launch_type": "ec2"}))
    for name, template in build_all(config).items():
        if name == "ecr":
            continue
        resources = json.loads(template.to_json())["Resources"]
        (task,) = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::ECS::TaskDefinition"]
        (app,) = task["ContainerDefinitions"]
        assert app["LinuxParameters"]["Capabilities"] == {"Add": ["NET_ADMIN"]}, name
        assert app["LinuxParameters"]["Devices"] == [{"HostPath": "/dev/fuse", "ContainerPath": "/dev/fuse"}]
        assert [v["Host"] for v in task["Volumes"] if "Host" in v] == [{"SourcePath": "/srv"}]


def test_a_built_container_needs_no_image_name():
    config = parse_config(config_data({"build": {"context": "app"}}, ["ecr"]))
    app = config.application.container("app")
    assert (app.image, app.build.context, app.build.dockerfile) == ("app", "app", "Dockerfile")


@pytest.mark.parametrize("container, field, fragment", [
    ({"build": {"context": "/abs"}}, "application.containers.app.build.context", "must be relative to the project"),
    ({"image": "x", "copies": [{"source": "a.conf", "path": "etc/a.conf"}]},
     "application.containers.app.copies[0].path", "must be an absolute path"),
    ({"image": "x", "host_mounts": [{"source": "data", "path": "/data"}]},
     "application.containers.app.host_mounts[0].source", "must be an absolute path"),
    ({"image": "x", "linux": {"cap_add": ["net admin"]}}, "application.containers.app.linux.cap_add",
     "is not a Linux capability name"),
    ({"image": "x", "linux": {"ulimits": {"nofile": {"soft": 10, "hard": 5}}}},
     "application.containers.app.linux.ulimits.nofile", "soft 10 exceeds hard 5"),
    ({"image": "x", "linux": {"swap": 1}}, "application.containers.app.linux.swap", "unknown key"),
])
def test_bad_option_values_name_the_field(container, field, fragment):
    with pytest.raises(ConfigError) as error:
        parse_config(config_data(container, ["ecr"]))
    assert error.value.field == field and fragment in error.value.message


def test_a_public_udp_port_reaches_a_udp_listener_of_the_network_load_balancer():
    container = {"image": "example/dns:1", "ports": [{"container": 53, "protocol": "udp", "public": True}]}
    resources = json.loads(build_all(parse_config(config_data(container, ["ecr", "ecs-services"])))
                           ["ecs-services"].to_json())["Resources"]
    listeners = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::ElasticLoadBalancingV2::Listener"]
    assert [(listener["Protocol"], listener["Port"]) for listener in listeners] == [("UDP", 53)]
    (target_group,) = [r["Properties"] for r in resources.values()
                       if r["Type"] == "AWS::ElasticLoadBalancingV2::TargetGroup"]
    assert (target_group["Protocol"], target_group["Port"]) == ("UDP", 53)
    (balancer,) = [r["Properties"] for r in resources.values()
                   if r["Type"] == "AWS::ElasticLoadBalancingV2::LoadBalancer"]
    assert balancer["Type"] == "network"


@pytest.mark.parametrize("stack", ["ecs-ec2", "ecs-fargate"])
def test_the_single_task_stacks_refuse_a_public_udp_port(stack):
    container = {"image": "example/dns:1", "ports": [{"container": 53, "protocol": "udp", "public": True}]}
    with pytest.raises(ConfigError) as error:
        build_all(parse_config(config_data(container, ["ecr", stack])))
    assert error.value.field == "application.containers.app.ports[0]"
    assert "open public TCP ports only; build ecs-services" in error.value.message
