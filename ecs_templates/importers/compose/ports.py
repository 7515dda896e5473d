"""A service's `expose:` and `ports:` read into its container ports: which are public, which protocol."""
from __future__ import annotations

from typing import Any, Mapping

from ecs_templates.config.fields import type_name
from ecs_templates.config.container import APP_PROTOCOLS
from ecs_templates.importers.compose import values
from ecs_templates.importers.compose.keys import DATABASE_PORTS


def read_ports(reader: Any) -> None:
    if reader.raw.get("expose") is not None:
        for port in reader.convert("expose", values.expose_ports, reader.resolved("expose")):
            add_port(reader, port.target, {"container": port.target} |
                           ({"protocol": port.protocol} if port.protocol != "tcp" else {}), "expose:")
    if reader.raw.get("ports") is None:
        return
    ports = reader.resolved("ports")
    if not isinstance(ports, list):
        raise reader.error("ports", f"expected a list of ports, got {type_name(ports)}")
    for index, item in enumerate(ports):
        key = f"ports[{index}]"
        if isinstance(item, dict):
            for extra in sorted(set(item) - {"target", "published", "host_ip", "protocol", "mode",
                                             "app_protocol", "name"}):
                if not extra.startswith("x-"):
                    reader.warn(f"{key}.{extra}", "has no ECS meaning here; not imported")
            port = reader.convert(key, values.long_port, item)
        else:
            port = reader.convert(key, values.short_port, item)
        published(reader, key, item, port, app_protocol(reader, key, item, port))

def app_protocol(reader: Any, key: str, item: Any, port: values.Port) -> str | None:
    """Compose's `app_protocol` hint of the long port syntax: what the port speaks (http, grpc, ...)."""
    if not isinstance(item, dict) or item.get("app_protocol") in (None, ""):
        return None
    protocol = str(item["app_protocol"]).lower()
    if protocol not in APP_PROTOCOLS:
        raise reader.error(f"{key}.app_protocol",
                         f"{item['app_protocol']!r} is not one the stacks route; use one of "
                         f"{', '.join(APP_PROTOCOLS)} (the load balancer ends TLS itself: a port "
                         "that speaks HTTPS is tcp, passed through)")
    if (protocol == "udp") != (port.protocol == "udp"):
        raise reader.error(f"{key}.app_protocol", f"{protocol} does not go with protocol {port.protocol}; "
                                                "udp ports speak udp, tcp ports http, http2, grpc or tcp")
    return protocol

def published(reader: Any, key: str, written: Any, port: values.Port, app_protocol: str | None = None) -> None:
    entry: dict[str, Any] = {"container": port.target}
    if port.protocol != "tcp":
        entry["protocol"] = port.protocol
    if app_protocol is not None:
        entry["app_protocol"] = app_protocol
    shown = written if isinstance(written, (str, int)) else \
        f"{port.published}:{port.target}" if port.published else str(port.target)
    if port.host_ip in ("127.0.0.1", "::1", "localhost"):
        reader.warn(key, f"{shown!r} is published on the local loopback only; on ECS the port stays "
                       "private to the task")
    elif port.target in DATABASE_PORTS:
        reader.warn(key, f"{shown!r}: database ports are never public on ECS; {port.target} stays "
                       "private to the task, where the other containers reach it")
    elif port.protocol != "tcp":
        entry["public"] = True  # the services stacks' Network Load Balancer (importers/compose/options.py)
    else:
        if port.published is None:
            reader.warn(key, f"{shown!r}: Compose publishes it on a random host port; ECS publishes "
                           f"the container port {port.target}")
        elif port.published != port.target:
            reader.draft.published[port.target] = values.HostPort(port.published, key, shown)
        entry.update(host=port.target, public=True)
    add_port(reader, port.target, entry, "ports:")

def add_port(reader: Any, number: int, entry: dict[str, Any], source: str) -> None:
    known = reader.draft.ports.get(number)
    if known is None or (entry.get("public") and not known.get("public")):
        if known is not None and "app_protocol" in known and "app_protocol" not in entry:
            entry["app_protocol"] = known["app_protocol"]
        reader.draft.ports[number] = entry
        reader.draft.sources[number] = source
    elif "app_protocol" in entry:
        known["app_protocol"] = entry["app_protocol"]


def publish_host_ports(drafts: Mapping[str, Any], report: Any) -> None:
    """Which compose host port (`8081:80`) the load balancer keeps, once every service is read.

    A task cannot map one port to another (awsvpc), but a listener can: when two services publish
    the same container port under distinct host ports (web1 `81:5000`, web2 `82:5000`), each keeps
    its host port as its listener's, as on the Compose host. Otherwise the container port is
    published, as the single-task stacks must, and the host port is reported as dropped.
    """
    publishers: dict[int, list[Any]] = {}
    for draft in drafts.values():
        for number, entry in draft.ports.items():
            if entry.get("public") and entry.get("protocol", "tcp") == "tcp":
                publishers.setdefault(number, []).append(draft)
    for number, group in sorted(publishers.items()):
        hosts = [draft.published.get(number) for draft in group]
        keep = len(group) > 1 and all(hosts) and len({host.port for host in hosts}) == len(hosts)
        for draft, host in zip(group, hosts):
            if host is None:
                continue
            if keep:
                draft.ports[number]["host"] = host.port
                others = ", ".join(other.compose_name for other in group if other is not draft)
                report.note(draft.compose_name, host.key,
                            f"{host.shown!r}: published at {host.port} on the load balancer, its Compose host "
                            f"port, since {others} also publish{'es' if len(group) == 2 else ''} container "
                            f"port {number}")
            else:
                report.warn(draft.compose_name, host.key,
                            f"{host.shown!r}: the host port {host.port} is a local choice; ECS publishes the "
                            f"container port {number} (under awsvpc a task cannot map one port to another)")
