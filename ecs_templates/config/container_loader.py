"""Read the container keys of `config/container_options.py`: build, copies, host_mounts, linux."""
from __future__ import annotations

from typing import Any, Mapping

from ecs_templates.config.container_options import (
    STOP_SIGNAL_PATTERN,
    Build,
    Device,
    FileCopy,
    HostMount,
    LinuxOptions,
    Tmpfs,
    Ulimit,
)
from ecs_templates.config.fields import (
    check_keys,
    expect_mapping,
    get_bool,
    get_int,
    get_list,
    get_scalar_mapping,
    get_str,
    get_str_list,
    join,
)
from ecs_templates.errors import ConfigError

# The keys of application.containers.<name> read here, with their one-line descriptions.
OPTION_KEYS = {
    "build": "{context, dockerfile, args, target}: push-images builds the image (paths relative to the project)",
    "copies": "list of {source, path}: project files copied into a derived image that push-images builds",
    "host_mounts": "list of {source, path, read_only}: paths of the container instance (EC2 only)",
    "linux": "{cap_add, cap_drop, sysctls, ulimits, shm_size, init, privileged, tmpfs, devices, host_network}",
    "interactive": "keep its standard input open (ECS interactive, compose stdin_open)",
    "pseudo_terminal": "give it a terminal (ECS pseudoTerminal, compose tty)",
    "stop_signal": "the signal ECS stops the container with (SIGINT, SIGQUIT, ...): the STOPSIGNAL of a "
                   "derived image that push-images builds",
}


def _relative(value: str, path: str) -> str:
    if value.startswith(("/", "~")):
        raise ConfigError(path, f"{value!r} must be relative to the project (the config file's directory)")
    return value


def parse_build(data: Any, path: str) -> Build | None:
    if data is None:
        return None
    data = expect_mapping(data, path)
    check_keys(data, ("context", "dockerfile", "args", "target"), path)
    return Build(context=_relative(get_str(data, "context", path, default=".") or ".", join(path, "context")),
                 dockerfile=_relative(get_str(data, "dockerfile", path, default="Dockerfile"),
                                      join(path, "dockerfile")),
                 args=get_scalar_mapping(data, "args", path),
                 target=get_str(data, "target", path, default=None))


def parse_copies(data: Mapping[str, Any], path: str) -> tuple[FileCopy, ...]:
    copies = []
    for index, item in enumerate(get_list(data, "copies", path)):
        item_path = join(join(path, "copies"), index)
        item = expect_mapping(item, item_path)
        check_keys(item, ("source", "path"), item_path)
        target = get_str(item, "path", item_path)
        if not target.startswith("/"):
            raise ConfigError(join(item_path, "path"), f"{target!r} must be an absolute path")
        copies.append(FileCopy(source=_relative(get_str(item, "source", item_path), join(item_path, "source")),
                               path=target))
    return tuple(copies)


def parse_host_mounts(data: Mapping[str, Any], path: str) -> tuple[HostMount, ...]:
    mounts = []
    for index, item in enumerate(get_list(data, "host_mounts", path)):
        item_path = join(join(path, "host_mounts"), index)
        item = expect_mapping(item, item_path)
        check_keys(item, ("source", "path", "read_only"), item_path)
        mount = HostMount(source=get_str(item, "source", item_path), path=get_str(item, "path", item_path),
                          read_only=get_bool(item, "read_only", item_path, default=False))
        for key, value in (("source", mount.source), ("path", mount.path)):
            if not value.startswith("/"):
                raise ConfigError(join(item_path, key), f"{value!r} must be an absolute path")
        mounts.append(mount)
    return tuple(mounts)


def parse_linux(data: Any, path: str) -> LinuxOptions | None:
    if data is None:
        return None
    data = expect_mapping(data, path)
    check_keys(data, ("cap_add", "cap_drop", "sysctls", "ulimits", "shm_size", "init", "privileged", "tmpfs",
                      "devices", "host_network"), path)
    ulimits = expect_mapping(data.get("ulimits") or {}, join(path, "ulimits"))
    options = LinuxOptions(
        cap_add=get_str_list(data, "cap_add", path),
        cap_drop=get_str_list(data, "cap_drop", path),
        sysctls=get_scalar_mapping(data, "sysctls", path),
        ulimits=tuple(_ulimit(name, ulimits[name], join(join(path, "ulimits"), name)) for name in sorted(ulimits)),
        shm_size=get_int(data, "shm_size", path, default=None, minimum=1, maximum=1048576),
        init=get_bool(data, "init", path, default=False) if "init" in data else None,
        privileged=get_bool(data, "privileged", path, default=False),
        tmpfs=tuple(_tmpfs(item, join(join(path, "tmpfs"), index))
                    for index, item in enumerate(get_list(data, "tmpfs", path))),
        devices=tuple(_device(item, join(join(path, "devices"), index))
                      for index, item in enumerate(get_list(data, "devices", path))),
        host_network=get_bool(data, "host_network", path, default=False),
    )
    options.check(path)
    return options


def _ulimit(name: str, data: Any, path: str) -> Ulimit:
    data = expect_mapping(data, path)
    check_keys(data, ("soft", "hard"), path)
    return Ulimit(name=name, soft=get_int(data, "soft", path, minimum=-1),
                  hard=get_int(data, "hard", path, minimum=-1))


def _tmpfs(data: Any, path: str) -> Tmpfs:
    data = expect_mapping(data, path)
    check_keys(data, ("path", "size"), path)
    return Tmpfs(path=get_str(data, "path", path), size=get_int(data, "size", path, minimum=1))


def _device(data: Any, path: str) -> Device:
    data = expect_mapping(data, path)
    check_keys(data, ("host_path", "container_path", "permissions"), path)
    permissions = get_str_list(data, "permissions", path)
    for permission in permissions:
        if permission not in ("read", "write", "mknod"):
            raise ConfigError(join(path, "permissions"), f"{permission!r} is not read, write or mknod")
    return Device(host_path=get_str(data, "host_path", path),
                  container_path=get_str(data, "container_path", path, default=None) or get_str(data, "host_path", path),
                  permissions=permissions)


def container_options(data: Mapping[str, Any], path: str) -> dict[str, Any]:
    """The Container keyword arguments of these keys."""
    return {"build": parse_build(data.get("build"), join(path, "build")),
            "copies": parse_copies(data, path),
            "host_mounts": parse_host_mounts(data, path),
            "linux": parse_linux(data.get("linux"), join(path, "linux")),
            "stop_signal": parse_stop_signal(data, path),
            "interactive": get_bool(data, "interactive", path, default=False),
            "pseudo_terminal": get_bool(data, "pseudo_terminal", path, default=False)}


def parse_stop_signal(data: Mapping[str, Any], path: str) -> str | None:
    """ECS sends the image's stop signal (docker stop), and a task definition cannot set one:
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_StopTask.html ("This signal can
    be defined in your container image with the STOPSIGNAL instruction")."""
    signal = get_str(data, "stop_signal", path, default=None)
    if signal is not None and not STOP_SIGNAL_PATTERN.match(signal):
        raise ConfigError(join(path, "stop_signal"), f"{signal!r} is not a signal: give a name such as SIGINT "
                                                     "or SIGQUIT, or a number")
    return signal
