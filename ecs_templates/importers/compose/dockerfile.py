"""The ports a Dockerfile's built stage exposes: its EXPOSE lines, its parent stages', its base image's.

Docker keeps EXPOSE across FROM: a stage exposes what its own EXPOSE lines say and what the
stage or image it is built FROM exposes (https://docs.docker.com/reference/dockerfile/#expose).
The stage built is `build.target`, else the last one
(https://docs.docker.com/reference/dockerfile/#from). Variables in EXPOSE resolve from the
stage's ARG and ENV lines and the compose build args; a port that stays unresolved is
left out. A base image outside the Dockerfile exposes what the image table knows of it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from ecs_templates.config import images

_VARIABLE = re.compile(r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?::?-(?P<default>[^}]*))?\}|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))")
_PORT = re.compile(r"^(\d{1,5})(?:/(tcp|udp))?$", re.IGNORECASE)


@dataclass
class Stage:
    base: str                                   # a stage name of this file, or an image
    name: str = ""
    exposed: list[tuple[int, str, int]] = field(default_factory=list)   # (port, protocol, line)
    variables: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Exposed:
    port: int
    protocol: str
    where: str      # for the import report: "EXPOSE in backend/Dockerfile:34", or the base image's


def exposed_ports(context: Path, dockerfile: str, target: str | None, args: Mapping[str, str],
                  shown: str) -> list[Exposed]:
    """What the built stage of `context/dockerfile` exposes, its own ports first; `shown` names the file."""
    try:
        text = (context / dockerfile).read_text("utf-8", errors="replace")
    except OSError:
        return []
    stages = _stages(text, dict(args))
    if not stages:
        return []
    by_name = {stage.name.lower(): stage for stage in stages if stage.name}
    stage = by_name.get(target.lower()) if target else stages[-1]
    found: list[Exposed] = []
    seen: set[str] = set()
    while stage is not None and stage.name.lower() not in seen:
        seen.add(stage.name.lower())
        found += [Exposed(port, protocol, f"EXPOSE in {shown}:{line}") for port, protocol, line in stage.exposed]
        parent = by_name.get(stage.base.lower())
        if parent is None:
            found += [Exposed(port, "tcp", f"the image table's port of {images.repository_of(stage.base)}, "
                                           f"the base image in {shown}")
                      for port in images.well_known_ports(stage.base)]
        stage = parent
    unique: dict[tuple[int, str], Exposed] = {}
    for entry in found:
        unique.setdefault((entry.port, entry.protocol), entry)
    return list(unique.values())


def _stages(text: str, args: dict[str, str]) -> list[Stage]:
    stages: list[Stage] = []
    global_args: dict[str, str] = {}
    for line_number, instruction, rest in _instructions(text):
        current = stages[-1] if stages else None
        scope = current.variables if current else global_args
        if instruction == "FROM":
            words = [word for word in rest.split() if not word.startswith("--")]
            if not words:
                continue
            base = _substitute(words[0], {**global_args, **args}) or words[0]
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else ""
            parent = next((s for s in stages if s.name and s.name.lower() == base.lower()), None)
            inherited = dict(parent.variables) if parent else {}
            stages.append(Stage(base=base, name=name, variables=inherited))
        elif instruction in ("ARG", "ENV"):
            for key, value in _assignments(rest, instruction):
                if instruction == "ARG":
                    value = args.get(key, value if value is not None else global_args.get(key))
                if value is not None:
                    scope[key] = _substitute(value, scope) or ""
        elif instruction == "EXPOSE" and current is not None:
            for word in rest.split():
                match = _PORT.match(_substitute(word, {**current.variables, **args}) or "")
                if match and 0 < int(match.group(1)) <= 65535:
                    current.exposed.append((int(match.group(1)), (match.group(2) or "tcp").lower(), line_number))
    return stages


def _instructions(text: str) -> list[tuple[int, str, str]]:
    """(line number, INSTRUCTION, arguments), continuation lines joined, comments left out."""
    found: list[tuple[int, str, str]] = []
    pending: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending.append(stripped[:-1])
            continue
        pending.append(stripped)
        joined = " ".join(pending)
        pending = []
        instruction, _, rest = joined.partition(" ")
        found.append((start, instruction.upper(), rest.strip()))
    return found


def _assignments(rest: str, instruction: str) -> list[tuple[str, str | None]]:
    """`ENV A=1 B=2`, the old `ENV A 1`, `ARG A`, `ARG A=1`."""
    words = rest.split()
    if not words:
        return []
    if instruction == "ENV" and "=" not in words[0]:
        return [(words[0], " ".join(words[1:]).strip("\"'"))]
    pairs: list[tuple[str, str | None]] = []
    for word in words:
        key, equals, value = word.partition("=")
        pairs.append((key, value.strip("\"'") if equals else None))
    return pairs


def _substitute(word: str, variables: Mapping[str, str]) -> str | None:
    """`word` with $NAME and ${NAME:-default} replaced; None when a variable has no value."""
    missing = False

    def value(match: re.Match[str]) -> str:
        nonlocal missing
        name = match.group("braced") or match.group("bare")
        if name in variables:
            return variables[name]
        if match.group("default") is not None:
            return match.group("default")
        missing = True
        return ""

    result = _VARIABLE.sub(value, word)
    return None if missing else result
