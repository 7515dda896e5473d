"""The command line, run as a user runs it (a subprocess): outputs, exit codes, bad input."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecs_templates import __version__
from helpers import assert_build_refuses, run_cli

EXPECTED_FILES = {"ecr.json", "ecr.yaml", "ecs-ec2.json", "ecs-ec2.yaml", "ecs-fargate.json", "ecs-fargate.yaml",
                  "manifest.json"}


def test_build_writes_a_validated_version_directory(tmp_path: Path):
    result = run_cli("build", "--output", str(tmp_path), check=True)
    directory = tmp_path / f"v{__version__}"
    assert EXPECTED_FILES <= {p.name for p in directory.iterdir()}
    assert "written" in result.stdout
    manifest = json.loads((directory / "manifest.json").read_text())
    assert manifest["validation"]["status"] == "passed" and manifest["validation"]["findings"] == 0
    again = run_cli("build", "--output", str(tmp_path), check=True)
    assert "unchanged" in again.stdout


def test_build_with_config_file(tmp_path: Path):
    config = tmp_path / "app.yaml"
    config.write_text("ec2:\n  capacity:\n    instance_type: t4g.large\n")
    run_cli("build", "--config", str(config), "--output", str(tmp_path / "out"), "--no-lint", check=True)
    template = json.loads((tmp_path / "out" / f"v{__version__}" / "ecs-ec2.json").read_text())
    assert template["Parameters"]["InstanceType"]["Default"] == "t4g.large"
    manifest = json.loads((tmp_path / "out" / f"v{__version__}" / "manifest.json").read_text())
    assert manifest["validation"]["status"] == "skipped (--no-lint)"


@pytest.mark.parametrize("config_text, fragment", [
    ("ec2:\n  capacity:\n    instance_type: t2.medium\n", "ec2.capacity.instance_type: t2.medium is an x86_64"),
    ("- just\n- a list\n", "must hold a mapping"),
    ("ec2: {capacity: [", "is not valid YAML"),
    ("colour: blue\n", "colour: unknown key"),
])
def test_bad_config_is_one_clear_message_and_nothing_written(tmp_path: Path, config_text, fragment):
    assert_build_refuses(tmp_path, config_text, fragment)


def test_binary_config(tmp_path: Path):
    config = tmp_path / "app.yaml"
    config.write_bytes(bytes(range(256)))
    result = run_cli("build", "--config", str(config), "--output", str(tmp_path / "out"))
    assert result.returncode == 1 and "not UTF-8 text" in result.stderr and "Traceback" not in result.stderr


def test_missing_config(tmp_path: Path):
    result = run_cli("build", "--config", str(tmp_path / "nope.yaml"), "--output", str(tmp_path / "out"))
    assert result.returncode == 1 and "does not exist" in result.stderr


def test_output_under_a_file(tmp_path: Path):
    blocker = tmp_path / "blocker"
    blocker.write_text("precious")
    result = run_cli("build", "--output", str(blocker / "templates"), "--no-lint")
    assert result.returncode == 1 and "is a file, not a directory" in result.stderr
    assert blocker.read_text() == "precious"


def test_released_version_not_overwritten(tmp_path: Path):
    """A changed build into an existing released directory stops, and the directory is intact."""
    directory = tmp_path / f"v{__version__}"
    run_cli("build", "--output", str(tmp_path), "--no-lint", check=True)
    tampered = (directory / "ecr.json").read_bytes() + b" "
    (directory / "ecr.json").write_bytes(tampered)
    result = run_cli("build", "--output", str(tmp_path), "--no-lint")
    if ".dev" in __version__:
        assert result.returncode == 0 and (directory / "ecr.json").read_bytes() != tampered
    else:
        assert result.returncode == 1 and "bump __version__" in result.stderr
        assert (directory / "ecr.json").read_bytes() == tampered


def test_lint_reports_file_line_rule(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Bucket:\n"
                   "    Type: AWS::S3::Bucket\n    Properties:\n      BucketNme: x\n")
    result = run_cli("lint", str(bad))
    assert result.returncode == 1
    assert f"{bad}:6:" in result.stdout and "E3002" in result.stdout


def test_lint_clean_template(tmp_path: Path):
    run_cli("build", "--output", str(tmp_path), check=True)
    result = run_cli("lint", str(tmp_path / f"v{__version__}"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("content", [b"Resources: [unclosed", b"\xff\xfe\x00garbage"])
def test_lint_unparsable_template(tmp_path: Path, content: bytes):
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    result = run_cli("lint", str(bad))
    assert result.returncode == 1 and "E0000" in result.stdout and "Traceback" not in result.stderr


def test_lint_missing_file(tmp_path: Path):
    result = run_cli("lint", str(tmp_path / "missing.json"))
    assert result.returncode == 1 and "does not exist" in result.stderr and "Traceback" not in result.stderr


def test_unknown_subcommand():
    result = run_cli("deploy-everything")
    assert result.returncode == 2
    assert "invalid choice: 'deploy-everything'" in result.stderr and "Traceback" not in result.stderr


def test_version_flag():
    assert run_cli("--version", check=True).stdout.strip() == f"ecs-templates {__version__}"
