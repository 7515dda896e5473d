"""Variable interpolation as Compose does it, and the dotenv files it reads variables from.

`$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`, `${VAR?message}`,
`${VAR:+other}`, `${VAR+other}`, nested (`${A:-${B}}`), and `$$` for a literal dollar.
A value is parsed once into literal text and references, so the importer can tell a
value that is exactly one variable (`${DB_PASSWORD}`) from text that embeds one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Union

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPERATORS = (":-", ":?", ":+", "-", "?", "+")


class InterpolationError(Exception):
    """A value cannot be interpolated; the caller adds file, service and key."""


@dataclass(frozen=True)
class Reference:
    name: str
    operator: str = ""
    argument: tuple["Node", ...] = ()


Node = Union[str, Reference]


def parse(text: str) -> tuple[Node, ...]:
    nodes, _ = _parse(text, 0, nested=False)
    return nodes


def _parse(text: str, start: int, *, nested: bool) -> tuple[tuple[Node, ...], int]:
    """Nodes from `start` up to the end (or, nested, up to the closing brace, whose index is returned)."""
    nodes: list[Node] = []
    literal: list[str] = []
    index = start
    while index < len(text):
        char = text[index]
        if nested and char == "}":
            break
        if char != "$":
            literal.append(char)
            index += 1
            continue
        following = text[index + 1:index + 2]
        if following == "$":
            literal.append("$")
            index += 2
            continue
        if literal:
            nodes.append("".join(literal))
            literal = []
        if following == "{":
            reference, index = _parse_braced(text, index + 2)
            nodes.append(reference)
            continue
        name = _NAME.match(text, index + 1)
        if not name:
            raise InterpolationError(f"invalid interpolation at {text[index:index + 10]!r}: "
                                     "write $$ for a literal dollar sign")
        nodes.append(Reference(name.group()))
        index = name.end()
    else:
        if nested:
            raise InterpolationError("unclosed ${ in an interpolation: add the closing }")
    if literal:
        nodes.append("".join(literal))
    return tuple(nodes), index


def _parse_braced(text: str, start: int) -> tuple[Reference, int]:
    name = _NAME.match(text, start)
    if not name:
        raise InterpolationError(f"invalid variable name in ${{{text[start:start + 20]}: "
                                 "names are letters, digits and _ (write $$ for a literal dollar)")
    index = name.end()
    if text.startswith("}", index):
        return Reference(name.group()), index + 1
    operator = next((op for op in _OPERATORS if text.startswith(op, index)), None)
    if operator is None:
        raise InterpolationError(f"invalid interpolation ${{{name.group()}{text[index:index + 5]}: "
                                 "expected }, :-, -, :?, ?, :+ or +")
    argument, end = _parse(text, index + len(operator), nested=True)
    if end >= len(text):
        raise InterpolationError(f"unclosed ${{{name.group()} in an interpolation: add the closing }}")
    return Reference(name.group(), operator, argument), end + 1


def references(nodes: tuple[Node, ...]) -> list[str]:
    """Every variable name the nodes refer to, nested ones included, in order."""
    names: list[str] = []
    for node in nodes:
        if isinstance(node, Reference):
            names.append(node.name)
            names.extend(references(node.argument))
    return names


def evaluate(nodes: tuple[Node, ...], variables: Mapping[str, str], unset: list[str] | None = None) -> str:
    """The text; names used without a value or default are appended to `unset` (Compose warns)."""
    return "".join(node if isinstance(node, str) else _evaluate_reference(node, variables, unset)
                   for node in nodes)


def _evaluate_reference(reference: Reference, variables: Mapping[str, str], unset: list[str] | None) -> str:
    value = variables.get(reference.name)
    operator = reference.operator
    if not operator and value is None and unset is not None:
        unset.append(reference.name)
    unset_or_empty = not value if operator.startswith(":") else value is None
    if operator in (":-", "-"):
        return evaluate(reference.argument, variables, unset) if unset_or_empty else (value or "")
    if operator in (":?", "?"):
        if unset_or_empty:
            message = evaluate(reference.argument, variables, unset)
            raise InterpolationError(f"required variable {reference.name} is not set"
                                     + (f" ({message})" if message else "")
                                     + ": set it in the environment or in .env beside the Compose file")
        return value or ""
    if operator in (":+", "+"):
        return "" if unset_or_empty else evaluate(reference.argument, variables, unset)
    return value or ""


def interpolate(text: str, variables: Mapping[str, str], unset: list[str] | None = None) -> str:
    return evaluate(parse(text), variables, unset)


def parse_dotenv(text: str) -> list[tuple[str, tuple[Node, ...] | None]]:
    """KEY=VALUE lines (`export` allowed, # comments, quotes) as unevaluated values.

    A bare KEY (no `=`) gives None: its value comes from the environment, if any.
    Raises InterpolationError naming the line when one is malformed.
    """
    entries: list[tuple[str, tuple[Node, ...] | None]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("export "):
            stripped = stripped[len("export "):].lstrip()
        key, equals, raw = stripped.partition("=")
        key = key.strip()
        if not _NAME.fullmatch(key):
            raise InterpolationError(f"line {number}: {key!r} is not a variable name (expected KEY=VALUE)")
        try:
            entries.append((key, _dotenv_value(raw.strip()) if equals else None))
        except InterpolationError as error:
            raise InterpolationError(f"line {number}: {error}") from None
    return entries


def dotenv_variables(text: str, environ: Mapping[str, str]) -> dict[str, str]:
    """The variables of a `.env` file; a value may use the environment and earlier lines."""
    result: dict[str, str] = {}
    for key, nodes in parse_dotenv(text):
        if nodes is not None:
            result[key] = evaluate(nodes, {**result, **environ})
    return result


def _dotenv_value(raw: str) -> tuple[Node, ...]:
    if raw[:1] == "'":
        end = raw.find("'", 1)
        if end < 0:
            raise InterpolationError("unclosed single quote")
        return (raw[1:end],) if end > 1 else ()
    if raw[:1] == '"':
        chars: list[str] = []
        index = 1
        while index < len(raw) and raw[index] != '"':
            if raw[index] == "\\" and index + 1 < len(raw) and raw[index + 1] in 'nt"\\':
                index += 1
                chars.append({"n": "\n", "t": "\t"}.get(raw[index], raw[index]))
            else:
                chars.append(raw[index])
            index += 1
        if index >= len(raw):
            raise InterpolationError("unclosed double quote")
        return parse("".join(chars))
    comment = re.search(r"\s#", raw)
    if comment:
        raw = raw[:comment.start()]
    return parse(raw.strip())


def resolve(value: object, variables: Mapping[str, str], unset: list[str]) -> object:
    """A parsed YAML value with every string interpolated (keys stay as written, as in Compose)."""
    if isinstance(value, str):
        return interpolate(value, variables, unset)
    if isinstance(value, dict):
        return {key: resolve(item, variables, unset) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, variables, unset) for item in value]
    return value


def variables_in(value: object) -> list[str]:
    """Every variable a parsed YAML value refers to (unparsable strings are left to `resolve`)."""
    if isinstance(value, str):
        try:
            return references(parse(value))
        except InterpolationError:
            return []
    if isinstance(value, dict):
        return [name for item in value.values() for name in variables_in(item)]
    if isinstance(value, list):
        return [name for item in value for name in variables_in(item)]
    return []
