"""One exception root: the command line turns any of these into a message and an exit code."""
from __future__ import annotations


class EcsTemplatesError(Exception):
    """Base of every error the tool reports to its user (never as a traceback)."""


class ConfigError(EcsTemplatesError):
    """A configuration value is missing, mistyped or inconsistent.

    `field` is the dotted path of the value (``ec2.capacity.instance_type``) so that
    the message can name it.
    """

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}" if field else message)


class ArtifactError(EcsTemplatesError):
    """Writing the versioned artifact directory is not possible or not allowed."""


class QuotaError(EcsTemplatesError):
    """A built template exceeds one of CloudFormation's per-template quotas (see quotas.py)."""


class LintError(EcsTemplatesError):
    """A file given to the validator cannot be read."""


class ComposeError(EcsTemplatesError):
    """A docker-compose file cannot be imported; the message names the file, service and key."""

    def __init__(self, file: str, where: str, message: str) -> None:
        self.file = file
        self.where = where
        self.message = message
        super().__init__(f"{file}: {where}: {message}" if where else f"{file}: {message}")
