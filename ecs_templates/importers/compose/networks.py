"""Compose networks: who may talk to whom, and the extra names (aliases) a service answers to.

In the services stacks every service has its own security group, opened to each client on
the ports its references name (config/topology.py derives the links, stacks/services/
traffic.py the ingress rules). A compose network narrows that further: a service may reach
another only when they share a network, as in Compose, so a network is the set of security
group rules between its members. No `networks:` is the one default network.

Aliases (`networks: {back: {aliases: [database]}}`) are resolved here, in the import: a
value naming an alias (`DB_HOST: database`) becomes a `uses` entry for the aliased service,
and the stacks write the address that service answers to (its Service Connect name, a link
under bridge, 127.0.0.1 in one task). This costs no Service Connect entry per alias (ECS
allows one client alias per port entry, and each name and port once in the namespace:
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceConnectService.html),
and an alias no value names needs no name on ECS at all.
"""
from __future__ import annotations

import re
from typing import Any

from ecs_templates.config.fields import type_name
from ecs_templates.config.container import DEFAULT_NETWORK
from ecs_templates.importers.compose.document import named_entries
from ecs_templates.importers.compose.report import Report

_NOTED = ("driver", "driver_opts", "labels", "name", "ipam", "attachable", "enable_ipv4", "enable_ipv6",
          "internal")
_SERVICE_OPTIONS = ("aliases", "ipv4_address", "ipv6_address", "link_local_ips", "priority",
                    "mac_address", "driver_opts", "gw_priority", "interface_name")


def declared_networks(value: Any, report: Report) -> dict[str, str]:
    """Top-level `networks:`: compose name -> network name in the config (`default` always exists)."""
    networks = {DEFAULT_NETWORK: DEFAULT_NETWORK}
    for name, options, where in named_entries(value, "networks", report):
        for key in sorted(options, key=str):
            if str(key).startswith("x-"):
                continue
            if key == "external":
                if options[key]:
                    report.unsupported(None, f"{where}.external", "a network made outside this file has no "
                                                                  "ECS meaning here: the stack makes the security "
                                                                  "groups of its own services only")
            elif key in _NOTED:
                report.warn(None, f"{where}.{key}", "ECS networks are security group rules inside the stack's "
                                                    "VPC; not imported")
            else:
                raise report.error(None, f"{where}.{key}", f"unknown key; networks have {', '.join(_NOTED)}, external")
        networks[name] = re.sub(r"[^A-Za-z0-9_.-]", "-", name).lstrip("_.-") or "network"
    return networks


def service_networks(reader: Any, declared: dict[str, str]) -> tuple[tuple[str, ...], dict[str, str]]:
    """The service's networks (config names) and its aliases: alias -> its network (config name)."""
    if reader.raw.get("networks") is None:
        return (), {}
    value = reader.resolved("networks")
    if isinstance(value, list):
        value = {item: None for item in value}
    if not isinstance(value, dict):
        raise reader.error("networks", f"expected a list or mapping of network names, got {type_name(value)}")
    names: list[str] = []
    aliases: dict[str, str] = {}
    for network, options in value.items():
        key = f"networks.{network}"
        if network not in declared:
            listed = ", ".join(sorted(set(declared) - {DEFAULT_NETWORK})) or "none"
            raise reader.error(key, f"network {network!r} is not declared under the top-level networks: "
                                    f"(declared: {listed}); declare it there or remove it from the service")
        names.append(declared[network])
        options = options or {}
        if not isinstance(options, dict):
            raise reader.error(key, f"expected a mapping (aliases: ...), got {type_name(options)}")
        for option in sorted(options):
            if option == "aliases":
                for alias in reader.convert(f"{key}.aliases", _names, options[option]):
                    aliases[alias] = declared[network]
            elif option in _SERVICE_OPTIONS:
                reader.warn(f"{key}.{option}", "addresses on ECS are the VPC's; not imported")
            elif not str(option).startswith("x-"):
                raise reader.error(f"{key}.{option}", f"unknown key; a service's network has {', '.join(_SERVICE_OPTIONS)}")
    networks = tuple(sorted(set(names)))
    return (() if networks == (DEFAULT_NETWORK,) else networks), aliases


def _names(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise ValueError(f"expected a list of host names, got {type_name(value)}")
    return value
