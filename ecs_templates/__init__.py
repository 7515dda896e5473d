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
from ecs_templates.config.model import (  # noqa: E402
    Application,
    Config,
    Connection,
    Container,
    Dependency,
    GeneratedSecret,
    HealthCheck,
    Mount,
    PortMapping,
)
from ecs_templates.config.services import RdsSettings, ServiceSettings, ServicesDeployment  # noqa: E402

__all__ = [
    "Application", "BuildFailed", "Config", "ConfigError", "Connection", "Container", "Dependency",
    "GeneratedSecret", "HealthCheck", "Mount", "PortMapping", "RdsSettings", "ServiceSettings",
    "ServicesDeployment", "Topology", "__version__", "build_templates", "configure", "load_config",
    "parse_config", "topology", "write_artifacts",
]
