"""ECR: one private repository per application image (seed 3.2)."""
from __future__ import annotations

import json

from troposphere import GetAtt, Ref, Sub, Template, ecr

from ecs_templates.builders.suppressions import suppress
from ecs_templates.config.model import RegistrySettings
from ecs_templates.naming import logical_id


# checkov CKV_AWS_51 wants immutable tags; the lab's workflow overwrites `latest`.
MUTABLE_TAGS_REASON = (
    "Tags are mutable by default because the lab's workflow pushes `latest` again after each "
    "change; the ImageTagMutability parameter switches to IMMUTABLE at deploy time, and every "
    "pushed image is scanned on push.")


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
                   tag_mutability: Ref | str) -> ecr.Repository:
    """A KMS-encrypted, scan-on-push repository that outlives its stack (images are data)."""
    repository = template.add_resource(ecr.Repository(
        logical_id(name, "repository"),
        RepositoryName=name,
        ImageTagMutability=tag_mutability,
        ImageScanningConfiguration=ecr.ImageScanningConfiguration(ScanOnPush=True),
        EncryptionConfiguration=ecr.EncryptionConfiguration(EncryptionType="KMS"),
        LifecyclePolicy=ecr.LifecyclePolicy(LifecyclePolicyText=lifecycle_policy(settings)),
        DeletionPolicy="Retain",
        UpdateReplacePolicy="Retain",
    ))
    if tag_mutability != "IMMUTABLE":
        suppress(repository, "CKV_AWS_51", MUTABLE_TAGS_REASON)
    return repository


def repository_uri(repository: ecr.Repository) -> GetAtt:
    return GetAtt(repository, "RepositoryUri")


def registry_image_uri(repository_name: str, tag: Ref) -> Sub:
    """The image URI in this account's registry, built from pseudo parameters (no hard-coded account)."""
    return Sub(f"${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.${{AWS::URLSuffix}}/{repository_name}:${{Tag}}",
               Tag=tag)


def repository_arn(repository_name: str) -> Sub:
    return Sub(f"arn:${{AWS::Partition}}:ecr:${{AWS::Region}}:${{AWS::AccountId}}:repository/{repository_name}")
