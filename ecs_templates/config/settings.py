"""Each setting declared once: its field, default, bounds and one-line description.

Plain dataclasses with `field(metadata=...)` rather than pydantic or cattrs: the model
stays frozen standard-library data that any caller can build in Python, the project takes
no new runtime dependency, and the metadata is all the loader (`read_settings`), the error
messages (which quote the bounds and choices) and the configuration reference
(`reference_rows`, rendered into docs/configuration.md) need. A setting whose default
depends on the application (a name derived from the application's name) declares it as a
format string with `{app}`.
"""
from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from ecs_templates.config.fields import check_keys, type_name
from ecs_templates.errors import ConfigError

_KEY = "ecs_templates"


@dataclass(frozen=True)
class Declaration:
    """What the metadata of one field says about it."""

    description: str
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()
    derived_default: str | None = None  # a format string of {app}


def setting(default: Any, description: str, *, minimum: int | None = None, maximum: int | None = None,
            choices: Sequence[str] = (), derived: str | None = None) -> Any:
    """A dataclass field with its declaration; `derived` is a default built from the application's name."""
    declaration = Declaration(description, minimum, maximum, tuple(choices), derived)
    return dataclasses.field(default=default, metadata={_KEY: declaration})


def section(factory: Any, description: str) -> Any:
    """A nested settings dataclass (a mapping in YAML)."""
    return dataclasses.field(default_factory=factory, metadata={_KEY: Declaration(description)})


def declaration(field: dataclasses.Field) -> Declaration:
    found = field.metadata.get(_KEY)
    if found is None:
        raise TypeError(f"field {field.name} has no declaration (use settings.setting)")
    return found


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _check_value(value: Any, kind: Any, path: str, spec: Declaration) -> Any:
    if kind is bool:
        if not isinstance(value, bool):
            raise ConfigError(path, f"expected true or false, got {type_name(value)} {value!r}")
        return value
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(path, f"expected an integer, got {type_name(value)} {value!r}")
        if spec.minimum is not None and value < spec.minimum:
            raise ConfigError(path, f"{value} is below the minimum {spec.minimum}")
        if spec.maximum is not None and value > spec.maximum:
            raise ConfigError(path, f"{value} is above the maximum {spec.maximum}")
        return value
    if kind is str:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)  # `engine_version: 11.4` reads as a number in YAML
        if not isinstance(value, str):
            raise ConfigError(path, f"expected a string, got {type_name(value)}")
        if spec.choices and value not in spec.choices:
            raise ConfigError(path, f"{value!r} is not one of: {', '.join(spec.choices)} ({spec.description})")
        return value
    if _is_string_list(kind):
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
            raise ConfigError(path, f"expected a list of names, got {type_name(value)} {value!r}")
        return tuple(value)
    raise TypeError(f"unsupported setting type {kind!r} at {path}")


def _is_string_list(kind: Any) -> bool:
    return typing.get_origin(kind) is tuple and typing.get_args(kind) == (str, ...)


def _kind_name(kind: Any) -> str:
    if _is_string_list(kind):
        return "list of names"
    return {bool: "boolean", int: "integer", str: "string"}.get(kind, "mapping")


def read_settings(cls: type, data: Any, path: str, *, app_name: str = "", base: Any = None,
                  skip: Sequence[str] = ()) -> Any:
    """An instance of the settings dataclass `cls` from a YAML mapping, every field checked.

    Missing keys take the declared default (or the value of `base`, another instance);
    `skip` names fields the caller reads itself (lists of nested objects, say).
    """
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise ConfigError(path, f"expected a mapping (key: value lines), got {type_name(data)}")
    fields = [f for f in dataclasses.fields(cls) if f.init]
    check_keys(data, [f.name for f in fields], path)
    hints = _hints(cls)
    values: dict[str, Any] = {}
    for field in fields:
        if field.name in skip:
            continue
        where = f"{path}.{field.name}" if path else field.name
        spec = declaration(field)
        kind = hints[field.name]
        current = getattr(base, field.name) if base is not None else None
        if dataclasses.is_dataclass(kind):
            values[field.name] = read_settings(kind, data.get(field.name), where, app_name=app_name, base=current)
            continue
        if field.name in data and data[field.name] is not None:
            values[field.name] = _check_value(data[field.name], kind, where, spec)
        elif base is not None:
            values[field.name] = current
        elif spec.derived_default is not None:
            values[field.name] = spec.derived_default.format(app=app_name)
    return cls(**values)


@dataclass(frozen=True)
class ReferenceRow:
    key: str
    kind: str
    default: str
    bounds: str
    description: str


def reference_rows(cls: type, path: str) -> list[ReferenceRow]:
    """One row per setting of `cls` and its nested sections, for the configuration reference."""
    rows: list[ReferenceRow] = []
    hints = _hints(cls)
    for field in dataclasses.fields(cls):
        if not field.init or _KEY not in field.metadata:
            continue
        spec = declaration(field)
        kind = hints[field.name]
        key = f"{path}.{field.name}"
        if dataclasses.is_dataclass(kind):
            rows.append(ReferenceRow(key, "mapping", "", "", spec.description))
            rows.extend(reference_rows(kind, key))
            continue
        if spec.derived_default is not None:
            default = spec.derived_default.replace("{app}", "<application.name>")
        elif field.default is dataclasses.MISSING:
            default = "(required)"
        else:
            default = repr(field.default).lower() if isinstance(field.default, bool) else str(field.default)
        bounds = " | ".join(spec.choices) if spec.choices else (
            f"{spec.minimum if spec.minimum is not None else ''}..{spec.maximum if spec.maximum is not None else ''}"
            if spec.minimum is not None or spec.maximum is not None else "")
        if default in ("", "()"):
            default = "[]" if default == "()" else '""'
        rows.append(ReferenceRow(key, _kind_name(kind), default, bounds, spec.description))
    return rows
