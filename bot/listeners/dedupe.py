"""Slack redelivers an event it thinks we missed; the unique ``event_id`` row makes that a no-op.

The check runs in the listener, after the acknowledgement: the ack then costs no database write
(under a burst, writes queue on SQLite's single writer), and a redelivery is still caught here.
"""

from __future__ import annotations

from typing import Any

from bot.deps import Deps
from storage.db import session_scope
from storage.repos import slack as slack_repo


def first_delivery(deps: Deps, body: dict[str, Any]) -> bool:
    """``True`` the first time this event envelope is seen (``event_id`` is recorded)."""
    event_id = body.get("event_id")
    if not event_id:
        return True
    with session_scope(deps.runtime.engine) as s:
        return slack_repo.first_delivery(s, str(event_id), str((body.get("event") or {}).get("type", "")))
