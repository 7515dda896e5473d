"""Deployable stacks: each module composes builders into one Template.

The registry below is the single list the command line, the artifacts and the tests
iterate over; adding a stack means adding one line here.
"""
from __future__ import annotations

from typing import Callable, NamedTuple

from troposphere import Template

from ecs_templates.config.model import Config
from ecs_templates.stacks import ecr, ecs_ec2, ecs_fargate, ecs_services


def always(config: Config) -> bool:
    return True


class StackSpec(NamedTuple):
    name: str
    summary: str
    build: Callable[[Config], Template]
    # Whether the config asks for this stack at all (e.g. one database variant of ecs-services).
    enabled: Callable[[Config], bool] = always


STACKS: tuple[StackSpec, ...] = (
    StackSpec(ecr.NAME, ecr.SUMMARY, ecr.build),
    StackSpec(ecs_ec2.NAME, ecs_ec2.SUMMARY, ecs_ec2.build),
    StackSpec(ecs_fargate.NAME, ecs_fargate.SUMMARY, ecs_fargate.build),
    *(StackSpec(ecs_services.stack_name(variant), ecs_services.SUMMARIES[variant], ecs_services.builder(variant),
                ecs_services.enabled(variant)) for variant in ecs_services.SUMMARIES),
)


def stack_names() -> list[str]:
    return [spec.name for spec in STACKS]


def build_all(config: Config) -> dict[str, Template]:
    """Every stack the config asks for, in registry order."""
    return {spec.name: spec.build(config) for spec in STACKS if spec.enabled(config)}
