"""CloudWatch Logs: one log group per task family, with a retention."""
from __future__ import annotations

from troposphere import NoValue, Ref, Template, logs

from ecs_templates.naming import logical_id


def add_log_group(template: Template, name: str, *, retention_days: Ref,
                  kms_key_id: object = NoValue) -> logs.LogGroup:
    """A log group named by CloudFormation (so re-creating the stack never collides), kept on delete."""
    return template.add_resource(logs.LogGroup(
        logical_id(name, "log", "group"),
        RetentionInDays=retention_days,
        **({} if kms_key_id is NoValue else {"KmsKeyId": kms_key_id}),
        DeletionPolicy="Retain",
        UpdateReplacePolicy="Retain",
    ))
