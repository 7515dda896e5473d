"""Compose value formats (ports, durations, byte sizes, commands, lists) read into plain Python.

Each reader raises ValueError with a message that says what is wrong and how to write it;
the caller adds file, service and key.
"""
from __future__ import annotations

import math
import re
import shlex
from dataclasses import dataclass
from typing import Any

from ecs_templates.config.fields import type_name

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(us|µs|ms|s|m|h)")
_DURATION_SECONDS = {"us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_BYTES = re.compile(r"^(\d+(?:\.\d+)?)\s*([bkmg]?)b?$", re.IGNORECASE)
_BYTE_FACTORS = {"": 1, "b": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}


def seconds(value: Any) -> int:
    """A Compose duration (`1m30s`, `10s`) as whole seconds, which is what ECS counts."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f"expected a duration such as 10s or 1m30s, got {type_name(value)}")
    text = str(value).strip()
    if text == "0":
        return 0
    total, position = 0.0, 0
    for match in _DURATION_PART.finditer(text):
        if match.start() != position:
            break
        total += float(match.group(1)) * _DURATION_SECONDS[match.group(2)]
        position = match.end()
    if position != len(text) or not text:
        raise ValueError(f"{text!r} is not a duration; write it with units, e.g. 10s or 1m30s")
    if total != int(total):
        raise ValueError(f"{text} is not a whole number of seconds, which ECS requires")
    return int(total)


def mebibytes(value: Any) -> int:
    """A Compose byte size (`512m`, `1g`, `1gb`, or bytes) as MiB, rounded up."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(f"expected a size such as 512m or 1g, got {type_name(value)}")
    match = _BYTES.match(str(value).strip())
    if not match:
        raise ValueError(f"{value!r} is not a size; write e.g. 512m or 1g")
    size = float(match.group(1)) * _BYTE_FACTORS[match.group(2).lower()]
    return math.ceil(size / 1024 ** 2)


def cpu_units(value: Any) -> int:
    """Compose `cpus` (0.5 = half a CPU) as ECS CPU units (1024 per vCPU)."""
    try:
        cpus = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        cpus = math.nan
    if not cpus > 0:
        raise ValueError(f"{value!r} is not a number of CPUs; write e.g. 0.5 or 2")
    return max(1, round(cpus * 1024))


def command(value: Any) -> list[str]:
    """A command in string form (split like a shell does, as Compose does) or list form."""
    if isinstance(value, str):
        try:
            return shlex.split(value)
        except ValueError as error:
            raise ValueError(f"cannot split {value!r} into arguments: {error}") from None
    if isinstance(value, list):
        items = []
        for item in value:
            if isinstance(item, bool) or not isinstance(item, (str, int, float)):
                raise ValueError(f"expected strings in the list, got {type_name(item)}")
            items.append(str(item))
        return items
    raise ValueError(f"expected a string or a list, got {type_name(value)}")


def scalar_text(value: Any) -> str:
    """An environment or label value as Compose passes it: text, numbers and booleans as text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise ValueError(f"expected a string or a number, got {type_name(value)}; quote it")


def key_values(value: Any, what: str) -> list[tuple[str, str | None]]:
    """`environment:` or `labels:` in list form (`KEY=value`, bare `KEY`) or mapping form.

    Values stay raw (None: no value given); the caller interpolates or resolves them.
    """
    if value is None:
        return []
    if isinstance(value, dict):
        return [(str(key), None if item is None else scalar_text(item)) for key, item in value.items()]
    if isinstance(value, list):
        pairs: list[tuple[str, str | None]] = []
        for item in value:
            if not isinstance(item, str) or not item:
                raise ValueError(f"expected KEY=value strings in the list, got {type_name(item)}")
            key, equals, text = item.partition("=")
            pairs.append((key, text if equals else None))
        return pairs
    raise ValueError(f"expected a mapping or a list of {what}, got {type_name(value)}")


def string_list(value: Any, what: str) -> list[str]:
    """A string or a list of strings."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    raise ValueError(f"expected a list of {what}, got {type_name(value)}")


@dataclass(frozen=True)
class Port:
    """One Compose port: `published` None when Compose picks the host port."""

    target: int
    published: int | None = None
    host_ip: str = ""
    protocol: str = "tcp"


@dataclass(frozen=True)
class HostPort:
    """A Compose host port that differs from its container port, and where the file says it."""

    port: int
    key: str        # ports[0]
    shown: str      # '8080:80', as written


def port_number(text: Any, what: str = "port") -> int:
    if isinstance(text, bool):
        raise ValueError(f"{text!r} is not a {what} number")
    raw = str(text).strip()
    if "-" in raw:
        raise ValueError(f"{raw!r} is a port range; the ECS task lists single ports: write them one by one")
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise ValueError(f"{raw!r} is not a {what} number (1 to 65535)")
    return int(raw)


def short_port(value: Any) -> Port:
    """`[HOST_IP:][HOST:]CONTAINER[/PROTOCOL]`, or a bare number."""
    if isinstance(value, int) and not isinstance(value, bool):
        return Port(port_number(value))
    if not isinstance(value, str):
        raise ValueError(f"expected a port such as '8080:80' or a mapping with target, got {type_name(value)}")
    text, _, protocol = value.partition("/")
    host_ip = ""
    if text.startswith("["):  # [::1]:8080:80
        end = text.find("]")
        host_ip, text = text[1:end], text[end + 2:]
    parts = text.split(":")
    if len(parts) > 3:
        raise ValueError(f"{value!r} is not a port; write [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]")
    if len(parts) == 3:
        host_ip = parts.pop(0)
    target = port_number(parts[-1], "container port")
    published = port_number(parts[0], "host port") if len(parts) == 2 and parts[0] else None
    return Port(target, published, host_ip, _protocol(protocol or "tcp"))


def long_port(value: dict[str, Any]) -> Port:
    if "target" not in value:
        raise ValueError("a port in long form needs target: (the container port)")
    published = value.get("published")
    return Port(port_number(value["target"], "container port"),
                port_number(published, "host port") if published not in (None, "") else None,
                str(value.get("host_ip") or ""), _protocol(str(value.get("protocol") or "tcp")))


def _protocol(text: str) -> str:
    if text.lower() not in ("tcp", "udp"):
        raise ValueError(f"protocol {text!r} is not tcp or udp")
    return text.lower()


def expose_ports(value: Any) -> list[Port]:
    if not isinstance(value, list):
        raise ValueError(f"expected a list of ports, got {type_name(value)}")
    ports = []
    for item in value:
        text, _, protocol = str(item).partition("/")
        ports.append(Port(port_number(text, "container port"), protocol=_protocol(protocol or "tcp")))
    return ports
