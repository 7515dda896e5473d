"""Strict readers for plain YAML data: each names the dotted field it reads in its errors."""
from __future__ import annotations

from typing import Any, Mapping, Sequence

from ecs_templates.errors import ConfigError

_MISSING = object()


def type_name(value: Any) -> str:
    """The YAML name of a Python value's type, for messages."""
    if value is None:
        return "null"
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            list: "a list", dict: "a mapping"}.get(type(value), type(value).__name__)


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def expect_mapping(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(path, f"expected a mapping (key: value lines), got {type_name(value)}")
    for key in value:
        if not isinstance(key, str):
            raise ConfigError(path, f"keys must be strings, got {type_name(key)} {key!r}")
    return value


def check_keys(data: Mapping[str, Any], allowed: Sequence[str], path: str) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        import difflib  # only on this error path

        close = difflib.get_close_matches(unknown[0], allowed, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ConfigError(
            join(path, unknown[0]),
            f"unknown key; {hint}the keys allowed here are: {', '.join(sorted(allowed))}",
        )


def get_str(data: Mapping[str, Any], key: str, path: str, default: Any = _MISSING,
            choices: Sequence[str] | None = None) -> Any:
    value = data.get(key, default)
    field = join(path, key)
    if value is _MISSING:
        raise ConfigError(field, "is required")
    if value is default and default is None:
        return None
    if not isinstance(value, str) or not value:
        raise ConfigError(field, f"expected a non-empty string, got {type_name(value)}")
    if choices is not None and value not in choices:
        raise ConfigError(field, f"{value!r} is not one of: {', '.join(choices)}")
    return value


def get_int(data: Mapping[str, Any], key: str, path: str, default: Any = _MISSING,
            minimum: int | None = None, maximum: int | None = None) -> Any:
    value = data.get(key, default)
    field = join(path, key)
    if value is _MISSING:
        raise ConfigError(field, "is required")
    if value is default and default is None:
        return None
    return check_int(value, field, minimum, maximum)


def check_int(value: Any, field: str, minimum: int | None = None, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(field, f"expected an integer, got {type_name(value)} {value!r}")
    if minimum is not None and value < minimum:
        raise ConfigError(field, f"{value} is below the minimum {minimum}")
    if maximum is not None and value > maximum:
        raise ConfigError(field, f"{value} is above the maximum {maximum}")
    return value


def get_bool(data: Mapping[str, Any], key: str, path: str, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(join(path, key), f"expected true or false, got {type_name(value)} {value!r}")
    return value


def get_list(data: Mapping[str, Any], key: str, path: str) -> list[Any]:
    value = data.get(key, [])
    if value is None:
        return []
    if not isinstance(value, list):
        raise ConfigError(join(path, key), f"expected a list, got {type_name(value)}")
    return value


def get_str_list(data: Mapping[str, Any], key: str, path: str) -> tuple[str, ...]:
    items = get_list(data, key, path)
    for index, item in enumerate(items):
        if not isinstance(item, str) or not item:
            raise ConfigError(join(join(path, key), index),
                              f"expected a non-empty string, got {type_name(item)}")
    return tuple(items)


def get_scalar_mapping(data: Mapping[str, Any], key: str, path: str) -> tuple[tuple[str, str], ...]:
    """A mapping of names to scalar values, as sorted (name, text) pairs for stable output."""
    value = data.get(key, {})
    if value is None:
        return ()
    field = join(path, key)
    mapping = expect_mapping(value, field)
    pairs = []
    for name, item in mapping.items():
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            raise ConfigError(join(field, name),
                              f"expected a string or a number, got {type_name(item)}; quote it")
        pairs.append((name, str(item)))
    return tuple(sorted(pairs))
