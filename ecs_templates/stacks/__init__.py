"""Deployable stacks: each module composes builders into one Template.

The registry below is the single list the command line, the artifacts and the tests
iterate over; adding a stack means adding one line here.
"""
from __future__ import annotations

from typing import Callable, NamedTuple

from troposphere import Template

from ecs_templates.config.model import STACK_NAMES, Config
from ecs_templates.stacks import ecr, ecs_ec2, ecs_fargate, services


def enabled(name: str) -> Callable[[Config], bool]:
    return lambda config: name in config.stacks


class StackSpec(NamedTuple):
    name: str
    summary: str
    build: Callable[[Config], Template]
    # Whether the config asks for this stack (its `stacks:` list).
    enabled: Callable[[Config], bool]


STACKS: tuple[StackSpec, ...] = (
    StackSpec(ecr.NAME, ecr.SUMMARY, ecr.build, enabled(ecr.NAME)),
    StackSpec(ecs_ec2.NAME, ecs_ec2.SUMMARY, ecs_ec2.build, enabled(ecs_ec2.NAME)),
    StackSpec(ecs_fargate.NAME, ecs_fargate.SUMMARY, ecs_fargate.build, enabled(ecs_fargate.NAME)),
    *(StackSpec(name, summary, services.builder(name), enabled(name)) for name, summary in services.SUMMARIES.items()),
)
# The config names the stacks it asks for; the two lists must be one.
assert tuple(spec.name for spec in STACKS) == STACK_NAMES, "config.model.STACK_NAMES differs from the registry"


def stack_names() -> list[str]:
    return [spec.name for spec in STACKS]


def build_all(config: Config) -> dict[str, Template]:
    """Every stack the config asks for, in registry order."""
    return {spec.name: spec.build(config) for spec in STACKS if spec.enabled(config)}
