"""Stack `ecs-services-rds`: which database services Amazon RDS replaces, and what it takes over from each.

RDS keeps the container's database, its application user and that user's password secret
(the environment names come from the image table); the master user is another one, whose
password RDS manages and rotates (see config/database_user.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ecs_templates.config.images import DatabaseEngine
from ecs_templates.config.model import Config
from ecs_templates.config.services import ENGINE_VERSION, PATH
from ecs_templates.config.topology import Service, Topology
from ecs_templates.errors import ConfigError

STACK = "ecs-services-rds"
DB_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,15}$")


@dataclass(frozen=True)
class Replacement:
    service: Service
    engine: DatabaseEngine
    engine_version: str
    database_name: str
    user: str
    password_secret: str
    port: int


def replacements(config: Config, topology: Topology) -> tuple[Replacement, ...]:
    """The database services RDS stands in for, each checked; an error when there is none to replace."""
    settings = config.services.rds
    databases = [service for service in topology.services if service.database is not None]
    names = {service.name for service in topology.services}
    for index, name in enumerate(settings.replace):
        if name not in names:
            raise ConfigError(f"{PATH}.rds.replace[{index}]",
                              f"no service named {name!r} (services: {', '.join(sorted(names))})")
        if topology.service(name).database is None:
            raise ConfigError(f"{PATH}.rds.replace[{index}]",
                              f"{name} ({topology.service(name).main.image}) is not a database that RDS can "
                              "replace (MySQL, MariaDB or PostgreSQL images); name one of: "
                              f"{', '.join(s.name for s in databases) or 'none'}")
    chosen = [s for s in databases if not settings.replace or s.name in settings.replace]
    if not chosen:
        raise ConfigError("stacks", f"{STACK} replaces database services with Amazon RDS, and this application has "
                                    "none of a known engine (MySQL, MariaDB, PostgreSQL images); remove "
                                    f"{STACK} from stacks")
    return tuple(_replacement(service, settings.engine_version) for service in chosen)


def _replacement(service: Service, configured_version: str) -> Replacement:
    engine = service.database
    assert engine is not None
    container = service.main
    env, secrets = container.environment_map, dict(container.secrets)
    found: dict[str, tuple[str, str]] = {}
    for names, source, what in ((engine.name_env, env, "database name"), (engine.user_env, env, "user"),
                                (engine.password_env, secrets, "password secret")):
        key = next((name for name in names if name in source), None)
        if key is None:
            where = "secrets" if what == "password secret" else "environment"
            raise ConfigError(f"{container.path}.{where}",
                              f"{STACK} takes the {what} from {container.name}'s {' or '.join(names)}, which it "
                              f"does not set; add it, or remove {STACK} from stacks")
        found[what] = (key, source[key])
    for what in ("database name", "user"):
        key, value = found[what]
        if not DB_IDENTIFIER.match(value):
            raise ConfigError(f"{container.path}.environment.{key}",
                              f"{value!r} is not valid as an RDS {what}: a letter, then letters, digits or _ "
                              "(at most 16)")
    key, user = found["user"]
    if user == engine.master_username:
        raise ConfigError(f"{container.path}.environment.{key}",
                          f"{user!r} is the RDS master user of {STACK}; the application connects as its own "
                          "user: give it another name")
    version = configured_version or engine.engine_version
    match = ENGINE_VERSION.match(version)
    if engine.tls_only_from and match and match.group(2) is not None \
            and (int(match.group(1)), int(match.group(2))) >= engine.tls_only_from:
        raise ConfigError(f"{PATH}.rds.engine_version",
                          f"RDS for {engine.rds_engine} {version} requires TLS for every connection "
                          "(require_secure_transport ON), and clients such as the official web images connect "
                          f"without it; choose a version below {'.'.join(map(str, engine.tls_only_from))}")
    port = next(endpoint.port for endpoint in service.endpoints) if service.endpoints else 0
    if not port:
        raise ConfigError(f"{container.path}.ports", f"{service.name} has no port; give it the database's port")
    return Replacement(service, engine, version, found["database name"][1], user, found["password secret"][1], port)
