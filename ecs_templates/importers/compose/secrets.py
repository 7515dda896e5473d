"""Generated secrets for every password the Compose file passes to a container.

No value is ever carried over: Secrets Manager generates each one at deploy time and ECS
injects it as an environment variable. What makes two uses one secret is their source:
the same Compose secret, the same `${VARIABLE}`, or (for passwords written in plain
text) the same text, since the containers only work if they agree on it.
`top_level_secrets` enters the file's top-level `secrets:` in the book.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from ecs_templates.importers.compose.document import named_entries
from ecs_templates.importers.compose.interpolation import InterpolationError, resolve
from ecs_templates.importers.compose.report import Report

_NOT_NAME = re.compile(r"[^a-z0-9]+")


def secret_name(text: str) -> str:
    """`DB_PASSWORD` -> `db-password`: the kebab-case name of an application secret."""
    name = _NOT_NAME.sub("-", text.lower()).strip("-")
    return name if name[:1].isalpha() else f"secret-{name}".rstrip("-")


@dataclass
class _Secret:
    name: str
    origin: str
    description: str = ""
    uses: list[tuple[str, str]] = field(default_factory=list)


class SecretBook:
    """The application's secrets, keyed by where their value comes from."""

    def __init__(self, file_name: str) -> None:
        self.file_name = file_name
        self._by_source: dict[tuple[str, str], _Secret] = {}
        self._names: set[str] = set()

    def _get(self, source: tuple[str, str], preferred: str, origin: str) -> _Secret:
        if source not in self._by_source:
            name, counter = preferred, 2
            while name in self._names:
                name, counter = f"{preferred}-{counter}", counter + 1
            self._names.add(name)
            self._by_source[source] = _Secret(name, origin)
        return self._by_source[source]

    def compose_secret(self, name: str, *, variable: str | None, description: str = "") -> str:
        """A top-level Compose secret; one read from a variable is the same secret as `${variable}`."""
        source = ("variable", variable) if variable else ("compose", name)
        secret = self._get(source, secret_name(name), f"the Compose secret {name}")
        secret.description = secret.description or description
        return secret.name

    def variable(self, variable: str) -> str:
        return self._get(("variable", variable), secret_name(variable),
                         f"${{{variable}}} of {self.file_name}").name

    def literal(self, value: str, service: str, key: str) -> str:
        return self._get(("literal", value), secret_name(f"{service}-{key}"),
                         f"a password written in plain text in {self.file_name} (that value is not used)").name

    def use(self, name: str, service: str, variable: str) -> None:
        for secret in self._by_source.values():
            if secret.name == name and (service, variable) not in secret.uses:
                secret.uses.append((service, variable))

    def config(self) -> dict[str, dict[str, str]]:
        """`application.secrets` of the config: only secrets some container uses."""
        result = {}
        for secret in sorted(self._by_source.values(), key=lambda item: item.name):
            if not secret.uses:
                continue
            used_by = ", ".join(f"{service} as {variable}" for service, variable in sorted(secret.uses))
            result[secret.name] = {"description": secret.description or
                                   f"Generated at deploy time for {secret.origin}; injected into {used_by}."}
        return result


def top_level_secrets(value: Any, variables: Mapping[str, str], book: SecretBook,
                      report: Report) -> dict[str, str]:
    """Top-level secrets: each becomes a generated secret; its local source is never read."""
    secrets = {}
    for name, options, where in named_entries(value, "secrets", report, "a mapping (file: or environment:)"):
        for key in sorted(options, key=str):
            if key not in ("file", "environment", "external", "name", "x-description") \
                    and not str(key).startswith("x-"):
                report.unsupported(None, f"{where}.{key}", "has no meaning for a generated secret")
        try:
            options = resolve(options, variables, [])
        except InterpolationError as error:
            raise report.error(None, where, str(error)) from None
        description = options.get("x-description") or ""
        if not isinstance(description, str):
            raise report.error(None, f"{where}.x-description", "expected text")
        variable = options.get("environment")
        secrets[name] = book.compose_secret(name, variable=variable if isinstance(variable, str) else None,
                                       description=description.strip())
    return secrets
