"""Plaintext secrets: a password-like name given a literal value, in templates, configs, scripts, docs.

The seed wrote `MYSQL_ROOT_PASSWORD: root` into its task definitions and compose file. A
value is fine when it is a reference the reader resolves elsewhere: a shell or compose
variable (`$DB_PASSWORD`, `${DB_PASSWORD}`), a placeholder (`<password>`), a CloudFormation
function, or, under a `secrets:` mapping of this project's configuration, the name of a
secret that Secrets Manager generates.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
SECRET_WORDS = frozenset({"password", "passwd", "pwd", "passphrase", "secret", "token"})
SECRET_PAIRS = frozenset({("secret", "key"), ("api", "key"), ("private", "key"), ("access", "key"),
                          ("auth", "key"), ("secure", "key"), ("logged", "in", "key"), ("nonce", "key")})
_ASSIGNMENT = re.compile(r"""(?<![\w.-])(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?P<value>"[^"\n]*"|'[^'\n]*'|[^\s;&|)]*)""")
_PASSWORD_OPTION = re.compile(r"""(?<![\w-])--[a-z-]*password(?:=|\s+)(?P<value>"[^"\n]*"|'[^'\n]*'|[^\s;&|)]+)""")


@dataclass(frozen=True)
class Finding:
    where: str
    name: str

    def __str__(self) -> str:
        return f"{self.where}: {self.name} has a literal value"


def words(name: str) -> list[str]:
    """`MYSQL_ROOT_PASSWORD` -> [mysql, root, password]; `DbPasswordSecret` -> [db, password, secret]."""
    return [word.lower() for part in re.split(r"[^A-Za-z0-9]+", name) for word in _WORDS.findall(part)]


def is_password_like(name: str) -> bool:
    """The name denotes a secret value itself (DB_PASSWORD, SecretKey), not a setting about one (PasswordLength)."""
    parts = words(name)
    if not parts:
        return False
    return parts[-1] in SECRET_WORDS or any(tuple(parts[-len(pair):]) == pair for pair in SECRET_PAIRS)


def is_literal(value: Any) -> bool:
    """A value written out in the file, as opposed to a reference resolved elsewhere."""
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, (int, float)):
        return True
    if not isinstance(value, str):
        return False  # a mapping or list: a CloudFormation function or nested structure
    text = value.strip().strip("'\"")
    if not text:
        return False
    return not (text.startswith(("$", "<", "{{")) or (text.startswith("{") and text.endswith("}")))


def in_structure(data: Any, where: str) -> list[Finding]:
    """Findings in parsed YAML/JSON: templates, compose files, this project's configuration."""
    return sorted(set(_walk(data, where, parent=None)), key=lambda f: (f.where, f.name))


def _walk(node: Any, where: str, parent: str | None) -> Iterator[Finding]:
    if isinstance(node, dict):
        # CloudFormation / ECS name-value pairs: {Name: MYSQL_PASSWORD, Value: root}
        name = node.get("Name") if isinstance(node.get("Name"), str) else node.get("name")
        value = node.get("Value", node.get("value"))
        if isinstance(name, str) and is_password_like(name) and is_literal(value):
            yield Finding(f"{where}.{name}", name)
        for key, child in node.items():
            key = str(key)
            # `secrets: {ENV_NAME: secret-name}` maps a variable to a generated secret by name.
            if is_password_like(key) and is_literal(child) and parent != "secrets" \
                    and key not in ("Name", "name"):
                yield Finding(f"{where}.{key}", key)
            if key == "Default" and parent is not None and is_password_like(parent) and is_literal(child):
                yield Finding(f"{where}.Default", parent)  # a password parameter with a default value
            yield from _walk(child, f"{where}.{key}", key)
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _walk(child, f"{where}[{index}]", parent)
    elif isinstance(node, str):
        yield from in_text(node, where)  # compose ["MYSQL_PASSWORD=root"], scripts in user data


def in_text(text: str, where: str, *, quoted_only: bool = False) -> list[Finding]:
    """Findings in free text: shell scripts, Makefiles, env files, Markdown, Python.

    `quoted_only` is for program code, where an unquoted value is a variable, not a literal.
    """
    findings = []
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _ASSIGNMENT.finditer(line):
            value = match["value"]
            if quoted_only and not value.startswith(("'", '"')):
                continue
            if is_password_like(match["name"]) and is_literal(value):
                findings.append(Finding(f"{where}:{number}", match["name"]))
        for match in _PASSWORD_OPTION.finditer(line):
            if is_literal(match["value"]) and not (quoted_only and not match["value"].startswith(("'", '"'))):
                findings.append(Finding(f"{where}:{number}", "--password"))
    return findings
