"""A service's `env_file:` entries and its Compose secrets (`/run/secrets/...` read through NAME_FILE)."""
from __future__ import annotations

from typing import Any

from ecs_templates.config.fields import type_name
from ecs_templates.importers.compose.interpolation import InterpolationError, Node, evaluate, parse_dotenv

SECRETS_DIRECTORY = "/run/secrets/"


def env_files(reader: Any) -> list[tuple[str, bool]]:
    value = reader.resolved("env_file")
    items = value if isinstance(value, list) else [value]
    files = []
    for index, item in enumerate(items):
        if isinstance(item, dict) and isinstance(item.get("path"), str):
            files.append((item["path"], item.get("required", True) is not False))
        elif isinstance(item, str):
            files.append((item, True))
        else:
            raise reader.error(f"env_file[{index}]", f"expected a path, got {type_name(item)}")
    return files

def read_env_file(reader: Any, name: str, required: bool) -> dict[str, tuple[Node, ...] | None]:
    path = reader.context.directory / name
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        if not required:
            return {}
        raise reader.error("env_file", f"{name} does not exist (relative to the Compose file); create "
                                     "it or mark it required: false") from None
    except (OSError, UnicodeDecodeError) as error:
        raise reader.error("env_file", f"cannot read {name}: {error}") from None
    try:
        return dict(parse_dotenv(text))
    except InterpolationError as error:
        raise reader.error("env_file", f"{name}: {error}") from None

def secret_files(reader: Any, entries: dict[str, tuple[Node, ...] | None]) -> dict[str, str]:
    """Compose secrets of the service as environment variables: the `_FILE` convention.

    Compose mounts a secret as /run/secrets/<name>; many images read the path from
    NAME_FILE. ECS injects secrets as variables, so NAME_FILE becomes NAME.
    """
    if reader.raw.get("secrets") is None:
        return {}
    listed = reader.resolved("secrets")
    if not isinstance(listed, list):
        raise reader.error("secrets", f"expected a list of secret names, got {type_name(listed)}")
    by_path: dict[str, str] = {}
    for index, item in enumerate(listed):
        key = f"secrets[{index}]"
        if isinstance(item, dict):
            source, target = item.get("source"), item.get("target")
            extras = sorted(k for k in set(item) - {"source", "target"} if not k.startswith("x-"))
            if extras:
                reader.warn(f"{key}.{extras[0]}", "file ownership and mode have no meaning for a "
                                                "secret in an environment variable; not imported")
        else:
            source, target = item, None
        if not isinstance(source, str) or source not in reader.context.secrets:
            raise reader.error(key, f"secret {source!r} is not defined under the top-level secrets:")
        target = str(target or source)
        by_path[target if target.startswith("/") else SECRETS_DIRECTORY + target] = source
    mapped: dict[str, str] = {}
    shown: list[str] = []
    for name in sorted(entries):
        nodes = entries[name]
        if not name.endswith("_FILE") or nodes is None:
            continue
        try:
            path = evaluate(nodes, reader.context.variables)
        except InterpolationError as error:
            raise reader.error(f"environment.{name}", str(error)) from None
        if path.startswith(SECRETS_DIRECTORY):
            if path not in by_path:
                raise reader.error(f"environment.{name}", f"{path} is not a secret of this service; list "
                                                        "it under the service's secrets:")
            del entries[name]
            # NAME_FILE (the official images) or NAME__FILE (Grafana) -> NAME
            variable = name[:-len("__FILE")] if name.endswith("__FILE") else name[:-len("_FILE")]
            mapped[variable] = reader.context.secrets[by_path.pop(path)]
            shown.append(f"{variable} (in place of {name})")
    for path, source in sorted(by_path.items()):
        variable = source.upper().replace("-", "_").replace(".", "_")
        mapped[variable] = reader.context.secrets[source]
        shown.append(f"{variable} (no {variable}_FILE reads {path}: check that the image reads "
                     f"the variable {variable})")
    if shown:
        reader.warn("secrets", "Compose mounts secrets as files under /run/secrets; ECS injects them as "
                             "environment variables: " + "; ".join(shown))
    return mapped
