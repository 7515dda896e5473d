"""What the imported application runs as: its stacks, each service's size and count, and its ports' protocols.

Every compose service is one service of the `ecs-services` stack. The other stacks are
chosen, and the report says why any is left out:
- `ecr` and `ecs-services` always;
- `ecs-ec2` and `ecs-fargate` (all containers in one task) only when no two services listen
  on one container port, which one network namespace cannot hold;
- `ecs-services-rds` when a service is a database the image table knows and its container
  sets what RDS takes over (database name, user, password secret: config/rds_replacement.py).
Containers that together outgrow the single task's size get a warning naming the setting to raise.

A port's protocol (what the load balancer routes) is, in this order: compose `app_protocol`
(long port syntax), UDP for a UDP port, the image table's word for that port of the image,
HTTP on a well-known web port (80, 3000, 8080, ...), else TCP. `services.tasks.<service>.
ports` is not needed: the imported `app_protocol` is written on the port.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

from ecs_templates.config import fargate_sizes, images
from ecs_templates.config.model import STACK_NAMES, Config
from ecs_templates.config.rds_replacement import STACK as RDS_STACK, replacements
from ecs_templates.config.services import ServiceSettings
from ecs_templates.config.topology import (Endpoint, Topology, first_http_endpoint, listener_port,
                                           single_task_port_clashes)
from ecs_templates.errors import ConfigError
from ecs_templates.importers.compose.report import Report
from ecs_templates.importers.compose.draft import Draft

ALWAYS = ("ecr", "ecs-services")
SINGLE_TASK = ("ecs-ec2", "ecs-fargate")


def stacks(config: Config, result: Topology, report: Report, *, rds: bool | None = None) -> list[str]:
    """The stacks this application can run as, in build order; a note for each one left out.

    `rds` is what the file's `x-ecs` says: True (RDS is asked for: an error if it cannot be),
    False (no service is to be replaced), None (when the application allows it).
    """
    chosen, reasons = set(ALWAYS), []
    clash = single_task_port_clashes(config.application)
    apart = _separate_networks(result)
    if apart is not None:
        reasons.append(f"{' and '.join(SINGLE_TASK)} left out: they run every service in one task (one "
                       f"network), and the file keeps {apart[0]} and {apart[1]} on networks that share "
                       "nothing; ecs-services runs each as its own service")
    elif clash is None:
        chosen.update(SINGLE_TASK)
    else:
        first, second, port = clash
        reasons.append(f"{' and '.join(SINGLE_TASK)} left out: they run every service in one task (one "
                       f"network), and {first} and {second} both listen on {port.protocol.upper()} "
                       f"{port.container_port}; ecs-services runs each as its own service")
    try:
        if rds is False:
            raise ConfigError("x-ecs", "x-ecs rds: false keeps every database service as a container")
        found = replacements(config, result)
    except ConfigError as error:
        reason = re.sub(rf"(, or|;) remove {RDS_STACK} from stacks$", "", error.message)
        if rds is True:
            raise report.error(None, "x-ecs.rds", f"true, but {RDS_STACK} cannot replace the database: {reason}")
        reasons.append(f"{RDS_STACK} left out: {reason}")
    else:
        chosen.add(RDS_STACK)
        reasons.append(f"{RDS_STACK}: Amazon RDS in place of " + ", ".join(
            f"{r.service.name} ({r.engine.rds_engine} {r.engine_version})" for r in found))
    names = [name for name in STACK_NAMES if name in chosen]
    for line in [", ".join(names)] + reasons:
        report.note(None, "stacks", line)
    return names


def _separate_networks(result: Topology) -> tuple[str, str] | None:
    """Two services on networks that share nothing, which one task (one network) would join."""
    services = sorted(result.services, key=lambda service: service.name)
    for index, first in enumerate(services):
        for second in services[index + 1:]:
            if not first.main.network_names & second.main.network_names:
                return first.name, second.name
    return None


def fargate_size(cpu: int | None, memory: int | None) -> tuple[int, int] | None:
    """The smallest Fargate size with at least `cpu` units and `memory` MiB (None: the largest is too small)."""
    for units in fargate_sizes.CPU_VALUES:
        if cpu is not None and units < cpu:
            continue
        fits = [value for value in fargate_sizes.VALID_MEMORY_MIB[units] if memory is None or value >= memory]
        if fits:
            return units, fits[0]
    return None


def service_settings(drafts: Mapping[str, Draft], report: Report) -> dict[str, dict[str, Any]]:
    """`services.tasks.<service>` from `deploy.replicas` and `deploy.resources.limits`."""
    defaults = ServiceSettings()
    tasks: dict[str, dict[str, Any]] = {}
    for draft in drafts.values():
        settings: dict[str, Any] = {}
        if draft.limits:
            cpu, memory = draft.limits.get("cpu"), draft.limits.get("memory")
            size = fargate_size(cpu, memory)
            if size is None:
                biggest = fargate_sizes.CPU_VALUES[-1]
                raise report.error(draft.compose_name, "deploy.resources.limits",
                                   f"{cpu or '-'} CPU units and {memory or '-'} MiB exceed the largest Fargate "
                                   f"size ({biggest} units, {fargate_sizes.VALID_MEMORY_MIB[biggest][-1]} MiB); "
                                   "lower the limits")
            settings.update(cpu=size[0], memory=size[1])
            asked = " and ".join(part for part in (f"{cpu} CPU units" if cpu else "",
                                                   f"{memory} MiB" if memory else "") if part)
            exact = (cpu in (None, size[0])) and (memory in (None, size[1]))
            (report.note if exact else report.warn)(draft.compose_name, "deploy.resources.limits",
                        f"{asked} become the Fargate size {size[0]} CPU units / {size[1]} MiB of its service "
                        f"(services.tasks.{draft.name})" + ("" if exact else ", rounded up to the smallest "
                                                                             "size Fargate offers that holds them"))
        if draft.replicas is not None:
            settings.update(desired_tasks=draft.replicas, max_tasks=max(draft.replicas, defaults.max_tasks))
            report.note(draft.compose_name, "deploy.replicas",
                        f"{draft.replicas} task(s) at first (services.tasks.{draft.name}.desired_tasks), scaling "
                        f"up to {settings['max_tasks']} on CPU")
        if settings:
            tasks[draft.name] = settings
    return tasks


def check_replicas(drafts: Mapping[str, Draft], result: Topology, report: Report) -> None:
    """A service that holds data keeps one task: say so in compose terms, before the config does."""
    for draft in drafts.values():
        if draft.replicas and draft.replicas > 1 and result.service(draft.name).holds_data:
            service = result.service(draft.name)
            what = (f"a {service.database.rds_engine} database" if service.database
                    else "volume " + ", ".join(sorted({v.name for v in service.volumes})))
            raise report.error(draft.compose_name, "deploy.replicas",
                               f"{draft.replicas} replicas of a service that holds data ({what}): it runs one "
                               "task, never two writers at once; remove deploy.replicas")


def warn_task_size(config: Config, report: Report) -> None:
    """Container sizes must fit in the task's; the task size is stack config, not Compose's."""
    containers = config.application.containers
    memory = sum(c.memory or c.memory_reservation or 0 for c in containers)
    cpu = sum(c.cpu or 0 for c in containers)
    deployments = [("ec2", config.ec2, "ecs-ec2"), ("fargate", config.fargate, "ecs-fargate")]
    for section, deployment, stack in deployments:
        if deployment is None or stack not in config.stacks:
            continue
        if memory > deployment.task_memory:
            report.warn(None, "services", f"the containers ask for {memory} MiB together, more than the "
                                          f"{section} task's {deployment.task_memory} MiB; raise "
                                          f"{section}.task_memory in the config")
        if cpu > deployment.task_cpu:
            report.warn(None, "services", f"the containers ask for {cpu} CPU units together, more than the "
                                          f"{section} task's {deployment.task_cpu}; raise {section}.task_cpu "
                                          "in the config")


def port_notes(drafts: Mapping[str, Draft], result: Topology, report: Report) -> None:
    """One line per port: its protocol and where that came from, where the port came from, who reaches it."""
    first = first_http_endpoint(result)
    by_container = {draft.name: draft for draft in drafts.values()}
    for service in result.services:
        draft = by_container.get(service.name)
        if draft is None:
            continue
        for endpoint in service.endpoints:
            if endpoint.container != service.name:
                continue
            clients = sorted({link.client for link in result.links_to(service.name) if link.port == endpoint.port})
            reach = ("public, " + _listener(endpoint, first, service) if endpoint.public else "private")
            reach += f"; reached by {', '.join(clients)}" if clients else ""
            report.note(draft.compose_name, "ports",
                        f"{endpoint.port}/{endpoint.transport} speaks {endpoint.app_protocol} "
                        f"({_protocol_source(draft, service.main.image, endpoint)}); port from "
                        f"{draft.sources.get(endpoint.port, 'ports:')}; {reach}")


def _listener(endpoint: Endpoint, first: Endpoint | None, service: Any) -> str:
    port = listener_port(endpoint, first, service.settings)
    return f"Application Load Balancer on {port}" if endpoint.is_http else f"Network Load Balancer on {port}"


def _protocol_source(draft: Draft, image: str, endpoint: Endpoint) -> str:
    if "app_protocol" in draft.ports.get(endpoint.port, {}):
        return "compose app_protocol"
    if endpoint.transport == "udp":
        return "a UDP port"
    known = images.known_image(image)
    if known and any(port == endpoint.port for port, _ in known.ports):
        return f"image table: {images.repository_of(image)}"
    if endpoint.port in images.HTTP_PORTS:
        return "well-known web port"
    return "no table entry or web port: TCP; set app_protocol: http on the compose port if it speaks HTTP"
