"""A Compose file read into the application config that `ecs-templates build --config` accepts.

Each service becomes one container and one service of the `ecs-services` stack; the
single-task stacks (ecs-ec2, ecs-fargate) hold them all in one task when they can
(`plan` chooses the stacks and says why). The result is plain data, validated by the
config loader and the services topology before it is returned.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from ecs_templates.config.fields import type_name
from ecs_templates.config.loader import parse_config, read_yaml_file
from ecs_templates.config.model import NAME_PATTERN, Config
from ecs_templates.errors import ComposeError, ConfigError
from ecs_templates.config.addresses import find_address
from ecs_templates.config import images
from ecs_templates.config.topology import Topology, topology
from ecs_templates.importers.compose import options, plan
from ecs_templates.importers.compose.assembly import assemble
from ecs_templates.importers.compose.environment import PASSWORD_MARK
from ecs_templates.importers.compose.extension import apply_ports, merged_tasks, rds_choice, read_extension
from ecs_templates.importers.compose.networks import declared_networks
from ecs_templates.importers.compose.ports import publish_host_ports
from ecs_templates.importers.compose.reach import give_ports, hosts_of
from ecs_templates.importers.compose.interpolation import InterpolationError, dotenv_variables, resolve
from ecs_templates.importers.compose.keys import DATABASE_PORTS, TOP_LEVEL_KEYS, TOP_LEVEL_UNSUPPORTED
from ecs_templates.importers.compose.report import Finding, Report
from ecs_templates.importers.compose.secrets import SecretBook
from ecs_templates.importers.compose.service import Context, Draft, read_service
from ecs_templates.importers.compose.summary import service_notes
from ecs_templates.importers.compose.tags import ComposeLoader

_SERVICE_HINTS = ("image", "build", "ports", "environment", "depends_on", "command")
_NOT_NAME = re.compile(r"[^a-z0-9]+")
_CONTAINER_ORDER = ("image", "essential", "ports", "environment", "secrets", "uses", "depends_on",
                    "health_check", "command", "entry_point", "working_directory", "user", "cpu",
                    "memory", "memory_reservation", "labels", "mounts", "networks", "stop_timeout", "build", "copies",
                    "stop_signal", "interactive", "pseudo_terminal", "host_mounts", "linux")


@dataclass(frozen=True)
class ImportResult:
    data: dict[str, Any]
    config: Config
    warnings: list[Finding] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)  # the import report: stacks, ports, sizes


def import_compose(path: Path, *, environ: Mapping[str, str] | None = None,
                   lenient: bool = False, profiles: Sequence[str] = ()) -> ImportResult:
    """Read the Compose file at `path`; variables come from `environ` (default: os.environ) and `.env`.

    `profiles` are the Compose profiles to start (`--profile`): services of other profiles are left out.
    """
    report = Report(str(path), lenient=lenient)
    try:
        document = read_yaml_file(path, "Compose file", ComposeLoader)
    except ConfigError as error:
        raise ComposeError(str(path), "", error.message.replace(f"Compose file {path} ", "")) from None
    document = assemble(_check_document(document, report), path, report, profiles)
    environ = dict(os.environ if environ is None else environ)
    variables = {**_dotenv(path.parent, environ, report), **environ}
    book = SecretBook(path.name)
    services = _service_names(document["services"], report)
    context = Context(report=report, variables=variables, book=book, directory=path.parent,
                      services=services,
                      volumes=_volumes(document.get("volumes"), variables, report),
                      secrets=_secrets(document.get("secrets"), variables, book, report),
                      networks=declared_networks(document.get("networks"), report))
    drafts = {name: read_service(context, name, document["services"][name]) for name in sorted(services)}
    extensions = {name: read_extension(report, name, document["services"][name]) for name in drafts}
    apply_ports(extensions, drafts, report)
    give_ports(drafts, report, path.parent)
    publish_host_ports(drafts, report)
    uses = _wire_addresses(drafts, report)
    data: dict[str, Any] = {"application": {
        "extends": "none",
        "name": _application_name(document, path, variables, report),
        **({"secrets": book.config()} if book.config() else {}),
        **({"tags": tags} if (tags := _tags(drafts, report)) else {}),
        "containers": {draft.name: _container(draft, drafts, uses[draft.name]) for draft in drafts.values()},
    }}
    _warn_volumes(drafts, report)
    config, services = _checked(path, {**data, "stacks": list(plan.ALWAYS)})
    plan.check_replicas(drafts, services, report)
    tasks = merged_tasks(extensions, drafts, plan.service_settings(drafts, report))
    rds, replace = rds_choice(extensions, drafts, [s.name for s in services.services if s.database])
    section = {**({"tasks": tasks} if tasks else {}), **({"rds": {"replace": replace}} if replace else {})}
    if section:
        data["services"] = section
        config, services = _checked(path, {**data, "stacks": list(plan.ALWAYS)})
    data["stacks"] = plan.stacks(config, services, report, rds=rds)
    options.choose_ec2(data, config, report)
    config, services = _checked(path, data)
    service_notes(data["application"]["containers"], {d.compose_name: d.name for d in drafts.values()}, report)
    plan.port_notes(drafts, services, report)
    _warn_task_size(config, report)
    return ImportResult(data, config, list(report.warnings), list(report.notes))


def _checked(path: Path, data: dict[str, Any]) -> tuple[Config, Topology]:
    """The config of `data` and its services, or the import's error naming what is wrong."""
    try:
        config = parse_config(data)
        return config, topology(config)
    except ConfigError as error:
        raise ComposeError(str(path), "", f"the imported configuration is not valid: {error}") from None


def _warn_task_size(config: Config, report: Report) -> None:
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


def _check_document(document: Any, report: Report) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise report.error(None, "", f"expected a mapping at the top level (services:, volumes:, ...), "
                                     f"got {type_name(document)}")
    services = document.get("services")
    strays = sorted(key for key, value in document.items()
                    if key not in TOP_LEVEL_KEYS and not str(key).startswith("x-")
                    and isinstance(value, dict) and any(hint in value for hint in _SERVICE_HINTS))
    if strays and not services:
        listed = ", ".join(strays)
        state = "is empty" if "services" in document else "is missing"
        raise report.error(None, "services", f"{state} while {listed} at the top level look like services: "
                                             f"the services look mis-indented; indent {listed} under "
                                             "services: (two more spaces)")
    for key in document:
        if not isinstance(key, str) or (key not in TOP_LEVEL_KEYS and not key.startswith("x-")):
            raise report.error(None, str(key), f"unknown top-level key; a Compose file has "
                                               f"{', '.join(TOP_LEVEL_KEYS)} (and x-* extensions)")
    if document.get("include") and services is None:
        document = {**document, "services": {}}  # a file of includes only; assembly checks what they give
        services = document["services"]
    elif "services" not in document or not services:
        raise report.error(None, "services", "no services defined; add at least one under services:")
    if not isinstance(services, dict):
        raise report.error(None, "services", f"expected a mapping of service names, got {type_name(services)}")
    version = document.get("version")
    if version is not None and not isinstance(version, (str, int, float)):
        raise report.error(None, "version", f"expected a version such as '3.8', got {type_name(version)}")
    for key in sorted(TOP_LEVEL_UNSUPPORTED):
        if document.get(key):
            report.unsupported(None, key, TOP_LEVEL_UNSUPPORTED[key])
    return document


def _dotenv(directory: Path, environ: Mapping[str, str], report: Report) -> dict[str, str]:
    path = directory / ".env"
    if not path.is_file():
        return {}
    try:
        return dotenv_variables(path.read_text("utf-8"), environ)
    except (OSError, UnicodeDecodeError) as error:
        raise ComposeError(str(path), "", f"cannot read: {error}") from None
    except InterpolationError as error:
        raise ComposeError(str(path), "", str(error)) from None


def _kebab(text: str) -> str:
    return _NOT_NAME.sub("-", text.lower()).strip("-")


def _service_names(services: dict[str, Any], report: Report) -> dict[str, str]:
    """Compose service name -> ECS container name (lower-case letters, digits, hyphens)."""
    names: dict[str, str] = {}
    for service in sorted(services, key=str):
        name = _kebab(str(service))
        if not NAME_PATTERN.match(name):
            raise report.error(str(service), "", "cannot be an ECS container name; use letters, digits and "
                                                 "hyphens, starting with a letter")
        clash = [other for other, taken in names.items() if taken == name]
        if clash:
            raise report.error(str(service), "", f"becomes the container name {name}, like service {clash[0]}; "
                                                 "rename one of them")
        if name != service:
            report.warn(str(service), "", f"is named {name} on ECS (container names are lower-case letters, "
                                          "digits and hyphens); addresses naming it are rewritten")
        names[str(service)] = name
    return names


def _volumes(value: Any, variables: Mapping[str, str], report: Report) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise report.error(None, "volumes", f"expected a mapping of volume names, got {type_name(value)}")
    volumes = {}
    for name, options in sorted(value.items()):
        options = options or {}
        if not isinstance(options, dict):
            raise report.error(None, f"volumes.{name}", f"expected a mapping, got {type_name(options)}")
        for key in sorted(options):
            if not str(key).startswith("x-"):
                report.unsupported(None, f"volumes.{name}.{key}",
                                   "ECS task storage has no drivers, labels or external volumes")
        volumes[str(name)] = re.sub(r"[^A-Za-z0-9_-]", "-", str(name))
    return volumes


def _secrets(value: Any, variables: Mapping[str, str], book: SecretBook, report: Report) -> dict[str, str]:
    """Top-level secrets: each becomes a generated secret; its local source is never read."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise report.error(None, "secrets", f"expected a mapping of secret names, got {type_name(value)}")
    secrets = {}
    for name, options in sorted(value.items()):
        options = options or {}
        where = f"secrets.{name}"
        if not isinstance(options, dict):
            raise report.error(None, where, f"expected a mapping (file: or environment:), got {type_name(options)}")
        for key in sorted(options):
            if key not in ("file", "environment", "external", "name", "x-description") \
                    and not str(key).startswith("x-"):
                report.unsupported(None, f"{where}.{key}", "has no meaning for a generated secret")
        try:
            options = resolve(options, variables, [])
        except InterpolationError as error:
            raise report.error(None, where, str(error)) from None
        description = options.get("x-description") or ""
        if not isinstance(description, str):
            raise report.error(None, f"{where}.x-description", "expected text")
        variable = options.get("environment")
        secrets[str(name)] = book.compose_secret(str(name), variable=variable if isinstance(variable, str) else None,
                                                 description=description.strip())
    return secrets


def _wire_addresses(drafts: Mapping[str, Draft], report: Report) -> dict[str, list[dict[str, Any]]]:
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


def _tags(drafts: Mapping[str, Draft], report: Report) -> dict[str, str]:
    tags: dict[str, str] = {}
    owners: dict[str, str] = {}
    for draft in drafts.values():
        for key, value in draft.tags.items():
            if key in tags and tags[key] != value:
                raise report.error(draft.compose_name, f"deploy.labels.{key}",
                                   f"{value!r} differs from {owners[key]}'s {tags[key]!r}; the services share "
                                   "one task, which has one set of tags")
            tags[key], owners[key] = value, draft.compose_name
    return dict(sorted(tags.items()))


def _container(draft: Draft, drafts: Mapping[str, Draft], uses: list[dict[str, Any]]) -> dict[str, Any]:
    # A container others wait for to complete must be allowed to exit.
    must_exit = any(other.depends_on.get(draft.name) == "SUCCESS" for other in drafts.values())
    container: dict[str, Any] = {
        **draft.data,
        "essential": not must_exit,
        "ports": [draft.ports[port] for port in sorted(draft.ports)],
        "environment": dict(sorted(draft.environment.items())),
        "secrets": dict(sorted(draft.secrets.items())),
        "uses": uses,
        "depends_on": dict(sorted(draft.depends_on.items())),
    }
    return {key: container[key] for key in _CONTAINER_ORDER if container.get(key) not in (None, [], {})
            or key == "essential"}


def _application_name(document: dict[str, Any], path: Path, variables: Mapping[str, str],
                      report: Report) -> str:
    """The Compose project name: `name:`, else the directory of the file, as Compose does."""
    written = document.get("name")
    if written is not None:
        try:
            written = resolve(written, variables, [])
        except InterpolationError as error:
            raise report.error(None, "name", str(error)) from None
    raw = str(written) if written else path.resolve().parent.name
    name = _kebab(raw)
    if not name[:1].isalpha():
        name = f"app-{name}".rstrip("-")
    return name[:40].rstrip("-")


def _warn_volumes(drafts: Mapping[str, Draft], report: Report) -> None:
    used = sorted({volume for draft in drafts.values() for volume in draft.volumes})
    for volume in used:
        report.warn(None, f"volumes.{volume}", "becomes a task volume shared by its containers: on ecs-ec2 a "
                                               "Docker volume of the instance (kept across task restarts there, "
                                               "lost with the instance), on ecs-fargate task storage (a replaced "
                                               "task starts empty); in ecs-services an access point on the "
                                               "stack's EFS file system, which is kept")
