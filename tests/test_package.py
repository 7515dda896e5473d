"""The package as pip installs it deploys too: `ecs-templates deploy|push-images|delete|url`
run the bash scripts shipped inside it (ecs_templates/scripts/, which the repository's
scripts/ links to).

The wheel test builds the package from a copy of the working tree, installs it into a fresh
virtual environment outside the repository and deploys from an empty directory with the real
AWS CLI against moto's server. It stays off the network: the wheel is built with this
environment's setuptools (no build isolation), installed without dependencies from that file
only, and the fresh environment finds the dependencies (troposphere, awacs, cfn-lint, PyYAML)
in this environment's site-packages through a .pth file. So it checks what the wheel holds
and that the installed command and scripts work, not that pip resolves the dependencies.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import NamedTuple

import pytest

from ecs_templates import __version__
from ecs_templates.deploy_commands import COMMANDS, NO_BASH
from emulator import ROOT, SCRIPTS, VENV_BIN, Deployer

# What a wheel is built from; the rest of the repository stays behind.
PACKAGE_SOURCES = ("setup.cfg", "pyproject.toml", "README.md", "ecs_templates")


def clean_env(**overrides: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("AWS_", "ECS_TEMPLATES_", "STACK_PREFIX", "DEPLOY_"))}
    env.update(overrides)
    return env


def run(argv: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=600)


def as_command(text: str, command: str) -> str:
    """A script's output with its own name (not a path to it) as the command's."""
    return re.sub(rf"(?<![\w/.-]){re.escape(COMMANDS[command])}", f"ecs-templates {command}", text)


# --- the commands, from this environment ---------------------------------------------------------

PASSED_THROUGH = [
    ["deploy", "--help"],
    ["push-images", "-h"],
    ["delete", "--help"],
    ["url", "--help"],
    ["deploy"],
    ["deploy", "nope"],
    ["deploy", "--version", "9.9.9", "ecr"],  # the root parser's --version is not involved
    ["deploy", "ecr", "--param", "Bogus=1"],
    ["deploy", "ecr", "--frobnicate"],
    ["delete", "ecr"],
    ["url"],
    ["push-images", "--tag", "bad tag"],
]


@pytest.mark.parametrize("arguments", PASSED_THROUGH, ids=" ".join)
def test_a_command_is_its_script_with_the_same_arguments_output_and_exit_status(arguments: list[str]) -> None:
    command, *rest = arguments
    env = clean_env()
    direct = run(["bash", str(SCRIPTS / COMMANDS[command]), *rest], ROOT, env)
    through = run([sys.executable, "-m", "ecs_templates", command, *rest], ROOT, env)
    assert (through.returncode, through.stdout, through.stderr) == \
        (direct.returncode, as_command(direct.stdout, command), as_command(direct.stderr, command))
    assert direct.stdout or direct.stderr
    if "--help" in rest or "-h" in rest:
        assert through.returncode == 0 and through.stdout.startswith(f"Usage: ecs-templates {command}")
    else:
        assert through.returncode == 2 and through.stderr.startswith(f"ecs-templates {command}: error: ")


def test_the_commands_are_listed_with_what_their_scripts_say_they_do() -> None:
    result = run([sys.executable, "-m", "ecs_templates", "--help"], ROOT, clean_env())
    assert result.returncode == 0
    listed = " ".join(result.stdout.split())
    for command, script in COMMANDS.items():
        summary = (SCRIPTS / script).read_text().splitlines()[1].lstrip("# ").rstrip(".")
        assert f"{command} {summary[0].lower()}{summary[1:]}" in listed


def test_outside_a_clone_the_commands_work_on_the_current_directory_or_ecs_templates_dir(tmp_path: Path) -> None:
    nothing = run([sys.executable, "-m", "ecs_templates", "deploy", "ecr"], tmp_path, clean_env())
    assert nothing.returncode == 1
    assert nothing.stderr == (f"ecs-templates deploy: error: no templates directory {tmp_path / 'templates'}: "
                              "run 'ecs-templates build' (in a clone: make templates)\n")

    named = run([sys.executable, "-m", "ecs_templates", "deploy", "ecr", "--param", "Bogus=1"], tmp_path,
                clean_env(ECS_TEMPLATES_DIR=str(ROOT / "templates")))
    assert named.returncode == 2
    assert "unknown parameter Bogus for stack ecr" in named.stderr


def test_missing_bash_is_one_line_with_how_to_install_it(tmp_path: Path) -> None:
    result = run([sys.executable, "-m", "ecs_templates", "url", "ecr"], tmp_path, clean_env(PATH=str(tmp_path)))
    assert result.returncode == 1
    assert result.stderr == f"ecs-templates: error: {NO_BASH}\n"
    assert "install bash" in NO_BASH and result.stdout == ""


# --- the wheel, installed outside the repository, against the emulator -------------------------

class Installed(NamedTuple):
    bin: Path  # of the fresh virtual environment
    package: Path  # ecs_templates/ in its site-packages


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """A fresh virtual environment outside the repository, holding the wheel of the working tree."""
    work = tmp_path_factory.mktemp("package")
    source = work / "source"
    source.mkdir()
    for name in PACKAGE_SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    built = run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(work / "wheels"),
                 str(source)], work, clean_env())
    assert built.returncode == 0, built.stdout + built.stderr
    wheel = work / "wheels" / f"ecs_templates-{__version__}-py3-none-any.whl"
    assert wheel.is_file(), sorted(path.name for path in (work / "wheels").iterdir())

    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          capture_output=True, text=True, check=True, timeout=60).stdout.strip()
    ours = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    Path(site, "dependencies-from-the-test-environment.pth").write_text("".join(f"{path}\n" for path in sorted(ours)))
    done = run([*pip, "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)], work, clean_env())
    assert done.returncode == 0, done.stdout + done.stderr
    where = run([str(python), "-c", "import ecs_templates; print(ecs_templates.__file__)"], work, clean_env())
    package = Path(where.stdout.strip()).parent
    assert package == Path(site) / "ecs_templates", where.stdout + where.stderr
    return Installed(venv / "bin", package)


@pytest.mark.emulator
def test_an_installed_wheel_builds_deploys_and_deletes_from_an_empty_directory(
        installed: Installed, deployer: Deployer, tmp_path: Path) -> None:
    app = tmp_path / "my-app"
    app.mkdir()
    tools = tmp_path / "tools"
    tools.mkdir()
    # PATH as a user's: no aws, no ecs-templates and no Python of this environment, then an aws CLI.
    system = [entry for entry in os.environ.get("PATH", "").split(os.pathsep)
              if entry and not any((Path(entry) / name).exists() for name in ("aws", "ecs-templates"))
              and Path(entry).resolve() != VENV_BIN.resolve()]
    without_aws = deployer.env(PATH=os.pathsep.join(system))
    env = deployer.env(PATH=os.pathsep.join([str(tools), *system]))
    ecs_templates = str(installed.bin / "ecs-templates")

    built = run([ecs_templates, "build"], app, env)
    assert built.returncode == 0, built.stdout + built.stderr
    assert built.stdout.startswith(f"templates/v{__version__}: written (")
    assert (app / "templates" / f"v{__version__}" / "ecr.json").is_file()

    no_aws = run([ecs_templates, "deploy", "ecr", "--yes"], app, without_aws)
    assert no_aws.returncode == 1
    assert no_aws.stderr.startswith("ecs-templates deploy: error: the aws CLI is not on PATH: install it (pip install awscli")
    assert len(no_aws.stderr.splitlines()) == 1
    assert deployer.live_stacks() == []

    (tools / "aws").symlink_to(VENV_BIN / "aws")
    deployed = run([ecs_templates, "deploy", "ecr", "--yes"], app, env)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    assert f"Stack wordpress-ecr (us-east-1) from templates/v{__version__}/ecr.json" in deployed.stdout
    assert deployer.stack("wordpress-ecr")["StackStatus"] == "CREATE_COMPLETE"
    repositories = deployer.client("ecr").describe_repositories()["repositories"]
    assert repositories, "the ecr stack creates its repositories"

    deleted = run([ecs_templates, "delete", "ecr", "--yes"], app, env)
    assert deleted.returncode == 0, deleted.stdout + deleted.stderr
    assert deployer.stack("wordpress-ecr") is None

    helped = run([ecs_templates, "url", "--help"], app, env)
    own = run(["bash", str(SCRIPTS / "url.sh"), "--help"], ROOT, env)
    assert helped.returncode == own.returncode == 0
    assert helped.stdout == as_command(own.stdout, "url")
    assert helped.stdout.startswith("Usage: ecs-templates url STACK")

    # The shipped scripts also run by their path, on the templates/ of the current directory.
    shipped = installed.package / "scripts"
    assert (shipped / "url.sh").is_file() and (shipped / "lib" / "cfn_helper.py").is_file()
    direct = run(["bash", str(shipped / "url.sh"), "nope"], app, env)
    assert direct.returncode == 2
    assert re.match(rf"url\.sh: error: unknown stack 'nope': templates/v{re.escape(__version__)} has .*\becr\b",
                    direct.stderr), direct.stderr
    elsewhere = run(["bash", str(shipped / "url.sh"), "ecr"], tmp_path, env)
    assert elsewhere.returncode == 1
    assert elsewhere.stderr.startswith(f"url.sh: error: no templates directory {tmp_path / 'templates'}: ")
