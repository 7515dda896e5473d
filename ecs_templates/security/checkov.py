"""checkov's CloudFormation checks over template files, run as a separate program.

checkov pins library versions that conflict with this project's (boto3, networkx, packaging),
so it lives in its own virtual environment (the Makefile's .venv-checkov) and is run as a
subprocess; its JSON report is parsed here. No network: the Prisma Cloud download and the
update check are switched off.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from ecs_templates.builders.suppressions import MIN_REASON_LENGTH
from ecs_templates.errors import EcsTemplatesError
from ecs_templates.validation import expand_paths

CHECKOV_ENV_VAR = "CHECKOV"
ARGUMENTS = ("--framework", "cloudformation", "--output", "json", "--skip-download", "--compact")
ENVIRONMENT = {
    "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true",  # no call to PyPI for a newer version
    "BC_SKIP_MAPPING": "TRUE",  # no download of guidelines from Prisma Cloud
    "LOG_LEVEL": "WARNING",
}
NO_COMMENT = "No comment provided"  # what checkov reports for a skip without a comment
TIMEOUT_SECONDS = 900


class ScanError(EcsTemplatesError):
    """checkov cannot be found or did not produce a report."""


@dataclass(frozen=True)
class CheckResult:
    check_id: str
    check_name: str
    file: str
    resource: str
    comment: str = ""

    def __str__(self) -> str:
        return f"{self.file}: {self.resource}: {self.check_id} {self.check_name}"


@dataclass(frozen=True)
class ScanReport:
    checkov_version: str
    passed: int
    failed: tuple[CheckResult, ...] = ()
    skipped: tuple[CheckResult, ...] = ()
    parsing_errors: tuple[str, ...] = ()
    resource_count: int = 0
    files: frozenset[str] = field(default_factory=frozenset)

    @property
    def unreasoned(self) -> tuple[CheckResult, ...]:
        """Skipped checks whose suppression gives no reason a reviewer could judge."""
        return tuple(result for result in self.skipped
                     if result.comment == NO_COMMENT or len(result.comment.strip()) < MIN_REASON_LENGTH)

    @property
    def ok(self) -> bool:
        return not (self.failed or self.parsing_errors or self.unreasoned)

    def summary(self) -> str:
        return (f"checkov {self.checkov_version}: {self.passed} passed, {len(self.failed)} failed, "
                f"{len(self.skipped)} skipped ({len(self.unreasoned)} without a reason), "
                f"{len(self.parsing_errors)} unparsable, {self.resource_count} resources")


def find_checkov(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The checkov executable: the one given, else $CHECKOV, else `checkov` on PATH."""
    candidate = explicit or os.environ.get(CHECKOV_ENV_VAR) or shutil.which("checkov")
    if not candidate or not Path(candidate).is_file():
        where = f" ({candidate} does not exist)" if candidate else ""
        raise ScanError(f"checkov not found{where}: run `make security`, which installs it into "
                        f".venv-checkov, or give its path with --checkov or ${CHECKOV_ENV_VAR}")
    return Path(candidate)


def scan_files(files: Sequence[Path], checkov: Path) -> ScanReport:
    """Run checkov's CloudFormation checks over `files` and parse its report."""
    if not files:
        raise ScanError("no template to scan")
    command = [str(checkov), *ARGUMENTS]
    for path in files:
        command += ["--file", str(path)]
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS,
                                   env={**os.environ, **ENVIRONMENT}, stdin=subprocess.DEVNULL)
    except OSError as error:
        raise ScanError(f"cannot run {checkov}: {error.strerror}") from None
    except subprocess.TimeoutExpired:
        raise ScanError(f"checkov did not finish within {TIMEOUT_SECONDS} s") from None
    try:
        data = json.loads(completed.stdout)
    except json.JSONDecodeError:
        tail = " | ".join((completed.stderr or completed.stdout).strip().splitlines()[-3:])
        raise ScanError(f"checkov (exit status {completed.returncode}) gave no JSON report: {tail}") from None
    return parse_report(data)


def parse_report(data: Any) -> ScanReport:
    """checkov's JSON report (one framework: a mapping; several: a list of them) as a ScanReport."""
    reports = data if isinstance(data, list) else [data]
    passed = resources = 0
    failed: list[CheckResult] = []
    skipped: list[CheckResult] = []
    errors: list[str] = []
    files: set[str] = set()
    version = "unknown"
    for report in reports:
        summary = report.get("summary", report)
        version = summary.get("checkov_version", version)
        passed += int(summary.get("passed", 0))
        resources += int(summary.get("resource_count", 0))
        results = report.get("results", {})
        errors.extend(results.get("parsing_errors", []) or summary.get("parsing_error_files", []) or [])
        for key, bucket in (("failed_checks", failed), ("skipped_checks", skipped),
                            ("passed_checks", None)):
            for item in results.get(key, []):
                result = _result(item)
                files.add(result.file)
                if bucket is not None:
                    bucket.append(result)
    order = (lambda r: (r.file, r.resource, r.check_id))
    return ScanReport(version, passed, tuple(sorted(failed, key=order)), tuple(sorted(skipped, key=order)),
                      tuple(sorted(map(str, errors))), resources, frozenset(files))


def _result(item: Mapping[str, Any]) -> CheckResult:
    check_result = item.get("check_result") or {}
    return CheckResult(str(item["check_id"]), str(item.get("check_name", "")),
                       str(item.get("file_abs_path") or item.get("file_path", "")),
                       str(item.get("resource", "")), str(check_result.get("suppress_comment", "") or ""))


def template_files(paths: Iterable[Path]) -> list[Path]:
    """Files as given; directories become the templates directly inside them (not the manifest)."""
    return expand_paths(paths)
