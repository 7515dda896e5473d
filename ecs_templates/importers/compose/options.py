"""Compose keys that change how the image is made or how the container runs on its host:
`build:`, bind mounts, and the Linux parameters (cap_add, sysctls, ulimits, ...).

They become the container keys of `config/container_options.py`; which launch type takes
which is decided there (`check_launch_type`), and `needs_ec2` tells the import when the
application can only run on EC2.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ecs_templates.config.container_options import fargate_refusals
from ecs_templates.config.fields import type_name
from ecs_templates.config.model import Config
from ecs_templates.importers.compose import values
from ecs_templates.importers.compose.keys import FLAG_VALUES, is_secret_name
from ecs_templates.importers.compose.report import Report

BUILD_KEYS = ("context", "dockerfile", "args", "target")
# Build keys that change only how the build is cached or labelled, not the image's behaviour.
BUILD_NOTED = ("cache_from", "cache_to", "labels", "no_cache", "pull", "tags", "network", "extra_hosts")
LINUX_KEYS = ("cap_add", "cap_drop", "sysctls", "ulimits", "shm_size", "init", "privileged", "tmpfs", "devices")
# The home of the ECS-optimized AMI's login user, for `~` in a host path.
INSTANCE_HOME = "/home/ec2-user"
DEFAULT_TMPFS_MIB = 64
DEVICE_PERMISSIONS = {"r": "read", "w": "write", "m": "mknod"}


def read_build(reader: Any) -> None:
    """`build:` (a context, or {context, dockerfile, args, target}): checked against the files."""
    raw = reader.resolved("build")
    spec = {"context": raw} if isinstance(raw, str) else raw
    if not isinstance(spec, dict):
        raise reader.error("build", f"expected a context directory or a mapping, got {type_name(raw)}")
    for key in sorted(spec):
        if key in BUILD_NOTED:
            reader.warn(f"build.{key}", "changes how the image is built, not what it does; not imported")
        elif key not in BUILD_KEYS:
            reader.report.unsupported(reader.service, f"build.{key}", "has no meaning for push-images' build "
                                      "(docker buildx build with context, dockerfile, args and target)")
    project: Path = reader.context.directory
    context = project / str(spec.get("context") or ".")
    if not context.is_dir():
        raise reader.error("build.context", f"{context} does not exist or is not a directory; give the "
                                            "directory that holds the Dockerfile")
    dockerfile = str(spec.get("dockerfile") or "Dockerfile")
    if not (context / dockerfile).is_file():
        raise reader.error("build.dockerfile", f"{context / dockerfile} does not exist; give the Dockerfile's "
                                               "path inside the context (build.dockerfile)")
    build: dict[str, Any] = {"context": os.path.relpath(context, project), "dockerfile": dockerfile}
    args = {}
    for name, value in reader.convert("build.args", values.key_values, spec.get("args"), "build args"):
        value = reader.context.variables.get(name) if value is None else value
        if is_secret_name(name) and value not in (None, *FLAG_VALUES):
            raise reader.error(f"build.args.{name}", "looks like a secret, and build args are written into the "
                                                     "ecr template's metadata and the image's history: give the "
                                                     "build a BuildKit secret outside push-images, or remove it")
        if value is not None:
            args[name] = value
    if args:
        build["args"] = dict(sorted(args.items()))
    if spec.get("target"):
        build["target"] = str(spec["target"])
    reader.draft.data["build"] = build


def bind_mount(reader: Any, key: str, source: str, target: str, read_only: bool) -> dict[str, Any] | None:
    """A bind mount: a host volume (absolute or ~ path), a copied project file, or a dropped overlay.

    Returns a host mount for `host_mounts`; project files go into the draft's `copies`.
    """
    if source.startswith(("/", "~")):
        host = INSTANCE_HOME + source[1:] if source.startswith("~") else source
        if host != source:
            reader.warn(key, f"{source} is {host} on the container instance (the ECS-optimized AMI's ec2-user)")
        return {"source": host, "path": target, **({"read_only": True} if read_only else {})}
    project: Path = reader.context.directory
    path = (project / source).resolve()
    build = reader.draft.data.get("build")
    if build is not None and _inside(path, (project / build["context"]).resolve()):
        reader.warn(key, f"{source}:{target} is dropped: it overlays the build context's own files, which "
                         "the built image already holds")
        return None
    if not path.exists():
        if read_only:
            raise reader.error(key, f"{source} does not exist in the project ({path}); create it or remove "
                                    "the mount")
        reader.report.unsupported(reader.service, key, f"{source}:{target}: a writable bind mount of a "
                                  "directory Compose would create; ECS has no project directory to write "
                                  "to: use a named volume (on EFS in the services stacks)")
        return None
    if not _inside(path, project.resolve()):
        raise reader.error(key, f"{source} is outside the project directory {project}; push-images copies "
                                "files of the project only: move it into the project")
    if not read_only:
        reader.warn(key, f"{source}:{target} is copied into the image: what the container writes there "
                         "stays in the task, not in the project")
    relative = os.path.relpath(path, project.resolve())
    reader.draft.data.setdefault("copies", []).append({"source": relative, "path": target})
    reader.report.note(reader.service, key, f"{relative} -> {target}: copied into a derived image that "
                       "push-images.sh builds (FROM the service's image, COPY the file); to change it without "
                       "a new image, put it on a named volume (EFS in the services stacks) instead")
    return None


def _inside(path: Path, directory: Path) -> bool:
    return path == directory or directory in path.parents


def read_linux(reader: Any) -> None:
    """cap_add, cap_drop, sysctls, ulimits, shm_size, init, privileged, tmpfs, devices -> `linux:`."""
    linux: dict[str, Any] = {}
    for key in ("cap_add", "cap_drop"):
        if reader.raw.get(key) is not None:
            names = reader.convert(key, values.string_list, reader.resolved(key), "capabilities")
            linux[key] = [name.upper().removeprefix("CAP_") for name in names]
    if reader.raw.get("sysctls") is not None:
        pairs = reader.convert("sysctls", values.key_values, reader.resolved("sysctls"), "sysctls")
        linux["sysctls"] = {name: value or "" for name, value in sorted(pairs)}
    if reader.raw.get("ulimits") is not None:
        linux["ulimits"] = _ulimits(reader, reader.mapping("ulimits", reader.resolved("ulimits")))
    if reader.raw.get("shm_size") is not None:
        linux["shm_size"] = reader.convert("shm_size", values.mebibytes, reader.resolved("shm_size"))
    for key in ("init", "privileged"):
        if reader.raw.get(key) is not None:
            value = reader.resolved(key)
            if not isinstance(value, bool):
                raise reader.error(key, f"expected true or false, got {type_name(value)}")
            linux[key] = value
    if reader.raw.get("tmpfs") is not None:
        linux["tmpfs"] = [_tmpfs(reader, item) for item in
                          reader.convert("tmpfs", values.string_list, reader.resolved("tmpfs"), "paths")]
    if reader.raw.get("devices") is not None:
        linux["devices"] = [_device(reader, item) for item in
                            reader.convert("devices", values.string_list, reader.resolved("devices"), "devices")]
    if reader.raw.get("network_mode") is not None:
        mode = str(reader.resolved("network_mode"))
        if mode == "host":
            linux["host_network"] = True
        elif mode != "bridge":
            reader.report.unsupported(reader.service, "network_mode", f"{mode!r} has no ECS meaning here: "
                                      "the stacks run bridge (ecs-ec2), awsvpc, or host (ecs-ec2, with "
                                      "network_mode: host)")
    if linux:
        reader.draft.data["linux"] = linux


def _ulimits(reader: Any, data: dict[str, Any]) -> dict[str, dict[str, int]]:
    result = {}
    for name, value in sorted(data.items()):
        if isinstance(value, int) and not isinstance(value, bool):
            result[name] = {"soft": value, "hard": value}
        elif isinstance(value, dict) and set(value) == {"soft", "hard"}:
            result[name] = {"soft": int(value["soft"]), "hard": int(value["hard"])}
        else:
            raise reader.error(f"ulimits.{name}", "expected a number or {soft, hard}")
    return result


def _tmpfs(reader: Any, item: str) -> dict[str, Any]:
    path, _, options = item.partition(":")
    size = next((option.split("=", 1)[1] for option in options.split(",") if option.startswith("size=")), None)
    if size is None:
        reader.warn("tmpfs", f"{path} has no size; ECS needs one: {DEFAULT_TMPFS_MIB} MiB")
        return {"path": path, "size": DEFAULT_TMPFS_MIB}
    return {"path": path, "size": reader.convert("tmpfs", values.mebibytes, size)}


def _device(reader: Any, item: str) -> dict[str, Any]:
    parts = item.split(":")
    device: dict[str, Any] = {"host_path": parts[0], "container_path": parts[1] if len(parts) > 1 else parts[0]}
    if len(parts) > 2:
        if not parts[2] or set(parts[2]) - set(DEVICE_PERMISSIONS):
            raise reader.error("devices", f"{item}: permissions are letters of rwm")
        device["permissions"] = [DEVICE_PERMISSIONS[letter] for letter in parts[2]]
    return device


def needs_ec2(config: Config) -> list[str]:
    """'<container>: <reason>' for each container option that Fargate does not take."""
    return [f"{container.name}: {reason}" for container in config.application.containers
            for _, reason in fargate_refusals(container.linux, container.host_mounts)]


def choose_ec2(data: dict[str, Any], config: Config, report: Report) -> None:
    """Leave out ecs-fargate and run the services stacks on EC2 when a container needs EC2.

    A public UDP port leaves out both single-task stacks, which open public TCP ports only.
    """
    udp = sorted({f"{c.name} {p.container_port}/udp" for c in config.application.containers
                  for p in c.ports if p.public and p.protocol == "udp"})
    if udp:
        data["stacks"] = [name for name in data["stacks"] if name not in ("ecs-ec2", "ecs-fargate")]
        report.note(None, "stacks", f"ecs-ec2 and ecs-fargate left out: they open public TCP ports only, and "
                    f"{', '.join(udp)} is public; the Network Load Balancer of ecs-services listens on UDP")
    host = sorted(c.name for c in config.application.containers if c.linux is not None and c.linux.host_network)
    if host:
        data["stacks"] = [name for name in data["stacks"] if name in ("ecr", "ecs-ec2")]
        report.note(None, "stacks", f"{', '.join(data['stacks'])} only: {', '.join(host)} use the host's network "
                    "(network_mode: host), which ecs-ec2 runs as a task in the host mode")
        return
    reasons = needs_ec2(config)
    if not reasons:
        return
    data["stacks"] = [name for name in data["stacks"] if name != "ecs-fargate"]
    data.setdefault("services", {})["launch_type"] = "ec2"
    report.note(None, "stacks", "EC2 only (ecs-fargate left out, services.launch_type: ec2): "
                + "; ".join(reasons))
