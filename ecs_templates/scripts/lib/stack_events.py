"""A stack's events as deploy.sh follows them: the new ones since the last poll, one line each.

Standard library only, like cfn_helper.py, which calls it.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any, Mapping, Sequence

from helper_input import InputError  # scripts/lib/, on sys.path through cfn_helper.py


def parse_time(text: str) -> datetime:
    """An ISO 8601 time as the AWS CLI prints it (Z or +00:00, any fraction), made aware."""
    match = re.fullmatch(r"(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?", text.strip())
    if not match:
        raise InputError(f"not a time: {text!r}")
    day, clock, fraction, zone = match.groups()
    zone = "+00:00" if zone in (None, "Z") else zone
    stamp = datetime.fromisoformat(f"{day}T{clock}.{(fraction or '0')[:6]:0<6}{zone}")
    return stamp.astimezone(timezone.utc)


def new_events(events: Sequence[Mapping[str, Any]], seen: set[str],
               since: datetime | None = None) -> list[Mapping[str, Any]]:
    """Events not printed yet, oldest first (the API answers newest first); with `since`,
    only those from that time on (the stack's older history is not this deploy's)."""
    return [event for event in reversed(events) if event.get("EventId") not in seen
            and (since is None or parse_time(str(event.get("Timestamp", ""))) >= since)]


def format_event(event: Mapping[str, Any]) -> str:
    stamp = str(event.get("Timestamp", ""))[:19].replace("T", " ")
    reason = event.get("ResourceStatusReason") or ""
    return (f"{stamp}  {event.get('LogicalResourceId', ''):<28} {event.get('ResourceType', ''):<40} "
            f"{event.get('ResourceStatus', ''):<20} {reason}").rstrip()
