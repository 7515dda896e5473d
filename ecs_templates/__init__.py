"""Generate production-grade CloudFormation for containers on Amazon ECS.

The Python API (docs/python-api.md):

    from ecs_templates import Application, Container, PortMapping, configure, build_templates, write_artifacts
"""
from __future__ import annotations

__version__ = "0.2.0.dev0"

# After __version__: the modules below read it.
from ecs_templates.api import (  # noqa: E402
    BuildFailed,
    ConfigError,
    Topology,
    build_templates,
    configure,
    load_config,
    parse_config,
    topology,
    write_artifacts,
)
from ecs_templates.config.application import Application, GeneratedSecret  # noqa: E402
from ecs_templates.config.container import (  # noqa: E402
    Connection,
    Container,
    Dependency,
    HealthCheck,
    Mount,
    PortMapping,
)
from ecs_templates.config.model import Config  # noqa: E402
from ecs_templates.config.services import RdsSettings, ServiceSettings, ServicesDeployment  # noqa: E402
from ecs_templates.errors import ComposeError  # noqa: E402

# The Compose importer loads on first use, so that `import ecs_templates` (and every build) stays light.
_COMPOSE_IMPORTER = ("ImportResult", "import_compose")


def __getattr__(name: str) -> object:
    if name in _COMPOSE_IMPORTER:
        from ecs_templates.importers import compose

        return getattr(compose, name)
    raise AttributeError(f"module 'ecs_templates' has no attribute {name!r}")


__all__ = [
    "Application", "BuildFailed", "ComposeError", "Config", "ConfigError", "Connection", "Container", "Dependency",
    "GeneratedSecret", "HealthCheck", "ImportResult", "Mount", "PortMapping", "RdsSettings", "ServiceSettings",
    "ServicesDeployment", "Topology", "__version__", "build_templates", "configure", "import_compose",
    "load_config", "parse_config", "topology", "write_artifacts",
]
