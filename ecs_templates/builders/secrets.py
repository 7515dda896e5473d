"""Secrets Manager: passwords generated at deploy time, never written in a template or script."""
from __future__ import annotations

from troposphere import NoValue, Template, secretsmanager

from ecs_templates.config.model import GeneratedSecret
from ecs_templates.naming import logical_id



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
