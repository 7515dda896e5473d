from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

import pytest

from ecs_templates.config import Config, load_config, parse_config
from ecs_templates.stacks import build_all
from ecs_templates.validation import Validator

if TYPE_CHECKING:
    from emulator import Deployer, Emulator

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def default_config() -> Config:
    return load_config()


@pytest.fixture(scope="session")
def default_templates(default_config: Config) -> dict[str, dict[str, Any]]:
    """Each stack of the embedded default, as the plain dict CloudFormation receives."""
    return {name: json.loads(template.to_json()) for name, template in build_all(default_config).items()}


@pytest.fixture(scope="session")
def validator() -> Validator:
    return Validator()


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    """moto's server on 127.0.0.1, for the emulator tests (imported here only when one runs)."""
    from emulator import Emulator

    server = Emulator()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def deployer(emulator: Emulator, tmp_path: Path) -> Deployer:
    """Runs the deploy scripts against an emptied emulator, with a stand-in docker on PATH."""
    from emulator import Deployer

    emulator.reset()
    deployer = Deployer(emulator.url, tmp_path)
    deployer.install_standin_docker()
    return deployer


def config_with(overrides: dict[str, Any]) -> Config:
    return parse_config(overrides)


def run_cli(*args: str, cwd: Path | None = None, check: bool = False) -> subprocess.CompletedProcess[str]:
    """The real command line in a subprocess, as a user runs it."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-m", "ecs_templates", *args], cwd=cwd or ROOT,
                            capture_output=True, text=True, env=env, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"ecs-templates {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def resources_of_type(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {name: resource for name, resource in template["Resources"].items()
            if resource["Type"] == resource_type}


def one_resource(template: dict[str, Any], resource_type: str) -> dict[str, Any]:
    found = resources_of_type(template, resource_type)
    assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
    return next(iter(found.values()))


def assert_build_refuses(tmp_path: Path, config_text: str, fragment: str) -> None:
    """`build --config` with this YAML fails with one clear line containing `fragment`, and writes nothing."""
    config = tmp_path / "app.yaml"
    config.write_text(config_text)
    out = tmp_path / "out"
    result = run_cli("build", "--config", str(config), "--output", str(out))
    assert result.returncode == 1
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that runs checkov (through the `checkov` fixture) so `make test-fast` can leave it out."""
    for item in items:
        if "checkov" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.checkov)


def name_parameter(template: dict[str, Any], value: Any) -> str:
    """A name that must come from a parameter (two copies of a stack in one account): its default."""
    assert isinstance(value, dict) and set(value) == {"Ref"}, f"{value!r} is a literal name, not a parameter"
    parameter = template["Parameters"][value["Ref"]]
    assert parameter["Type"] == "String" and parameter["AllowedPattern"]
    return parameter["Default"]
