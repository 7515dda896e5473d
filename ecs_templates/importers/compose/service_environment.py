"""A service's `env_file:` and `environment:` read into its draft: plain values, URLs with a password, secrets.

Each value is classified (environment.py) before it is interpolated, so a password never
lands in the task definition: it becomes a generated secret the container reads.
"""
from __future__ import annotations

from typing import Any

from ecs_templates.config.container import ENV_NAME_PATTERN
from ecs_templates.importers.compose import values
from ecs_templates.importers.compose.env_files import env_files, read_env_file, secret_files
from ecs_templates.importers.compose.environment import Assembled, Plain, classify
from ecs_templates.importers.compose.interpolation import InterpolationError, Node, Reference, parse


def read_environment(reader: Any) -> None:
    entries: dict[str, tuple[Node, ...] | None] = {}
    if reader.raw.get("env_file") is not None:
        for path, required in env_files(reader):
            entries.update(read_env_file(reader, path, required))
    if reader.raw.get("environment") is not None:
        pairs = reader.convert("environment", values.key_values, reader.raw["environment"],
                               "KEY=value entries")
        for name, text in pairs:
            try:
                entries[name] = None if text is None else parse(text)
            except InterpolationError as error:
                raise reader.error(f"environment.{name}", str(error)) from None
    file_variables = secret_files(reader, entries)
    notes: list[str] = []
    for name in sorted(entries):
        key = f"environment.{name}"
        if not ENV_NAME_PATTERN.match(name):
            raise reader.error(key, "is not a valid environment variable name (letters, digits, _ and .)")
        nodes = entries[name]
        if nodes is None:  # `- NAME`: the value comes from the environment, if set
            if name not in reader.context.variables:
                reader.warn(key, f"{name} is not set in the environment, so Compose leaves it out; "
                                 "so does the import")
                continue
            nodes = (Reference(name),)
        unset: list[str] = []
        try:
            value = classify(name, nodes, variables=reader.context.variables, book=reader.context.book,
                             service=reader.draft.name, unset=unset, notes=notes)
        except (ValueError, InterpolationError) as error:
            raise reader.error(key, str(error)) from None
        reader.warn_unset(key, unset)
        for note in notes:
            reader.warn(key, note)
        notes.clear()
        if isinstance(value, Assembled):
            reader.draft.environment[name] = value.value
            reader.draft.assembled[name] = value.secret
            reader.context.book.use(value.secret, reader.draft.name, name)
        elif isinstance(value, Plain):
            reader.draft.environment[name] = value.value
        else:
            _add_secret(reader, key, name, value.name)
    for name, secret in file_variables.items():
        _add_secret(reader, f"environment.{name}_FILE", name, secret)


def _add_secret(reader: Any, key: str, variable: str, secret: str) -> None:
    if variable in reader.draft.environment or variable in reader.draft.secrets:
        raise reader.error(key, f"{variable} is set twice (as a value and from a secret); keep one")
    reader.draft.secrets[variable] = secret
    reader.context.book.use(secret, reader.draft.name, variable)
