"""Secrets Manager: passwords generated at deploy time, never written in a template or script."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from troposphere import NoValue, Ref, Template, secretsmanager

from ecs_templates.config.model import GeneratedSecret
from ecs_templates.naming import logical_id


@dataclass(frozen=True)
class SecretSource:
    """A secret made elsewhere (e.g. the password RDS manages): its ARN for IAM, its ValueFrom for ECS.

    `value_from` may name one JSON key of the secret: `<arn>:<key>::`.
    """

    arn: Any
    value_from: Any


def secret_arn(secret: secretsmanager.Secret | SecretSource) -> Any:
    """The ARN to grant secretsmanager:GetSecretValue on."""
    return secret.arn if isinstance(secret, SecretSource) else Ref(secret)


def secret_value_from(secret: secretsmanager.Secret | SecretSource) -> Any:
    """What a container definition's `Secrets[].ValueFrom` says."""
    return secret.value_from if isinstance(secret, SecretSource) else Ref(secret)


def add_generated_secret(template: Template, secret: GeneratedSecret, *, app_name: str,
                         kms_key_id: object = NoValue
                         ) -> secretsmanager.Secret:
    """A generated secret; kept when the stack goes, since data encrypted with it may outlive it."""
    return template.add_resource(secretsmanager.Secret(
        logical_id(secret.name, "secret"),
        Description=secret.description or f"{secret.name} of {app_name} (generated)",
        GenerateSecretString=secretsmanager.GenerateSecretString(
            PasswordLength=secret.length,
            # No punctuation: the values land in shell-quoted and PHP-quoted configuration.
            ExcludePunctuation=True,
        ),
        **({} if kms_key_id is NoValue else {"KmsKeyId": kms_key_id}),
        DeletionPolicy="Retain",
        UpdateReplacePolicy="Retain",
    ))
