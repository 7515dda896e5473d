"""Repository names come from one deploy-time prefix that the ecr and the ECS stacks share."""
from __future__ import annotations

import json
import re
from typing import Any

import pytest

from ecs_templates.builders.registry import NAME_PREFIX_PARAMETER, NAME_PREFIX_PATTERN
from helpers import resources_of_type

# ECR's own grammar for a whole repository name (CreateRepository, repositoryName)
ECR_NAME = re.compile(r"(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*")


def substituted(text: str, prefix: str) -> str:
    return text.replace(f"${{{NAME_PREFIX_PARAMETER}}}", prefix)


@pytest.mark.parametrize("prefix, accepted", [
    ("", True), ("staging/", True), ("team-a/", True), ("copy2-", True), ("a/b/", True), ("x.", True),
    ("Staging/", False), ("/", False), ("-", False), ("a//", False), ("a-/", False), ("staging", False),
])
def test_prefix_pattern_gives_valid_repository_names(prefix: str, accepted: bool) -> None:
    assert bool(re.fullmatch(NAME_PREFIX_PATTERN, prefix)) is accepted
    if accepted:
        assert ECR_NAME.fullmatch(prefix + "wordpress")


def test_ecr_names_its_repositories_from_the_prefix(default_templates: dict[str, dict[str, Any]]) -> None:
    ecr = default_templates["ecr"]
    assert ecr["Parameters"][NAME_PREFIX_PARAMETER]["Default"] == ""
    names = sorted(substituted(repository["Properties"]["RepositoryName"]["Fn::Sub"], "")
                   for repository in resources_of_type(ecr, "AWS::ECR::Repository").values())
    assert names == sorted(ecr["Metadata"]["EcsTemplates"]["SourceImages"])  # the lab's names by default
    assert names == ["mariadb", "wordpress"]


@pytest.mark.parametrize("stack", ["ecs-ec2", "ecs-fargate", "ecs-services", "ecs-services-rds"])
def test_ecs_stacks_pull_from_and_may_read_the_prefixed_repositories(
        default_templates: dict[str, dict[str, Any]], stack: str) -> None:
    template = default_templates[stack]
    assert template["Parameters"][NAME_PREFIX_PARAMETER] == default_templates["ecr"]["Parameters"][NAME_PREFIX_PARAMETER]
    text = json.dumps(template)
    repositories = default_templates["ecr"]["Metadata"]["EcsTemplates"]["SourceImages"]
    used = [name for name in repositories if f"/${{{NAME_PREFIX_PARAMETER}}}{name}" in text]
    assert used, "the image URIs carry the prefix"
    for name in used:
        assert f"repository/${{{NAME_PREFIX_PARAMETER}}}{name}" in text, "the execution role reads that repository"
    assert not re.search(r"repository/(wordpress|mariadb)\b", text)
