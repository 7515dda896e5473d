"""Helpers for the docker-compose import tests."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ecs_templates.builders.template import new_template
from ecs_templates.config import Config
from ecs_templates.importers.compose import ImportResult, import_compose
from ecs_templates.stacks.common import add_application_task

DATA = Path(__file__).parent / "data" / "compose"


def import_text(tmp_path: Path, text: str, *, environ: dict[str, str] | None = None,
                lenient: bool = False, name: str = "docker-compose.yml") -> ImportResult:
    path = tmp_path / name
    path.write_text(text)
    return import_compose(path, environ=environ or {}, lenient=lenient)


def container_definitions(config: Config, network_mode: str) -> dict[str, dict[str, Any]]:
    """The task's container definitions rendered for one network mode, by container name."""
    template = new_template("test", "container definitions")
    add_application_task(template, config, family="t", network_mode=network_mode,
                         compatibility="FARGATE" if network_mode == "awsvpc" else "EC2",
                         cpu=1024, memory=2048, architecture="arm64")
    task = json.loads(template.to_json())["Resources"]["TaskDefinition"]["Properties"]
    return {definition["Name"]: definition for definition in task["ContainerDefinitions"]}


def environment(definition: dict[str, Any]) -> dict[str, str]:
    return {item["Name"]: item["Value"] for item in definition.get("Environment", [])}


def warnings_text(result: ImportResult) -> str:
    return "\n".join(map(str, result.warnings))
