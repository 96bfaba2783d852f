"""The audit log of a study folder: one JSON line per change, never a name.

Each survey import and each deletion on request appends one line to
``audit.log`` in the study folder, in the same atomic step as the change
itself: the time (UTC), a random event id, the action and counts. The line
holds no name, no id and no answer text, so the log is not personal data and
can be kept after a person is deleted (``docs/privacy.md``).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

#: The audit log's file name in a study folder.
AUDIT_LOG = "audit.log"


def audit_event(action: str, **counts: int | str | None) -> dict[str, object]:
    """One audit record: time, a random event id, the action and its counts.

    >>> event = audit_event("delete-person", people=1, ties=3)
    >>> sorted(event)
    ['action', 'event', 'people', 'ties', 'time']
    """
    return {
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "event": secrets.token_hex(8),
        "action": action,
        **counts,
    }


def audit_text(folder: str | Path, event: Mapping[str, object]) -> str:
    """The folder's audit log with ``event`` appended: the whole text to write."""
    path = Path(folder) / AUDIT_LOG
    old = path.read_text("utf-8", errors="replace") if path.is_file() else ""
    if old and not old.endswith("\n"):
        old += "\n"
    return old + json.dumps(dict(event), ensure_ascii=False) + "\n"


def read_audit(folder: str | Path) -> list[dict[str, object]]:
    """The audit records of a study folder, oldest first ([] when there is no log)."""
    path = Path(folder) / AUDIT_LOG
    if not path.is_file():
        return []
    records = []
    for line in path.read_text("utf-8", errors="replace").splitlines():
        if line.strip():
            records.append(json.loads(line))
    return records
