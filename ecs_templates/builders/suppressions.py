"""Security-scanner exceptions, written by the builder that makes the resource, each with its reason.

checkov reads `Metadata: {checkov: {skip: [{id, comment}]}}` on a resource and reports the
check as skipped with that comment. Only a check that cannot apply to the design is
suppressed (docs/security.md lists every one); everything AWS offers a control for is fixed instead.
"""
from __future__ import annotations

from typing import Any

CHECKOV_KEY = "checkov"
CFN_LINT_KEY = "cfn-lint"
MIN_REASON_LENGTH = 40  # a reason a reviewer can judge, not "n/a"


def _check_reason(resource: Any, check_id: str, reason: str) -> str:
    reason = " ".join(reason.split())
    if len(reason) < MIN_REASON_LENGTH:
        raise ValueError(f"suppressing {check_id} on {resource.title} needs a reason a reviewer can "
                         f"judge (at least {MIN_REASON_LENGTH} characters), got {reason!r}")
    return reason


def suppress_lint(resource: Any, rule_id: str, reason: str) -> Any:
    """Have cfn-lint skip `rule_id` on `resource` (its metadata `config.ignore_checks`), the reason beside it.

    Only for a rule whose data lags behind AWS (a value AWS documents that cfn-lint's
    snapshot does not list); returns the resource.
    """
    reason = _check_reason(resource, rule_id, reason)
    metadata = dict(resource.resource.get("Metadata") or {})
    linter = dict(metadata.get(CFN_LINT_KEY) or {})
    config = dict(linter.get("config") or {})
    config["ignore_checks"] = sorted(set(config.get("ignore_checks", [])) | {rule_id})
    linter["config"] = config
    linter["reasons"] = dict(sorted({**linter.get("reasons", {}), rule_id: reason}.items()))
    metadata[CFN_LINT_KEY] = linter
    resource.Metadata = metadata
    return resource


def suppress(resource: Any, check_id: str, reason: str) -> Any:
    """Record on `resource` that checkov check `check_id` does not apply, and why; returns the resource."""
    reason = _check_reason(resource, check_id, reason)
    metadata = dict(resource.resource.get("Metadata") or {})
    scanner = dict(metadata.get(CHECKOV_KEY) or {})
    skips = [entry for entry in scanner.get("skip", []) if entry["id"] != check_id]
    skips.append({"id": check_id, "comment": reason})
    scanner["skip"] = sorted(skips, key=lambda entry: entry["id"])
    metadata[CHECKOV_KEY] = scanner
    resource.Metadata = metadata
    return resource
