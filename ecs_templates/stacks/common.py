"""Pieces every ECS stack composes the same way: secrets, logs, images, IAM, task definition."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from awacs import kms as kms_actions
from awacs.aws import Allow, Statement
from troposphere import Equals, GetAtt, If, Not, NoValue, Ref, Template, ecs, logs

from ecs_templates.builders import iam
from ecs_templates.builders.images import add_image_parameters
from ecs_templates.builders.logs import add_log_group
from ecs_templates.builders.registry import NAME_PREFIX_PARAMETER, repository_arn
from ecs_templates import wiring
from ecs_templates.builders.secrets import (add_assembled_secret, add_generated_secret, assembled_secret_key,
                                            password_reference, secret_arn)
from ecs_templates.builders.task_definition import add_task_definition
from ecs_templates.builders.template import add_condition, add_output, add_parameter
from ecs_templates.config.container import Container
from ecs_templates.config.model import LOG_RETENTION_DAYS, Config
from ecs_templates.errors import ConfigError
from ecs_templates.naming import logical_id

LOGS_GROUP = "Logs"
ENCRYPTION_GROUP = "Encryption (optional customer-managed KMS keys)"
KMS_KEY_ARN_PATTERN = r"^$|^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$"


@dataclass(frozen=True)
class ApplicationTask:
    task_definition: ecs.TaskDefinition
    log_group: logs.LogGroup
    secrets: Mapping[str, Any]
    execution_role_arn: Any
    task_role_arn: Any = None


def add_log_retention_parameter(template: Template, config: Config) -> Ref:
    parameter = add_parameter(
        template, "LogRetentionDays", group=LOGS_GROUP, label="Log retention (days)",
        Type="Number", Default=config.logs.retention_days, AllowedValues=list(LOG_RETENTION_DAYS),
        Description="How long CloudWatch Logs keeps the containers' output.")
    return Ref(parameter)


def add_kms_key_parameter(template: Template, name: str, *, label: str, description: str) -> tuple[Ref, str]:
    """An optional KMS key ARN and the condition `Has<name>` (a key was given)."""
    parameter = add_parameter(
        template, name, group=ENCRYPTION_GROUP, label=label, Type="String", Default="",
        AllowedPattern=KMS_KEY_ARN_PATTERN,
        ConstraintDescription="empty, or a KMS key ARN: arn:aws:kms:<region>:<account>:key/<key id>",
        Description=description)
    return Ref(parameter), add_condition(template, f"Has{name}", Not(Equals(Ref(parameter), "")))


def add_secrets_kms_key(template: Template) -> tuple[Any, tuple[str, list[Statement]]]:
    """The key the generated secrets are encrypted with, and the execution role's right to decrypt them."""
    key, has_key = add_kms_key_parameter(
        template, "SecretsKmsKeyArn", label="KMS key for the secrets (optional)",
        description="ARN of a customer-managed KMS key to encrypt the generated secrets with; the task "
                    "execution role created here may decrypt with it (an existing role needs kms:Decrypt "
                    "on it). Empty: the AWS managed key aws/secretsmanager.")
    decrypt = (has_key, [Statement(Effect=Allow, Action=[kms_actions.Decrypt], Resource=[key])])
    return If(has_key, key, NoValue), decrypt


def add_logs_kms_key(template: Template) -> Any:
    """The key the log group is encrypted with; CloudWatch Logs itself uses it (its key policy must allow that)."""
    key, has_key = add_kms_key_parameter(
        template, "LogsKmsKeyArn", label="KMS key for the logs (optional)",
        description="ARN of a customer-managed KMS key to encrypt the log group with. Its key policy must "
                    "allow the service principal logs.<region>.amazonaws.com kms:Encrypt*, kms:Decrypt*, "
                    "kms:ReEncrypt*, kms:GenerateDataKey* and kms:Describe* (see docs/security.md). Empty: "
                    "CloudWatch Logs' own encryption.")
    return If(has_key, key, NoValue)


def add_application_task(template: Template, config: Config, *, family: str, network_mode: str,
                         compatibility: str, cpu: int, memory: int, architecture: str,
                         containers: Sequence[Container] | None = None,
                         service_hosts: Mapping[str, Any] | None = None,
                         volumes: Sequence[ecs.Volume] = (),
                         secrets: Mapping[str, Any] | None = None,
                         task_role_statements: Sequence[Statement] = (),
                         task_role_parameter_description: str = iam.TASK_ROLE_DESCRIPTION,
                         on_instance: bool = False,
                         family_name: Any = None,
                         prefix: str = "",
                         port_names: Any = None) -> ApplicationTask:
    """Secrets, log group, images, IAM roles and the task definition of the application.

    For several task definitions in one template, give each a `prefix` for its logical IDs
    (TaskDefinition, TaskRole, TaskExecutionRole, the log group's outputs) and pass the
    `secrets` the template already has (generated secrets, or SecretSource such as an RDS
    managed password): only the missing ones are generated. Each task gets its own roles,
    so one task's execution role reads only that task's secrets. `on_instance` (EC2): the
    containers' own volumes are Docker volumes of the instance that outlive the task.
    `family` names the log group's logical ID; the task definition's Family is `family_name`
    when given (a parameter, see builders/names.py), else `family`.
    """
    app = config.application
    chosen = list(containers if containers is not None else app.containers)
    used_secrets = sorted({secret for container in chosen for _, secret in container.secrets})
    assembled = [(container, use) for container in chosen for use in container.uses if use.password]
    needed = set(used_secrets) | {use.password for _, use in assembled}
    secrets_key, decrypt_secrets = add_secrets_kms_key(template) if needed else (NoValue, None)
    available: dict[str, Any] = dict(secrets or {})
    created = {secret.name: add_generated_secret(template, secret, app_name=app.name, kms_key_id=secrets_key)
               for secret in app.secrets if secret.name in needed and secret.name not in available}
    available.update(created)
    for container, use in assembled:
        reference, password = password_reference(available[use.password])
        key = assembled_secret_key(container.name, use.env)
        available[key] = add_assembled_secret(
            template, logical_id(f"{prefix}-{container.name}-{use.env}", "value"),
            description=f"{use.env} of {container.name} in {app.name}, assembled from secret {use.password}",
            value=wiring.secret_value(use, wiring.host_for(use, network_mode, service_hosts), reference, password),
            kms_key_id=secrets_key)
        used_secrets.append(key)
    log_group = add_log_group(template, family, retention_days=add_log_retention_parameter(template, config),
                              kms_key_id=add_logs_kms_key(template))
    images = add_image_parameters(template, app, chosen)
    execution_role_arn = iam.add_execution_role(
        template,
        repository_arns=[repository_arn(repo, template.parameters[NAME_PREFIX_PARAMETER]) for repo in
                         dict.fromkeys(container.repository for container in chosen)],
        secret_arns=[secret_arn(available[name]) for name in used_secrets],
        log_group_arn=GetAtt(log_group, "Arn"),
        conditional_statements=[decrypt_secrets] if decrypt_secrets is not None else [],
        logical_name=f"{prefix}TaskExecutionRole",
    )
    task_role_arn = iam.add_task_role(template, statements=task_role_statements, logical_name=f"{prefix}TaskRole",
                                      parameter_description=task_role_parameter_description)
    task_definition = add_task_definition(
        template, app, family=family if family_name is None else family_name, network_mode=network_mode,
        compatibility=compatibility,
        cpu=cpu, memory=memory, architecture=architecture, images=images, secrets=available,
        log_group=log_group, execution_role_arn=execution_role_arn, task_role_arn=task_role_arn,
        containers=chosen, service_hosts=service_hosts, volumes=volumes, on_instance=on_instance,
        logical_name=f"{prefix}TaskDefinition", port_names=port_names)
    add_output(template, f"{prefix}LogGroupName", Ref(log_group),
               f"CloudWatch Logs group of the {' and '.join(c.name for c in chosen)} containers"
               if prefix else "CloudWatch Logs group of the containers")
    add_output(template, f"{prefix}TaskDefinitionArn", Ref(task_definition), "The task definition revision deployed")
    for name in sorted(created):
        add_output(template, logical_id(name, "secret", "arn"), Ref(created[name]),
                   f"Secrets Manager secret {name} (generated; read it with "
                   "aws secretsmanager get-secret-value)")
    return ApplicationTask(task_definition, log_group, available, execution_role_arn, task_role_arn)


def public_ports(config: Config, network_mode: str) -> list[int]:
    """The ports the site opens to the internet: the `public` ports, at their host port under bridge."""
    ports = []
    for container in config.application.containers:
        for index, port in enumerate(container.ports):
            if port.public and port.protocol != "tcp":
                raise ConfigError(f"{container.path}.ports[{index}]",
                                  f"{container.name}: public {port.protocol.upper()} {port.container_port}: "
                                  "ecs-ec2 and ecs-fargate open public TCP ports only; build ecs-services "
                                  "(`stacks:`), whose Network Load Balancer listens on UDP")
            if port.public:
                ports.append(port.host_port if network_mode == "bridge" and port.host_port
                             else port.container_port)
    return sorted(set(ports))

