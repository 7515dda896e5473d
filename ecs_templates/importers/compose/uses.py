"""Environment values that name another service as a host, turned into the container's `uses` entries.

ECS containers find each other through such values, written per network mode when the
templates are built (ecs_templates/wiring.py); what cannot be wired (an address in a command, a link no
value names, a database waited for only until it starts) gets a warning with the fix.
"""
from __future__ import annotations

from typing import Any, Mapping

from ecs_templates.config import images
from ecs_templates.config.addresses import find_address
from ecs_templates.importers.compose.draft import Draft
from ecs_templates.importers.compose.environment import PASSWORD_MARK
from ecs_templates.importers.compose.keys import DATABASE_PORTS
from ecs_templates.importers.compose.reach import hosts_of
from ecs_templates.importers.compose.report import Report


def wire_addresses(drafts: Mapping[str, Draft], report: Report) -> dict[str, list[dict[str, Any]]]:
    """Plain values naming another service as a host become `uses` entries."""
    by_container = {draft.name: draft for draft in drafts.values()}
    wired: dict[str, list[dict[str, Any]]] = {}
    for draft in drafts.values():
        hosts = hosts_of(draft, drafts)
        uses = []
        for variable in sorted(draft.environment):
            address = find_address(variable, draft.environment[variable], hosts)
            if address is None:
                continue
            target = by_container[address.target]
            port = address.port
            main = next(iter(images.well_known_ports(target.data.get("image", ""))), None)
            if port is None and len(target.ports) > 1 and main in target.ports:
                port = main  # the image's main port, of those it lists (mysql: 3306, not 33060)
            if port is None:
                if len(target.ports) != 1:
                    have = ", ".join(map(str, sorted(target.ports))) or "none"
                    raise report.error(draft.compose_name, f"environment.{variable}",
                                       f"names service {target.compose_name} without a port, and it has "
                                       f"{'several' if target.ports else 'no'} ports ({have}); write the "
                                       f"port in the value or add it to {target.compose_name}'s expose:")
                port = next(iter(target.ports))
            target.ports.setdefault(port, {"container": port})
            del draft.environment[variable]
            use: dict[str, Any] = {"container": target.name, "port": port, "env": variable}
            if address.format != "{host}:{port}":
                use["format"] = address.format.replace(PASSWORD_MARK, "{password}")
            if variable in draft.assembled:
                use["password"] = draft.assembled[variable]
            uses.append(use)
        for variable in sorted(set(draft.assembled) & set(draft.environment)):
            raise report.error(draft.compose_name, f"environment.{variable}",
                               "holds a URL with a password in it whose host is no service of this file, so the "
                               "import cannot assemble it on ECS; pass the password in a variable of its own")
        for key in ("command", "entry_point"):
            for word in draft.data.get(key, []):
                address = find_address("HOST", word, hosts)
                if address and address.format != "{host}":
                    report.warn(draft.compose_name, key.replace("entry_point", "entrypoint"),
                                f"{word!r} names service {by_container[address.target].compose_name}, which "
                                "resolves under bridge only (awsvpc answers on 127.0.0.1); pass the address "
                                "in an environment variable instead, which the import wires for each mode")
        for alias, container in sorted(draft.links.items()):
            if not any(use["container"] == container for use in uses):
                report.warn(draft.compose_name, "links", f"{alias}: no environment value names it, so it is "
                            "not wired; ECS containers find each other through such values (a link under "
                            "bridge, 127.0.0.1 under awsvpc), not through names inside the image")
        for use in uses:
            target = by_container[use["container"]]
            if draft.depends_on.get(target.name) == "START" and use["port"] in DATABASE_PORTS:
                fix = ("" if "health_check" in target.data else
                       f"give {target.compose_name} a healthcheck and ")
                report.warn(draft.compose_name, f"depends_on.{target.compose_name}",
                            f"waits only until {target.compose_name} starts, not until it accepts "
                            f"connections; {fix}use condition: service_healthy")
        wired[draft.name] = uses
    return wired
