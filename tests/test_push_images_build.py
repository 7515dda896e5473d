"""push-images.sh for built services and derived images: the real AWS CLI against moto's server
for the ECR side, the docker stand-in (tests/standin_docker.py) recording every build."""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from ecs_templates.artifacts import render_templates
from ecs_templates.importers.compose import import_compose
from ecs_templates.stacks import build_all
from compose_helpers import DATA
from emulator import Deployer

pytestmark = [pytest.mark.emulator]
PROJECT = DATA / "shapes"


def templates_of(tmp_path: Path, compose_file: str, architecture: str = "arm64") -> Path:
    """templates/v<version>/ of the compose file's import, as `ecs-templates build` writes them."""
    config = import_compose(PROJECT / compose_file, environ={}).config
    if architecture != "arm64":
        from dataclasses import replace
        config = replace(config, services=replace(config.services, architecture=architecture),
                         stacks=("ecr", "ecs-services"))
    built = build_all(config)
    version = json.loads(built["ecr"].to_json())["Metadata"]["EcsTemplates"]["Version"]
    directory = tmp_path / "templates" / f"v{version}"
    directory.mkdir(parents=True)
    for name, body in render_templates(built).items():
        (directory / name).write_bytes(body)
    return directory.parent


def builds(deployer: Deployer) -> list[dict[str, Any]]:
    return [call["build"] for call in deployer.docker_calls() if "build" in call]


def test_push_images_builds_derives_and_pushes_one_platform(deployer: Deployer, tmp_path: Path) -> None:
    env = deployer.env(ECS_TEMPLATES_DIR=str(templates_of(tmp_path, "built.yml")))
    deployer.ok("deploy.sh", "ecr", env=env)
    result = deployer.ok("push-images.sh", "--project", str(PROJECT), env=env)
    ecr = deployer.client("ecr")
    uris = {repo["repositoryName"]: repo["repositoryUri"] for repo in ecr.describe_repositories()["repositories"]}
    assert sorted(uris) == ["proxy", "web"]

    derived, web, web_derived = builds(deployer)  # repositories in order: proxy, web
    assert web == {"platform": "linux/arm64", "context": str(PROJECT / "app"),
                   "dockerfile": str(PROJECT / "app" / "Dockerfile"), "args": {"VERSION": "1.2"},
                   "target": "prod", "tag": f"{uris['web']}:latest", "load": True,
                   "dockerfile_text": (PROJECT / "app" / "Dockerfile").read_text(), "context_exists": True}
    # The proxy: nginx pulled for the platform, then FROM it plus the read-only project file.
    assert derived["platform"] == "linux/arm64" and derived["context"] == str(PROJECT)
    assert derived["tag"] == f"{uris['proxy']}:latest" and derived["load"] is True
    assert derived["dockerfile_text"] == 'FROM nginx:1.27\nCOPY ["nginx.conf", "/etc/nginx/nginx.conf"]\n'
    assert not Path(derived["dockerfile"]).exists()  # generated at push time, in a work directory gone since
    # The web: built, then FROM the built image with its compose stop_signal as STOPSIGNAL.
    assert web_derived["dockerfile_text"] == f"FROM {uris['web']}:latest\nSTOPSIGNAL SIGINT\n"
    assert web_derived["tag"] == f"{uris['web']}:latest" and web_derived["platform"] == "linux/arm64"

    pulls = [call["argv"] for call in deployer.docker_calls() if call["argv"][0] == "pull"]
    assert pulls == [["pull", "--platform", "linux/arm64", "nginx:1.27"]]  # the built image is not pulled
    pushes = [call for call in deployer.docker_calls() if call["argv"][0] == "push" and "--help" not in call["argv"]]
    assert [(call["argv"][-1], call["platform"]) for call in pushes] == [
        (f"{uris['proxy']}:latest", "linux/arm64"), (f"{uris['web']}:latest", "linux/arm64")]
    for repository in ("proxy", "web"):
        tags = [image.get("imageTag") for image in ecr.list_images(repositoryName=repository)["imageIds"]]
        assert tags == ["latest"]
        assert f"  {repository}:\n    latest\t" in result.stdout


def test_push_images_builds_for_the_stacks_architecture(deployer: Deployer, tmp_path: Path) -> None:
    env = deployer.env(ECS_TEMPLATES_DIR=str(templates_of(tmp_path, "built.yml", architecture="x86_64")))
    deployer.ok("deploy.sh", "ecr", env=env)
    deployer.ok("push-images.sh", "--project", str(PROJECT), env=env)
    assert {build["platform"] for build in builds(deployer)} == {"linux/amd64"}


def test_push_images_refuses_a_missing_build_context_before_pushing(deployer: Deployer, tmp_path: Path) -> None:
    env = deployer.env(ECS_TEMPLATES_DIR=str(templates_of(tmp_path, "built.yml")))
    deployer.ok("deploy.sh", "ecr", env=env)
    project = tmp_path / "project"
    shutil.copytree(PROJECT, project)
    shutil.rmtree(project / "app")
    result = deployer.run("push-images.sh", "--project", str(project), env=env)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"push-images.sh: error: the build context {project}/app of web does not exist: run push-images.sh in "
        "the project directory or give --project"]
    assert [call["argv"][:2] for call in deployer.docker_calls()
            if call["argv"][0] in ("push", "pull", "buildx", "login")] in ([], [["buildx", "version"]])
