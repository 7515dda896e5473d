"""Read YAML configuration into the frozen model: the embedded default, then the user's file.

Mappings merge key by key onto the default (so `ec2: {capacity: {max_size: 3}}` changes
one value); a key set to null goes back to its built-in default or, for a container or
secret, removes it. `application: {extends: none}` starts the application from nothing,
for a set of containers that has nothing to do with WordPress.
"""
from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any, Mapping

import yaml

from ecs_templates.config.application import Application
from ecs_templates.config.application_loader import parse_application
from ecs_templates.config.deployments import Ec2Deployment, FargateDeployment, LogSettings, RegistrySettings
from ecs_templates.config.fields import check_keys, expect_mapping, get_str, join, type_name
from ecs_templates.config.model import DEFAULT_STACKS, STACK_NAMES, Config
from ecs_templates.config.services import ServiceSettings, ServicesDeployment
from ecs_templates.config.settings import read_settings
from ecs_templates.errors import ConfigError


# The embedded default ships as a plain file next to this module (package_data in setup.cfg).
DEFAULT_FILE = Path(__file__).with_name("default.yaml")
# libyaml's parser when PyYAML has it: the same data as the pure-Python one, several times faster.
# Only for the shipped default; user files keep PyYAML's own error messages (read_yaml_file).
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def default_data() -> dict[str, Any]:
    """The embedded default (the seed's WordPress + MariaDB) as plain data."""
    return yaml.load(DEFAULT_FILE.read_text("utf-8"), Loader=_FAST_LOADER)


def read_yaml_file(path: Path, what: str = "config file", loader: type[yaml.SafeLoader] = yaml.SafeLoader) -> Any:
    """Parse a YAML file, turning every way it can be unreadable into one clear error."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError("", f"{what} {path} does not exist; check the path") from None
    except IsADirectoryError:
        raise ConfigError("", f"{what} {path} is a directory; give a YAML file") from None
    except OSError as error:
        raise ConfigError("", f"cannot read {what} {path}: {error.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError("", f"{what} {path} is not UTF-8 text (binary file?); give a YAML file") from None
    if "\x00" in text:
        raise ConfigError("", f"{what} {path} contains NUL bytes (binary file?); give a YAML file")
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader (or a subclass of it)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ConfigError("", f"{what} {path} is not valid YAML{where}: {problem}") from None


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """The embedded default, overridden by the YAML file at `path` when one is given."""
    if path is None:
        return parse_config({})
    path = Path(path)
    data = read_yaml_file(path)
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise ConfigError("", f"config file {path} must hold a mapping at the top level "
                              f"(application:, ec2:, ...), got {type_name(data)}")
    try:
        return parse_config(data)
    except ConfigError as error:
        raise ConfigError(error.field, f"{error.message} (in {path})") from None


def merge(base: Any, override: Any) -> Any:
    """Deep-merge `override` onto `base`: mappings key by key, null removes, anything else replaces."""
    if isinstance(base, Mapping) and isinstance(override, Mapping):
        merged = dict(base)
        for key, value in override.items():
            if value is None:
                merged.pop(key, None)
            elif key in merged:
                merged[key] = merge(merged[key], value)
            else:
                merged[key] = value
        return merged
    return override


TOP_LEVEL_KEYS = ("application", "ec2", "fargate", "registry", "logs", "services", "stacks")


def parse_config(overrides: Mapping[str, Any]) -> Config:
    """Build the validated Config from user overrides (already parsed YAML)."""
    overrides = expect_mapping(overrides, "")
    check_keys(overrides, TOP_LEVEL_KEYS, "")
    base = default_data()
    application = overrides.get("application")
    if isinstance(application, Mapping) and "extends" in application:
        extends = get_str(application, "extends", "application", choices=("default", "none"))
        if extends == "none":
            # Nothing of the default application stays: its containers, nor its services' settings and stacks.
            base["application"] = {}
            base.pop("stacks", None)
            base.get("services", {}).pop("tasks", None)
        overrides = dict(overrides, application={k: v for k, v in application.items() if k != "extends"})
    data = merge(base, overrides)
    app = parse_application(expect_mapping(data.get("application", {}), "application"))
    ec2 = parse_ec2(expect_mapping(data.get("ec2", {}), "ec2"), app)
    return Config(
        application=app,
        ec2=ec2,
        registry=parse_registry(expect_mapping(data.get("registry", {}), "registry")),
        logs=parse_logs(expect_mapping(data.get("logs", {}), "logs")),
        fargate=parse_fargate(expect_mapping(data.get("fargate", {}), "fargate"), app),
        services=parse_services(data.get("services"), app),
        stacks=parse_stacks(data.get("stacks")),
    )


def parse_ec2(data: Mapping[str, Any], app: Application) -> Ec2Deployment:
    return read_settings(Ec2Deployment, data, "ec2", app_name=app.name)


def parse_fargate(data: Mapping[str, Any], app: Application) -> FargateDeployment:
    return read_settings(FargateDeployment, data, "fargate", app_name=app.name)


def parse_registry(data: Mapping[str, Any]) -> RegistrySettings:
    return read_settings(RegistrySettings, data, "registry")


def parse_logs(data: Mapping[str, Any]) -> LogSettings:
    return read_settings(LogSettings, data, "logs")


def parse_services(data: Any, app: Application) -> ServicesDeployment:
    """The `services:` section; `tasks.<service>` are read onto `defaults`, setting by setting."""
    path = "services"
    data = expect_mapping(data or {}, path)
    tasks_path = join(path, "tasks")
    tasks = expect_mapping(data.get("tasks") or {}, tasks_path)
    defaults = read_settings(ServiceSettings, data.get("defaults"), join(path, "defaults"))
    per_service = tuple((name, read_settings(ServiceSettings, tasks[name], join(tasks_path, name), base=defaults))
                        for name in sorted(tasks))
    return replace(read_settings(ServicesDeployment, data, path, app_name=app.name, skip=("tasks",)),
                   tasks=per_service)


def parse_stacks(data: Any) -> tuple[str, ...]:
    if data is None:
        return DEFAULT_STACKS
    if not isinstance(data, list) or not all(isinstance(item, str) for item in data):
        raise ConfigError("stacks", f"expected a list of stack names ({', '.join(STACK_NAMES)}), "
                                    f"got {type_name(data)}")
    return tuple(data)
