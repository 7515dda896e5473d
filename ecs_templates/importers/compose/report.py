"""What the import could not translate one to one: every finding names file, service and key."""
from __future__ import annotations

from dataclasses import dataclass, field

from ecs_templates.errors import ComposeError


def where(service: str | None, key: str = "") -> str:
    """The dotted place of a finding: `services.web.ports[0]`, or a top-level key."""
    if service is None:
        return key
    return f"services.{service}.{key}" if key else f"services.{service}"


@dataclass(frozen=True)
class Finding:
    file: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.message}" if self.where else f"{self.file}: {self.message}"


@dataclass
class Report:
    """Collects warnings and notes; errors stop the import at once.

    `unsupported` is for keys without an ECS meaning: an error by default, a warning when
    the user asked for a lenient import. Nothing is dropped without a finding.
    """

    file: str
    lenient: bool = False
    warnings: list[Finding] = field(default_factory=list)
    # What the import decided and why (stacks, port protocols, sizes): not a problem, but worth reading.
    notes: list[Finding] = field(default_factory=list)

    def note(self, service: str | None, key: str, message: str) -> None:
        finding = Finding(self.file, where(service, key), message)
        if finding not in self.notes:
            self.notes.append(finding)

    def warn(self, service: str | None, key: str, message: str) -> None:
        finding = Finding(self.file, where(service, key), message)
        if finding not in self.warnings:
            self.warnings.append(finding)

    def error(self, service: str | None, key: str, message: str) -> ComposeError:
        """The error to raise (`raise report.error(...)`), so that control flow stays visible."""
        return ComposeError(self.file, where(service, key), message)

    def unsupported(self, service: str | None, key: str, message: str) -> None:
        if not self.lenient:
            raise self.error(service, key, f"{message} (--lenient imports without it, as a warning)")
        self.warn(service, key, f"{message}; not imported")
