"""Configuration: plain frozen data, validated on construction, no troposphere here."""
from __future__ import annotations

from ecs_templates.config.application import Application, GeneratedSecret
from ecs_templates.config.container import (
    Connection,
    Container,
    Dependency,
    HealthCheck,
    Mount,
    PortMapping,
)
from ecs_templates.config.deployments import Ec2Capacity, Ec2Deployment
from ecs_templates.config.loader import load_config, parse_config
from ecs_templates.config.model import Config

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
