"""Fixtures and pytest hooks only; the helpers test modules import are in tests/helpers.py."""
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

import pytest

from ecs_templates.config import Config, load_config
from ecs_templates.stacks import build_all
from ecs_templates.validation import Validator

if TYPE_CHECKING:
    from emulator import Deployer, Emulator


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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that runs checkov (through the `checkov` fixture) so `make test-fast` can leave it out."""
    for item in items:
        if "checkov" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.checkov)
