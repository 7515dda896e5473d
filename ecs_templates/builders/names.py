"""Names AWS keeps unique per account and Region: parameters, so that two copies of a stack can coexist.

A literal cluster name or task family makes the second deployment of a
template (another stack name or `--prefix`) fail, or share the first one's task family. Each
name is a parameter whose default is the configured (the lab's) name: the first copy keeps
the lab's names, a second one is given its own.
"""
from __future__ import annotations

from troposphere import Ref, Template

from ecs_templates.builders.template import add_parameter

NAMES_GROUP = "Names (unique in the account and Region: give others for a second copy)"
# ECS: "Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed"
# for cluster names, service names and task definition families:
# https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html
ECS_NAME_PATTERN = r"^[A-Za-z0-9_-]{1,255}$"
ECS_NAME_CONSTRAINT = "1 to 255 letters, digits, hyphens (-) and underscores (_)"

KINDS = {
    "cluster": ("ECS cluster", "Name of the ECS cluster; unique in the account and Region."),
    "service": ("ECS service", "Name of the ECS service; unique in its cluster."),
    "family": ("task definition family", "Family of the task definition; a second copy of the stack in the "
                                         "same account and Region needs its own, or both add revisions to one."),
}


def add_ecs_name(template: Template, name: str, *, kind: str, default: str, what: str = "") -> Ref:
    """A name parameter (`kind`: cluster, service or family) defaulting to `default`; returns its Ref."""
    label, description = KINDS[kind]
    parameter = add_parameter(
        template, name, group=NAMES_GROUP, label=f"{label} name" + (f" ({what})" if what else ""),
        Type="String", Default=default, AllowedPattern=ECS_NAME_PATTERN, ConstraintDescription=ECS_NAME_CONSTRAINT,
        Description=description + (f" Runs {what}." if what else ""))
    return Ref(parameter)
