"""A Compose file read into the application config that `ecs-templates build --config` accepts.

Each service becomes one container and one service of the `ecs-services` stack; the
single-task stacks (ecs-ec2, ecs-fargate) hold them all in one task when they can
(`plan` chooses the stacks and says why). The result is plain data, validated by the
config loader and the services topology before it is returned.

This module runs the steps in order; each has a module of its own: the top level checked
(document.py), names (names.py), top-level volumes and secrets (volumes.py, secrets.py),
each service (service.py), the ports others reach (reach.py), addresses between services
(uses.py), the containers written out (containers.py), the stacks (plan.py).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from ecs_templates.config.loader import parse_config, read_yaml_file
from ecs_templates.config.model import Config
from ecs_templates.config.topology import Topology, topology
from ecs_templates.errors import ComposeError, ConfigError
from ecs_templates.importers.compose import options, plan
from ecs_templates.importers.compose.assembly import assemble
from ecs_templates.importers.compose.containers import container_config, task_tags
from ecs_templates.importers.compose.document import check_document
from ecs_templates.importers.compose.draft import Context
from ecs_templates.importers.compose.extension import apply_ports, merged_tasks, rds_choice, read_extension
from ecs_templates.importers.compose.interpolation import InterpolationError, dotenv_variables
from ecs_templates.importers.compose.names import application_name, service_names
from ecs_templates.importers.compose.networks import declared_networks
from ecs_templates.importers.compose.ports import publish_host_ports
from ecs_templates.importers.compose.reach import give_ports
from ecs_templates.importers.compose.report import Finding, Report
from ecs_templates.importers.compose.secrets import SecretBook, top_level_secrets
from ecs_templates.importers.compose.service import read_service
from ecs_templates.importers.compose.summary import service_notes
from ecs_templates.importers.compose.tags import ComposeLoader
from ecs_templates.importers.compose.uses import wire_addresses
from ecs_templates.importers.compose.volumes import top_level_volumes, warn_volumes


@dataclass(frozen=True)
class ImportResult:
    data: dict[str, Any]
    config: Config
    warnings: list[Finding] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)  # the import report: stacks, ports, sizes


def import_compose(path: str | os.PathLike[str], *, environ: Mapping[str, str] | None = None,
                   lenient: bool = False, profiles: Sequence[str] = ()) -> ImportResult:
    """Read the Compose file at `path`; variables come from `environ` (default: os.environ) and `.env`.

    `profiles` are the Compose profiles to start (`--profile`): services of other profiles are left out.
    """
    path = Path(path)
    report = Report(str(path), lenient=lenient)
    try:
        document = read_yaml_file(path, "Compose file", ComposeLoader)
    except ConfigError as error:
        raise ComposeError(str(path), "", error.message.replace(f"Compose file {path} ", "")) from None
    document = assemble(check_document(document, report), path, report, profiles)
    environ = dict(os.environ if environ is None else environ)
    variables = {**_dotenv(path.parent, environ, report), **environ}
    book = SecretBook(path.name)
    services = service_names(document["services"], report)
    context = Context(report=report, variables=variables, book=book, directory=path.parent,
                      services=services,
                      volumes=top_level_volumes(document.get("volumes"), variables, report),
                      secrets=top_level_secrets(document.get("secrets"), variables, book, report),
                      networks=declared_networks(document.get("networks"), report))
    drafts = {name: read_service(context, name, document["services"][name]) for name in sorted(services)}
    extensions = {name: read_extension(report, name, document["services"][name]) for name in drafts}
    apply_ports(extensions, drafts, report)
    give_ports(drafts, report, path.parent)
    publish_host_ports(drafts, report)
    uses = wire_addresses(drafts, report)
    data: dict[str, Any] = {"application": {
        "extends": "none",
        "name": application_name(document, path, variables, report),
        **({"secrets": book.config()} if book.config() else {}),
        **({"tags": tags} if (tags := task_tags(drafts, report)) else {}),
        "containers": {draft.name: container_config(draft, drafts, uses[draft.name]) for draft in drafts.values()},
    }}
    warn_volumes(drafts, report)
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
    plan.warn_task_size(config, report)
    return ImportResult(data, config, list(report.warnings), list(report.notes))


def _checked(path: Path, data: dict[str, Any]) -> tuple[Config, Topology]:
    """The config of `data` and its services, or the import's error naming what is wrong."""
    try:
        config = parse_config(data)
        return config, topology(config)
    except ConfigError as error:
        raise ComposeError(str(path), "", f"the imported configuration is not valid: {error}") from None


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
