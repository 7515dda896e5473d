"""Logical IDs: one function makes them all, so they stay stable across releases.

Renaming a logical ID makes CloudFormation replace the resource, so IDs are derived
only from names the user chose (container, secret, repository) and fixed suffixes.
"""
from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z0-9]+")


def logical_id(*parts: str) -> str:
    """Join the parts as PascalCase letters and digits: ("db-password", "secret") -> "DbPasswordSecret"."""
    words = [word for part in parts for word in _WORD.findall(part)]
    name = "".join(word[:1].upper() + word[1:] for word in words)
    if not name or not name[0].isalpha():
        raise ValueError(f"cannot make a logical ID from {parts!r}: it must start with a letter")
    return name
