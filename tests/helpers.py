"""Shared helpers of the test modules: the command line in a subprocess and template look-ups.

Imported as `from helpers import ...` (setup.cfg puts tests/ on sys.path); tests/conftest.py
holds only fixtures and pytest hooks.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from ecs_templates.config import Config, parse_config

ROOT = Path(__file__).resolve().parent.parent


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


def name_parameter(template: dict[str, Any], value: Any) -> str:
    """A name that must come from a parameter (two copies of a stack in one account): its default."""
    assert isinstance(value, dict) and set(value) == {"Ref"}, f"{value!r} is a literal name, not a parameter"
    parameter = template["Parameters"][value["Ref"]]
    assert parameter["Type"] == "String" and parameter["AllowedPattern"]
    return parameter["Default"]


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
