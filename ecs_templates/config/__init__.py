"""Configuration: plain frozen data, validated on construction, no troposphere here."""
from __future__ import annotations

from ecs_templates.config.loader import load_config, parse_config
from ecs_templates.config.model import (
    Application,
    Config,
    Connection,
    Container,
    Dependency,
    Ec2Capacity,
    Ec2Deployment,
    GeneratedSecret,
    HealthCheck,
    Mount,
    PortMapping,
)

__all__ = [
    "Application",
    "Config",
    "Connection",
    "Container",
    "Dependency",
    "Ec2Capacity",
    "Ec2Deployment",
    "GeneratedSecret",
    "HealthCheck",
    "Mount",
    "PortMapping",
    "load_config",
    "parse_config",
]
