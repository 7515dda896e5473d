"""`ecs-templates deploy|push-images|delete|url`: the bash scripts shipped in ecs_templates/scripts/.

The scripts are package data, so an installed package deploys as a clone does (a clone's
scripts/ is a link to the same directory). Each command hands its arguments, untouched, to
its script, which then becomes the process: same output, exit status, signals and terminal
(deploy and delete ask there before risky changes). Run this way, the scripts work on the
templates/ of the current directory, where `ecs-templates build` writes, unless
ECS_TEMPLATES_DIR names another.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Mapping, Sequence

from ecs_templates.errors import EcsTemplatesError

SCRIPTS_DIR = Path(__file__).resolve().parent / "scripts"
COMMANDS = {
    "deploy": "deploy.sh",
    "push-images": "push-images.sh",
    "delete": "delete.sh",
    "url": "url.sh",
}
NO_BASH = ("bash is not on PATH; the deploy commands are bash scripts: install bash "
           "(apt-get install bash, dnf install bash, brew install bash; on Windows, WSL)")


def script_path(command: str) -> Path:
    return SCRIPTS_DIR / COMMANDS[command]


def summary(command: str) -> str:
    """The script's own one-line description: the comment under its shebang line."""
    lines = script_path(command).read_text(encoding="utf-8").splitlines()
    text = lines[1].lstrip("# ").rstrip(".") if len(lines) > 1 and lines[1].startswith("#") else ""
    return text[:1].lower() + text[1:]


def script_environment(command: str, environ: Mapping[str, str], cwd: Path) -> dict[str, str]:
    """The script's environment: the caller's, plus the command's name for the script's messages,
    the templates/ of `cwd` unless ECS_TEMPLATES_DIR is set, and this installation's scripts
    directory at the end of PATH, so that an aws CLI (and python3) installed beside the package
    is found when PATH has none (as the Makefile does with .venv/bin)."""
    env = dict(environ)
    env["ECS_TEMPLATES_COMMAND"] = f"ecs-templates {command}"
    if not env.get("ECS_TEMPLATES_DIR"):
        env["ECS_TEMPLATES_DIR"] = str(cwd / "templates")
    installed = sysconfig.get_path("scripts")
    entries = [entry for entry in env.get("PATH", "").split(os.pathsep) if entry]
    if installed and installed not in entries:
        entries.append(installed)
    env["PATH"] = os.pathsep.join(entries)
    return env


def run_script(command: str, arguments: Sequence[str]) -> int:
    """Replaces this process with the command's script (returns only where exec is not POSIX)."""
    env = script_environment(command, os.environ, Path.cwd())
    bash = shutil.which("bash", path=env["PATH"])
    if bash is None:
        raise EcsTemplatesError(NO_BASH)
    argv = [bash, str(script_path(command)), *arguments]
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name != "posix":
        return subprocess.call(argv, env=env)
    try:
        os.execve(bash, argv, env)
    except OSError as error:
        raise EcsTemplatesError(f"cannot run {bash}: {error.strerror}") from error
