"""Compose files that build images, bind-mount files and paths, and set Linux parameters.

One compose file per shape under tests/data/compose/shapes/ (with a tiny Dockerfile and
context there); each imports, builds lint-clean, and reads back to the same config.
"""
from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from ecs_templates.artifacts import render_templates
from ecs_templates.config import parse_config
from ecs_templates.errors import ComposeError, ConfigError
from ecs_templates.importers.compose import import_compose, render_config
from ecs_templates.stacks import build_all
from compose_helpers import DATA, warnings_text

BUILD = DATA / "shapes"
SHAPES = ["built.yml", "host-paths.yml", "host-paths-data.yml", "linux.yml", "linux-fargate.yml",
          "host-network.yml", "udp.yml"]


def imported(name: str) -> Any:
    return import_compose(BUILD / name, environ={})


def templates(result: Any) -> dict[str, dict[str, Any]]:
    return {name: json.loads(template.to_json()) for name, template in build_all(result.config).items()}


def task_definitions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {logical: resource["Properties"] for logical, resource in template["Resources"].items()
            if resource["Type"] == "AWS::ECS::TaskDefinition"}


def definition(template: dict[str, Any], container: str) -> dict[str, Any]:
    for task in task_definitions(template).values():
        for item in task["ContainerDefinitions"]:
            if item["Name"] == container:
                return item
    raise KeyError(container)


@pytest.mark.parametrize("name", SHAPES)
def test_every_stack_of_the_shape_lints_clean_and_reads_back(name, validator):
    result = imported(name)
    for file_name, body in render_templates(build_all(result.config)).items():
        if file_name.endswith(".json"):
            findings = validator.lint_text(body.decode(), f"{name}:{file_name}")
            assert findings == [], "\n".join(map(str, findings))
    text = render_config(result.data, source=name)
    assert parse_config(yaml.safe_load(text)) == result.config


def test_a_built_service_gets_a_repository_filled_by_a_build():
    result = imported("built.yml")
    web = result.config.application.container("web")
    assert web.build is not None
    assert (web.build.context, web.build.dockerfile, dict(web.build.args), web.build.target) == (
        "app", "Dockerfile", {"VERSION": "1.2"}, "prod")
    built = templates(result)
    sources = built["ecr"]["Metadata"]["EcsTemplates"]["SourceImages"]
    assert sources["web"] == {"Build": {"Context": "app", "Dockerfile": "Dockerfile", "Args": {"VERSION": "1.2"},
                                        "Target": "prod"}, "StopSignal": "SIGINT"}
    assert web.stop_signal == "SIGINT"  # compose stop_signal: the derived image's STOPSIGNAL
    assert "WebRepository" in built["ecr"]["Resources"]
    # Every stack runs the image from the repository (the override parameter empty by default).
    for stack in ("ecs-ec2", "ecs-fargate", "ecs-services"):
        image = definition(built[stack], "web")["Image"]
        assert image["Fn::If"][1]["Fn::Sub"][0].endswith("/${RepositoryNamePrefix}web:${Tag}"), stack
    # The source overlay ./app/src:/app/src is dropped, named in a warning; the image holds src.
    assert "services.web.volumes[0]: ./app/src:/app/src is dropped" in warnings_text(result)
    assert "MountPoints" not in definition(built["ecs-services"], "web")
    assert "services.web.build.cache_from: changes how the image is built" in warnings_text(result)


def test_a_read_only_project_file_goes_into_a_derived_image():
    result = imported("built.yml")
    proxy = result.config.application.container("proxy")
    assert [(copy.source, copy.path) for copy in proxy.copies] == [("nginx.conf", "/etc/nginx/nginx.conf")]
    built = templates(result)
    assert built["ecr"]["Metadata"]["EcsTemplates"]["SourceImages"]["proxy"] == {
        "Pull": "nginx:1.27", "Copy": [{"Source": "nginx.conf", "Path": "/etc/nginx/nginx.conf"}]}
    assert "MountPoints" not in definition(built["ecs-services"], "proxy")  # in the image, not mounted


def test_host_paths_become_host_volumes_on_ec2_only():
    result = imported("host-paths.yml")
    assert "ecs-fargate" not in result.config.stacks
    assert result.config.services.launch_type == "ec2"
    built = templates(result)
    assert "ecs-fargate" not in built
    for stack in ("ecs-ec2", "ecs-services"):
        (task,) = task_definitions(built[stack]).values()
        hosts = {volume["Host"]["SourcePath"]: volume["Name"] for volume in task["Volumes"] if "Host" in volume}
        assert sorted(hosts) == ["/home/ec2-user/data", "/var/run/docker.sock"], stack
        mounts = {m["ContainerPath"]: (m["SourceVolume"], m["ReadOnly"])
                  for m in definition(built[stack], "agent")["MountPoints"]}
        assert mounts == {"/var/run/docker.sock": (hosts["/var/run/docker.sock"], True),
                          "/data": (hosts["/home/ec2-user/data"], False)}
    assert "~/data is /home/ec2-user/data on the container instance" in warnings_text(result)


def test_a_service_with_a_host_path_runs_on_instances_even_when_it_holds_data():
    result = imported("host-paths-data.yml")
    services = templates(result)["ecs-services"]
    (service,) = [r["Properties"] for r in services["Resources"].values() if r["Type"] == "AWS::ECS::Service"]
    assert [item["CapacityProvider"] for item in service["CapacityProviderStrategy"]] == [
        {"Ref": "Ec2CapacityProvider"}]
    assert services["Resources"]["Ec2CapacityProvider"]["Type"] == "AWS::ECS::CapacityProvider"
    (task,) = task_definitions(services).values()
    assert task["RequiresCompatibilities"] == ["EC2"]
    assert any("EFSVolumeConfiguration" in volume for volume in task["Volumes"])  # the data stays on EFS
    assert any(volume.get("Host") == {"SourcePath": "/var/run/docker.sock"} for volume in task["Volumes"])


def test_linux_parameters_on_ec2():
    result = imported("linux.yml")
    assert "ecs-fargate" not in result.config.stacks
    vpn = definition(templates(result)["ecs-ec2"], "vpn")
    assert vpn["LinuxParameters"] == {
        "Capabilities": {"Add": ["NET_ADMIN", "SYS_MODULE"], "Drop": ["MKNOD"]},
        "Devices": [{"HostPath": "/dev/net/tun", "ContainerPath": "/dev/net/tun",
                     "Permissions": ["read", "write", "mknod"]}],
        "InitProcessEnabled": True, "SharedMemorySize": 256,
        "Tmpfs": [{"ContainerPath": "/run", "Size": 64}, {"ContainerPath": "/tmp", "Size": 64}]}
    assert vpn["Privileged"] is True
    assert vpn["Ulimits"] == [{"Name": "nofile", "SoftLimit": 20000, "HardLimit": 40000},
                              {"Name": "nproc", "SoftLimit": 65535, "HardLimit": 65535}]
    assert vpn["SystemControls"] == [{"Namespace": "kernel.msgmax", "Value": "65536"},
                                     {"Namespace": "net.ipv4.ip_forward", "Value": "1"}]
    assert "services.vpn.tmpfs: /tmp has no size; ECS needs one: 64 MiB" in warnings_text(result)


def test_linux_parameters_fargate_takes_stay_on_fargate():
    result = imported("linux-fargate.yml")
    assert "ecs-fargate" in result.config.stacks and result.config.services.launch_type == "fargate"
    debug = definition(templates(result)["ecs-fargate"], "debug")
    assert debug["LinuxParameters"] == {"Capabilities": {"Add": ["SYS_PTRACE"], "Drop": ["ALL"]},
                                        "InitProcessEnabled": True}
    assert debug["SystemControls"] == [{"Namespace": "net.core.somaxconn", "Value": "1024"}]
    assert debug["Ulimits"] == [{"Name": "nofile", "SoftLimit": 65536, "HardLimit": 65536}]


@pytest.mark.parametrize("name, message", [
    ("missing-context.yml", r"services\.web\.build\.context: .*nowhere does not exist or is not a directory"),
    ("missing-dockerfile.yml", r"services\.web\.build\.dockerfile: .*empty/Dockerfile\.prod does not exist"),
    ("secret-build-arg.yml", r"services\.web\.build\.args\.NPM_TOKEN: looks like a secret"),
])
def test_a_bad_build_is_refused(name, message):
    with pytest.raises(ComposeError, match=message):
        imported(name)


def test_host_network_runs_the_ec2_task_in_the_host_mode():
    result = imported("host-network.yml")
    assert result.config.stacks == ("ecr", "ecs-ec2")
    assert "ecs-ec2 runs as a task in the host mode" in "\n".join(map(str, result.notes))
    stack = templates(result)["ecs-ec2"]
    (task,) = task_definitions(stack).values()
    assert task["NetworkMode"] == "host"
    assert definition(stack, "monitor")["PortMappings"] == [{"ContainerPort": 19999, "HostPort": 19999,
                                                             "Protocol": "tcp"}]
    ingress = [rule["FromPort"] for rule in stack["Resources"]["InstanceSecurityGroup"]["Properties"]
               ["SecurityGroupIngress"]]
    assert ingress == [19999]


def test_host_network_is_refused_where_each_service_has_its_own_interface(tmp_path):
    from ecs_templates.config import parse_config
    data = {"application": {"extends": "none", "name": "demo", "containers": {
        "app": {"image": "x", "linux": {"host_network": True}}}}, "stacks": ["ecr", "ecs-services"],
        "services": {"launch_type": "ec2"}}
    with pytest.raises(ConfigError, match=r"application\.containers\.app\.linux\.host_network: app: the host network "
                                        r"mode is the whole task's, and this stack runs awsvpc; build the stack ecs-ec2"):
        build_all(parse_config(data))


def test_a_public_udp_port_reaches_the_network_load_balancer():
    result = imported("udp.yml")
    assert result.config.stacks == ("ecr", "ecs-services")
    assert "ecs-ec2 and ecs-fargate left out: they open public TCP ports only" in "\n".join(map(str, result.notes))
    resources = templates(result)["ecs-services"]["Resources"]
    listeners = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::ElasticLoadBalancingV2::Listener"]
    assert [(listener["Protocol"], listener["Port"]) for listener in listeners] == [("UDP", 53)]


@pytest.mark.parametrize(("value", "message"), [
    ("'SIGNOPE!'", "'SIGNOPE!' is not a signal"), ("[SIGINT]", "is not a signal")])
def test_a_stop_signal_that_is_not_a_signal_is_one_error(tmp_path, value, message):
    (tmp_path / "compose.yaml").write_text(f"services:\n  web:\n    image: nginx:1.27\n    stop_signal: {value}\n")
    with pytest.raises(ComposeError, match="services.web.stop_signal") as error:
        import_compose(tmp_path / "compose.yaml", environ={})
    assert message in str(error.value)


def test_a_config_stop_signal_is_checked_and_derives_an_image():
    data = {"application": {"extends": "none", "name": "a", "containers": {"web": {"image": "nginx:1.27",
                                                                                "stop_signal": "SIGQUIT"}}},
            "stacks": ["ecr", "ecs-services"]}
    config = parse_config(data)
    sources = json.loads(build_all(config)["ecr"].to_json())["Metadata"]["EcsTemplates"]["SourceImages"]
    assert sources["web"] == {"Pull": "nginx:1.27", "StopSignal": "SIGQUIT"}
    data["application"]["containers"]["web"]["stop_signal"] = "quit"
    with pytest.raises(ConfigError, match="application.containers.web.stop_signal: 'quit' is not a signal"):
        parse_config(data)


def test_a_hostname_equal_to_the_service_name_is_a_warning_and_another_one_an_error(tmp_path):
    (tmp_path / "compose.yaml").write_text("services:\n  web1:\n    image: nginx:1.27\n    hostname: web1\n")
    result = import_compose(tmp_path / "compose.yaml", environ={})
    assert "services.web1.hostname: 'web1' is the service's name" in warnings_text(result)
    (tmp_path / "compose.yaml").write_text("services:\n  web1:\n    image: nginx:1.27\n    hostname: other\n")
    with pytest.raises(ComposeError, match="services.web1.hostname: has no ECS meaning here"):
        import_compose(tmp_path / "compose.yaml", environ={})


def test_stdin_open_and_tty_become_interactive_and_a_terminal(tmp_path, validator):
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: node:22\n    stdin_open: true\n"
                                           "    tty: true\n    expose: ['3000']\n  cli:\n    image: node:22\n"
                                           "    tty: false\n")
    result = import_compose(tmp_path / "compose.yaml", environ={})
    web, cli = result.config.application.container("web"), result.config.application.container("cli")
    assert (web.interactive, web.pseudo_terminal, cli.interactive, cli.pseudo_terminal) == (True, True, False, False)
    files = render_templates(build_all(result.config))
    for stack in result.config.stacks:
        template = json.loads(files[f"{stack}.json"])
        assert validator.lint_text(files[f"{stack}.json"].decode(), stack) == []
        found = {d["Name"]: (d.get("Interactive"), d.get("PseudoTerminal")) for task in task_definitions(template).values()
                 for d in task["ContainerDefinitions"]}
        assert found == ({} if stack == "ecr" else {"web": (True, True), "cli": (None, None)}), stack
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: node:22\n    tty: 'yes please'\n")
    with pytest.raises(ComposeError, match="services.web.tty: expected true or false"):
        import_compose(tmp_path / "compose.yaml", environ={})
