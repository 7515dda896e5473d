"""ECR: one private repository per application image (seed 3.2)."""
from __future__ import annotations

import json

from troposphere import GetAtt, Parameter, Ref, Sub, Template, ecr

from ecs_templates.builders.suppressions import suppress
from ecs_templates.builders.template import add_parameter
from ecs_templates.config.model import RegistrySettings
from ecs_templates.naming import logical_id


# checkov CKV_AWS_51 wants immutable tags; the default workflow overwrites `latest`.
MUTABLE_TAGS_REASON = (
    "Tags are mutable by default because the default workflow pushes `latest` again after each "
    "change; the ImageTagMutability parameter switches to IMMUTABLE at deploy time, and every "
    "pushed image is scanned on push.")


# ECR's repository name grammar (CreateRepository, repositoryName), less the last component:
# https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html
NAME_PREFIX_PARAMETER = "RepositoryNamePrefix"
NAME_PREFIX_PATTERN = r"^([a-z0-9]+([._-][a-z0-9]+)*[/._-])*$"


def add_name_prefix_parameter(template: Template, *, group: str) -> Parameter:
    """The deploy-time prefix of every repository name, shared by the ecr and ECS stacks.

    Empty (the default) keeps the lab's names (`wordpress`, `mariadb`); `staging/` gives
    `staging/wordpress`, so a second copy of the stacks can live in the same account.
    """
    return add_parameter(
        template, NAME_PREFIX_PARAMETER, group=group, label="Repository name prefix",
        Type="String", Default="", MaxLength=200, AllowedPattern=NAME_PREFIX_PATTERN,
        ConstraintDescription="empty, or lower-case letters and digits ending in / . _ or - "
                              "(e.g. staging/)",
        Description="Prepended to each ECR repository name (e.g. staging/ gives staging/wordpress). "
                    "Empty: the lab's names. The ecr stack and the ECS stacks must agree.")


def repository_name(name: str, name_prefix: Parameter | None) -> Sub | str:
    return name if name_prefix is None else Sub(_prefixed(name, name_prefix))


def lifecycle_policy(settings: RegistrySettings) -> str:
    """Expire untagged images after some days and keep a bounded number of tagged ones."""
    rules = [
        {
            "rulePriority": 1,
            "description": f"Expire untagged images after {settings.untagged_image_days} days",
            "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
                          "countUnit": "days", "countNumber": settings.untagged_image_days},
            "action": {"type": "expire"},
        },
        {
            "rulePriority": 2,
            "description": f"Keep the newest {settings.max_tagged_images} images",
            "selection": {"tagStatus": "any", "countType": "imageCountMoreThan",
                          "countNumber": settings.max_tagged_images},
            "action": {"type": "expire"},
        },
    ]
    return json.dumps({"rules": rules}, sort_keys=True, separators=(",", ":"))


def add_repository(template: Template, name: str, settings: RegistrySettings, *,
                   tag_mutability: Ref | str, name_prefix: Parameter | None = None) -> ecr.Repository:
    """A KMS-encrypted, scan-on-push repository that outlives its stack (images are data).

    RetainExceptOnCreate: deleting a stack that was created keeps the repository and its
    images, a failed first creation leaves nothing behind (so deploying again does not meet
    a repository of the same name). UpdateReplacePolicy has no such value; Retain.
    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html
    A retained repository is adopted again by scripts/deploy.sh through an IMPORT change set,
    which requires a DeletionPolicy on every imported resource:
    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resource-import.html
    """
    repository = template.add_resource(ecr.Repository(
        logical_id(name, "repository"),
        RepositoryName=repository_name(name, name_prefix),
        ImageTagMutability=tag_mutability,
        ImageScanningConfiguration=ecr.ImageScanningConfiguration(ScanOnPush=True),
        EncryptionConfiguration=ecr.EncryptionConfiguration(EncryptionType="KMS"),
        LifecyclePolicy=ecr.LifecyclePolicy(LifecyclePolicyText=lifecycle_policy(settings)),
        DeletionPolicy="RetainExceptOnCreate",
        UpdateReplacePolicy="Retain",
    ))
    if tag_mutability != "IMMUTABLE":
        suppress(repository, "CKV_AWS_51", MUTABLE_TAGS_REASON)
    return repository


def repository_uri(repository: ecr.Repository) -> GetAtt:
    return GetAtt(repository, "RepositoryUri")


def _prefixed(name: str, name_prefix: Parameter | None) -> str:
    return name if name_prefix is None else f"${{{name_prefix.title}}}{name}"


def registry_image_uri(name: str, tag: Ref, name_prefix: Parameter | None = None) -> Sub:
    """The image URI in this account's registry, built from pseudo parameters (no hard-coded account)."""
    return Sub(f"${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.${{AWS::URLSuffix}}/{_prefixed(name, name_prefix)}"
               ":${Tag}", Tag=tag)


def repository_arn(name: str, name_prefix: Parameter | None = None) -> Sub:
    return Sub(f"arn:${{AWS::Partition}}:ecr:${{AWS::Region}}:${{AWS::AccountId}}:repository/"
               f"{_prefixed(name, name_prefix)}")
