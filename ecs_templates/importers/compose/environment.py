"""A service's environment: plain values, and passwords that become generated secrets.

Values are classified before they are interpolated, so a password taken from a variable
(`${DB_PASSWORD}`) never needs a value at import time: Secrets Manager generates one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from ecs_templates.importers.compose.interpolation import (
    InterpolationError,
    Node,
    Reference,
    evaluate,
    references,
)
from ecs_templates.importers.compose.keys import FLAG_VALUES, is_secret_name
from ecs_templates.importers.compose.secrets import SecretBook

_URL_PASSWORD = re.compile(r"://[^:/@\s]+:(?P<password>[^@/\s]+)@")
# Where the password was, in the value of an `Assembled`: `uses` turns it into `{password}`.
PASSWORD_MARK = "ECSPASSWORDMARK"


@dataclass(frozen=True)
class Plain:
    value: str


@dataclass(frozen=True)
class Secret:
    name: str


@dataclass(frozen=True)
class Assembled:
    """A URL with a password: `value` has PASSWORD_MARK in the password's place, `secret` holds the password."""

    value: str
    secret: str


def classify(key: str, nodes: tuple[Node, ...], *, variables: Mapping[str, str], book: SecretBook,
             service: str, unset: list[str], notes: list[str]) -> Plain | Secret | Assembled:
    """Plain text, or the generated secret that replaces a password-like value.

    Raises ValueError (for an embedded password) or InterpolationError.
    """
    names = references(nodes)
    key_secret = is_secret_name(key)
    secret_variables = [name for name in names if is_secret_name(name)]
    if not key_secret and not secret_variables:
        text = evaluate(nodes, variables, unset)
        match = _URL_PASSWORD.search(text)
        if match and PASSWORD_MARK not in text:
            password = match.group("password")
            secret = book.literal(password, service, f"{key}-password")
            notes.append(f"holds a URL with a password in it: the password becomes the secret {secret} (generated "
                         "at deploy time; containers given the same text share it) and the whole value a secret "
                         "assembled from it, never written in plain text")
            return Assembled(text[:match.start("password")] + PASSWORD_MARK + text[match.end("password"):], secret)
        return Plain(text)
    if len(nodes) == 1 and isinstance(nodes[0], Reference):
        variable = nodes[0].name
        if not is_secret_name(variable) and _is_flag(nodes, variables):
            return Plain(evaluate(nodes, variables, unset))
        return Secret(book.variable(variable))
    if not names:
        text = evaluate(nodes, variables)
        if text.lower() in FLAG_VALUES:
            return Plain(text)
        secret = book.literal(text, service, key)
        notes.append(f"a password written in plain text; it becomes the secret {secret}, generated at "
                     "deploy time (containers given the same text share it)")
        return Secret(secret)
    if key_secret and not secret_variables and _is_flag(nodes, variables):
        return Plain(evaluate(nodes, variables, unset))
    if len(secret_variables) == 1 and not key_secret:
        marked = evaluate(tuple(PASSWORD_MARK if isinstance(node, Reference) and node.name == secret_variables[0]
                                else node for node in nodes), variables, unset)
        match = _URL_PASSWORD.search(marked)
        if match and match.group("password") == PASSWORD_MARK:
            secret = book.variable(secret_variables[0])
            notes.append(f"holds a URL with the password ${{{secret_variables[0]}}} in it: the whole value becomes a "
                         f"secret assembled from the secret {secret}, never written in plain text")
            return Assembled(marked, secret)
    embedded = secret_variables[0] if secret_variables else names[0]
    raise ValueError(f"embeds the variable {embedded} in a longer value, and a password-like value cannot "
                     "be written in the task definition; ECS injects a secret as a whole variable: pass "
                     "the password in a variable of its own that the image reads")


def _is_flag(nodes: tuple[Node, ...], variables: Mapping[str, str]) -> bool:
    try:
        return evaluate(nodes, variables).lower() in FLAG_VALUES
    except InterpolationError:
        return False
