"""The review of a change set before deploy.sh executes it: its changes as a table, and what risks data.

Standard library only, like cfn_helper.py, which calls it and exits 3 when a risk is found.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

STATEFUL_TYPES = frozenset({
    "AWS::DynamoDB::Table",
    "AWS::EC2::Volume",
    "AWS::ECR::Repository",
    "AWS::EFS::FileSystem",
    "AWS::ElastiCache::CacheCluster",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::KMS::Key",
    "AWS::Logs::LogGroup",
    "AWS::RDS::DBCluster",
    "AWS::RDS::DBInstance",
    "AWS::S3::Bucket",
    "AWS::SecretsManager::Secret",
})


def review_changes(change_set: Mapping[str, Any], current_resources: Sequence[Mapping[str, Any]],
                   template: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """(table lines, risk lines) for a described change set.

    A stateful resource is at risk when the change set removes it or replaces it, or when
    it exists in the stack and the new template no longer has it (the emulator's change
    sets list no changes for updates, AWS's always do; both are checked).
    """
    lines, risks = [], []
    changes = [change.get("ResourceChange", {}) for change in change_set.get("Changes", [])]
    width = max([len(change.get("LogicalResourceId", "")) for change in changes] + [8])
    for change in changes:
        action = change.get("Action", "?")
        logical = change.get("LogicalResourceId", "?")
        kind = change.get("ResourceType", "?")
        replacement = change.get("Replacement") or "-"
        lines.append(f"  {action:<8} {logical:<{width}} {kind:<44} replacement: {replacement}")
        if kind in STATEFUL_TYPES and (action == "Remove" or
                                       (action == "Modify" and replacement in ("True", "Conditional"))):
            verb = "DELETE" if action == "Remove" else f"REPLACE ({replacement})"
            risks.append(f"{verb} {logical} ({kind})")
    kept = set(template.get("Resources", {}))
    noted = {risk.split(" ")[1] for risk in risks}
    for resource in current_resources:
        logical, kind = resource.get("LogicalResourceId"), resource.get("ResourceType")
        if kind in STATEFUL_TYPES and logical not in kept and logical not in noted:
            risks.append(f"DELETE {logical} ({kind}): the new template no longer has it")
    return lines, risks
