"""A service others reach by name without `ports:`/`expose:` gets the port the project says it listens on.

One test per shape a real compose project has: the port in the built stage's EXPOSE (or its
parent stage's, or an ARG), a listen-all address or PORT in its own environment or command, a
Traefik port label, a client's nginx.conf copied into its image or in its build context. Then
two services on one load balancer port: the one that publishes 80 is the main listener's, and
two services publishing one container port under distinct host ports keep their host ports.
Each imported project builds cfn-lint clean.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecs_templates.artifacts import render_templates
from ecs_templates.errors import ComposeError
from ecs_templates.importers.compose import import_compose
from ecs_templates.importers.compose.dockerfile import exposed_ports
from ecs_templates.stacks import build_all
from helpers import run_cli

PROXY = "services:\n  proxy:\n    image: nginx:1.27\n    ports: ['80:80']\n    depends_on: [backend]\n"


def project(tmp_path: Path, compose: str, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    (tmp_path / "compose.yaml").write_text(compose)
    return tmp_path / "compose.yaml"


def backend_ports(path: Path) -> tuple[list[int], str]:
    result = import_compose(path, environ={})
    ports = [port.container_port for port in result.config.application.container("backend").ports]
    return ports, "\n".join(map(str, result.notes))


def test_the_built_stage_exposes_its_own_and_its_parent_stages_ports(tmp_path):
    path = project(tmp_path, PROXY + "  backend:\n    build: {context: backend, target: app, args: {PORT: '9001'}}\n", {
        "backend/Dockerfile": "FROM golang:1.22 AS base\nEXPOSE 7000\n# EXPOSE 1\nFROM base AS app\nARG PORT=9000\n"
                              "EXPOSE $PORT \\\n  9100/tcp 53/udp\nFROM scratch AS other\nEXPOSE 6000\n"})
    ports, notes = backend_ports(path)
    assert ports == [7000, 9001, 9100]  # the build arg over the ARG default; 53/udp is not TCP
    assert "port from EXPOSE in backend/Dockerfile:6: proxy reaches it by name" in notes


def test_without_a_target_the_last_stage_is_built_and_its_base_image_is_read(tmp_path):
    path = project(tmp_path, PROXY + "  backend:\n    build: backend\n", {
        "backend/Dockerfile": "FROM node:22 AS build\nEXPOSE 3000\nFROM redis:7\nCOPY --from=build /a /a\n"})
    ports, notes = backend_ports(path)
    assert ports == [6379]
    assert "the image table's port of redis, the base image in backend/Dockerfile" in notes


@pytest.mark.parametrize(("environment", "port"), [
    ("ASPNETCORE_URLS: http://+:8000", 8000),
    ("PORT: '3000'", 3000),
    ("BIND: 0.0.0.0:8500", 8500),
])
def test_a_listen_address_in_its_own_environment(tmp_path, environment, port):
    path = project(tmp_path, PROXY + f"  backend:\n    build: backend\n    environment:\n      {environment}\n",
                   {"backend/Dockerfile": "FROM scratch\nEXPOSE 80\n"})
    ports, notes = backend_ports(path)
    assert ports == [port]  # the runtime setting wins over the image's EXPOSE
    assert "port from its environment" in notes


def test_a_listen_address_in_its_command(tmp_path):
    path = project(tmp_path, PROXY + "  backend:\n    image: python:3.12\n"
                                     "    command: gunicorn -w 3 -b 0.0.0.0:8010 app:app\n", {})
    ports, notes = backend_ports(path)
    assert ports == [8010] and "port from its command (0.0.0.0:8010)" in notes


def test_a_traefik_port_label(tmp_path):
    path = project(tmp_path, "services:\n  frontend:\n    image: traefik:2.11\n    ports: ['80:80']\n"
                             "    depends_on: [backend]\n  backend:\n    build: backend\n    labels:\n"
                             "      - traefik.enable=true\n      - traefik.http.services.go.loadbalancer.server.port=8081\n",
                   {"backend/Dockerfile": "FROM scratch\n"})
    ports, notes = backend_ports(path)
    assert ports == [8081] and "its label traefik.http.services.go.loadbalancer.server.port=8081" in notes


def test_a_clients_nginx_conf_copied_into_its_image(tmp_path):
    path = project(tmp_path, "services:\n  proxy:\n    image: nginx:1.27\n    ports: ['80:80']\n"
                             "    volumes: ['./proxy/nginx.conf:/etc/nginx/conf.d/default.conf:ro']\n"
                             "    depends_on: [backend]\n  backend:\n    build: backend\n",
                   {"proxy/nginx.conf": "server {\n  listen 80;\n  location / {\n    proxy_pass http://backend:8000;\n"
                                        "  }\n}\n", "backend/Dockerfile": "FROM scratch\n"})
    ports, notes = backend_ports(path)
    assert ports == [8000] and "port from proxy/nginx.conf:4, which proxy carries into its image" in notes


def test_a_file_in_a_clients_build_context(tmp_path):
    path = project(tmp_path, "services:\n  frontend:\n    build: frontend\n    ports: ['3000:3000']\n"
                             "    depends_on: [backend]\n  backend:\n    build: backend\n", {
        "frontend/Dockerfile": "FROM node:22\n", "frontend/src/setupProxy.js": "target: 'http://backend:8080',\n",
        "frontend/node_modules/x/index.js": "http://backend:1234\n", "backend/Dockerfile": "FROM scratch\n"})
    ports, notes = backend_ports(path)
    assert ports == [8080] and "frontend/src/setupProxy.js:1" in notes  # node_modules is not read


def test_nothing_names_the_port_is_one_error_and_writes_nothing(tmp_path):
    project(tmp_path, PROXY + "  backend:\n    build: backend\n", {"backend/Dockerfile": "FROM scratch\n"})
    result = run_cli("import-compose", "compose.yaml", "-o", "app.yaml", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "ecs-templates: error: compose.yaml: services.backend.expose: proxy reaches backend by name "
        "(depends_on.backend), but backend lists no port (ports: or expose:), it is built here (build:) and its "
        "Dockerfile exposes none, and no file of the project names one; add the port it listens on, e.g. "
        "expose: [\"8080\"]"]
    assert not (tmp_path / "app.yaml").exists()


def test_exposed_ports_reads_the_old_env_form_and_leaves_unresolved_ports_out(tmp_path):
    (tmp_path / "Dockerfile").write_text("ARG BASE=alpine\nFROM ${BASE}\nENV APP_PORT 8443\nEXPOSE $APP_PORT $MISSING "
                                         "${OTHER:-8444}\n")
    assert [(e.port, e.where) for e in exposed_ports(tmp_path, "Dockerfile", None, {}, "Dockerfile")] == [
        (8443, "EXPOSE in Dockerfile:4"), (8444, "EXPOSE in Dockerfile:4")]


def listeners(result) -> dict[int, str]:
    template = json.loads(build_all(result.config)["ecs-services"].to_json())
    resources = template["Resources"]
    found = {}
    for resource in resources.values():
        if resource["Type"] == "AWS::ElasticLoadBalancingV2::Listener":
            action = resource["Properties"]["DefaultActions"][0]
            group = action.get("TargetGroupArn", {}).get("Ref", "") if "TargetGroupArn" in action else ""
            found[resource["Properties"]["Port"]] = group
    return {port: group for port, group in found.items() if port != 443}  # 443: HTTPS, with a certificate


def test_the_service_that_publishes_80_takes_the_main_listener(tmp_path):
    path = project(tmp_path, "services:\n  api:\n    image: x\n    ports: ['8000:8000']\n"
                             "  web:\n    image: nginx:1.27\n    ports: ['80:80']\n", {})
    result = import_compose(path, environ={})
    found = listeners(result)
    assert found[80] == "Web80TargetGroup" and found[8000] == "Api8000TargetGroup"


def test_one_container_port_under_two_host_ports_keeps_the_host_ports(tmp_path, validator):
    path = project(tmp_path, "services:\n  web1:\n    image: x\n    ports: ['81:5000']\n"
                             "  web2:\n    image: x\n    ports: ['82:5000']\n", {})
    result = import_compose(path, environ={})
    assert {p.host_port for c in result.config.application.containers for p in c.ports} == {81, 82}
    assert "ecs-ec2" not in result.config.stacks and "ecs-fargate" not in result.config.stacks
    assert "'82:5000': published at 82 on the load balancer, its Compose host port, since web1 also publishes " \
           "container port 5000" in "\n".join(map(str, result.notes))
    assert not any("local choice" in str(warning) for warning in result.warnings)
    assert sorted(listeners(result)) == [81, 82]
    files = render_templates(build_all(result.config))
    assert validator.lint_text(files["ecs-services.json"].decode(), "ecs-services.json") == []


def test_a_lone_other_host_port_still_publishes_the_container_port(tmp_path):
    path = project(tmp_path, "services:\n  web:\n    image: nginx:1.27\n    ports: ['8080:80']\n", {})
    result = import_compose(path, environ={})
    assert [p.host_port for p in result.config.application.container("web").ports] == [80]
    assert any("the host port 8080 is a local choice" in str(warning) for warning in result.warnings)


@pytest.mark.parametrize("test", [test_a_clients_nginx_conf_copied_into_its_image, test_a_traefik_port_label])
def test_each_found_port_project_builds_lint_clean(tmp_path, validator, test):
    test(tmp_path)
    result = import_compose(tmp_path / "compose.yaml", environ={})
    files = render_templates(build_all(result.config))
    for stack in result.config.stacks:
        assert validator.lint_text(files[f"{stack}.json"].decode(), stack) == [], stack


def test_a_dockerfile_that_cannot_be_read_finds_nothing(tmp_path):
    assert exposed_ports(tmp_path, "missing", None, {}, "missing") == []
    with pytest.raises(ComposeError):
        import_compose(project(tmp_path, PROXY + "  backend:\n    build: nowhere\n", {}), environ={})
