"""The Python API: describe or load an application, get its troposphere Templates, write the artifacts.

    from ecs_templates import Application, Container, PortMapping, build_templates, load_config, write_artifacts

Every name here is typed and stable; the command line is built on the same functions.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, Mapping

from troposphere import Template

from ecs_templates.artifacts import WriteResult, write_version
from ecs_templates.build import files_of
from ecs_templates.config.loader import load_config, parse_config
from ecs_templates.config.model import Config
from ecs_templates.config.topology import Topology, topology
from ecs_templates.errors import ConfigError
from ecs_templates.stacks import build_all

__all__ = ["BuildFailed", "build_templates", "configure", "load_config", "parse_config", "topology",
           "write_artifacts", "Topology"]


class BuildFailed(Exception):
    """cfn-lint found problems in the templates; nothing was written. `findings` lists them."""

    def __init__(self, findings: list[Any]) -> None:
        super().__init__(f"cfn-lint found {len(findings)} problem(s): " + "; ".join(map(str, findings[:3])))
        self.findings = findings


def configure(application: Any, **sections: Any) -> Config:
    """A Config around an Application built in Python: the embedded default's other settings, `sections` replaced.

    `sections` are Config fields (`stacks=("ecr", "ecs-services")`, `services=ServicesDeployment(...)`).
    """
    base = parse_config({"application": {"extends": "none", "name": application.name, "containers": {
        container.name: {"image": container.image} for container in application.containers}}})
    return replace(base, application=application, **sections)


def build_templates(config: Config) -> dict[str, Template]:
    """Every stack the config asks for (config.stacks), as troposphere Templates to extend or render."""
    return build_all(config)


def write_artifacts(templates: Mapping[str, Template], output: Path | str, *, validate: bool = True) -> WriteResult:
    """Render, validate (cfn-lint), document and write `templates` as templates/v<version>/ under `output`.

    Refuses, writing nothing, when cfn-lint finds a problem (BuildFailed) or when the version
    directory is a released one with other bytes.
    """
    result = files_of(templates, validate=validate)
    if result.findings:
        raise BuildFailed(result.findings)
    return write_version(Path(output), result.files)


# ConfigError is part of the API: every bad input raises it, naming the field (`.field`) and the fix.
__all__ += ["ConfigError"]
