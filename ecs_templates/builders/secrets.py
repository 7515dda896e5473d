"""Secrets Manager: passwords generated at deploy time, never written in a template or script."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from troposphere import Equals, If, NoValue, Ref, Template, secretsmanager

from ecs_templates.builders.template import add_condition, add_parameter
from ecs_templates.config.application import GeneratedSecret
from ecs_templates.naming import logical_id


@dataclass(frozen=True)
class SecretSource:
    """A secret made elsewhere (e.g. the password RDS manages): its ARN for IAM, its ValueFrom for ECS.

    `value_from` may name one JSON key of the secret: `<arn>:<key>::`.
    """

    arn: Any
    value_from: Any
    json_key: str | None = None   # the key of the value in the secret's JSON (RDS: password)


def secret_arn(secret: secretsmanager.Secret | SecretSource) -> Any:
    """The ARN to grant secretsmanager:GetSecretValue on."""
    return secret.arn if isinstance(secret, SecretSource) else Ref(secret)


def secret_value_from(secret: secretsmanager.Secret | SecretSource) -> Any:
    """What a container definition's `Secrets[].ValueFrom` says."""
    return secret.value_from if isinstance(secret, SecretSource) else Ref(secret)


def assembled_secret_key(container: str, env: str) -> str:
    """The key of an assembled value among a task's secrets (no secret name holds a '/')."""
    return f"{container}/{env}"


def password_reference(secret: secretsmanager.Secret | SecretSource) -> tuple[str, Any]:
    """The dynamic reference to the secret's value inside an Fn::Sub, and the value of its ${Password}."""
    key = secret.json_key if isinstance(secret, SecretSource) else None
    return "{{resolve:secretsmanager:${Password}" + (f":SecretString:{key}" if key else "") + "}}", secret_arn(secret)


def add_assembled_secret(template: Template, logical_name: str, *, description: str, value: Any,
                         kms_key_id: object = NoValue) -> secretsmanager.Secret:
    """A value that holds a password (a database URL), assembled by CloudFormation from the password's secret.

    The template holds the shape of the value and a dynamic reference to the password, never the
    password: "You can use a dynamic reference for a secret in any resource property"
    (https://docs.aws.amazon.com/secretsmanager/latest/userguide/cfn-example_reference-secret.html).
    The value follows a new password at the next stack update, as dynamic references do. It is derived
    data, so it goes with the stack.
    """
    return template.add_resource(secretsmanager.Secret(
        logical_name, Description=description, SecretString=value,
        **({} if kms_key_id is NoValue else {"KmsKeyId": kms_key_id}),
        # Derived from the password's secret, which is kept: nothing is lost when this one goes.
        DeletionPolicy="Delete", UpdateReplacePolicy="Delete"))


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


KEPT_GROUP = "Data kept from an earlier deployment (optional)"
SECRET_ARN_PATTERN = r"^$|^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$"


def add_reusable_secret(template: Template, secret: GeneratedSecret, *, app_name: str,
                        kms_key_id: object = NoValue) -> SecretSource:
    """A generated secret, or the one a deleted copy of the stack kept (parameter Existing<Name>SecretArn).

    Data kept on EFS (a database's files) holds the passwords of the first deployment: a stack
    deployed again on it must give the application those, not new ones. delete.sh prints the
    secrets' ARNs with the file system's ID.
    """
    name = logical_id(secret.name, "secret")
    parameter = add_parameter(
        template, f"Existing{name}Arn", group=KEPT_GROUP, label=f"Existing secret {secret.name} (optional)",
        Type="String", Default="", AllowedPattern=SECRET_ARN_PATTERN,
        ConstraintDescription="empty, or a Secrets Manager secret ARN",
        Description=f"The secret {secret.name} that a deleted copy of this stack kept (delete.sh prints it), for "
                    "data that was written with it. Empty: generate a new one.")
    create = add_condition(template, f"Create{name}", Equals(Ref(parameter), ""))
    resource = add_generated_secret(template, secret, app_name=app_name, kms_key_id=kms_key_id)
    resource.Condition = create
    arn = If(create, Ref(resource), Ref(parameter))
    return SecretSource(arn=arn, value_from=arn)
