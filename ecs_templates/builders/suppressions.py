"""Security-scanner exceptions, written by the builder that makes the resource, each with its reason.

checkov reads `Metadata: {checkov: {skip: [{id, comment}]}}` on a resource and reports the
check as skipped with that comment. Only a check that cannot apply to the design is
suppressed (the README lists every one); everything AWS offers a control for is fixed instead.
"""
from __future__ import annotations

from typing import Any

CHECKOV_KEY = "checkov"
MIN_REASON_LENGTH = 40  # a reason a reviewer can judge, not "n/a"


def suppress(resource: Any, check_id: str, reason: str) -> Any:
    """Record on `resource` that checkov check `check_id` does not apply, and why; returns the resource."""
    reason = " ".join(reason.split())
    if len(reason) < MIN_REASON_LENGTH:
        raise ValueError(f"suppressing {check_id} on {resource.title} needs a reason a reviewer can "
                         f"judge (at least {MIN_REASON_LENGTH} characters), got {reason!r}")
    metadata = dict(resource.resource.get("Metadata") or {})
    scanner = dict(metadata.get(CHECKOV_KEY) or {})
    skips = [entry for entry in scanner.get("skip", []) if entry["id"] != check_id]
    skips.append({"id": check_id, "comment": reason})
    scanner["skip"] = sorted(skips, key=lambda entry: entry["id"])
    metadata[CHECKOV_KEY] = scanner
    resource.Metadata = metadata
    return resource
