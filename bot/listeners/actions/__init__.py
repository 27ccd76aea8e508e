"""Actions listeners: buttons pressed under keyart's own messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Pressed:
    """Where a button was pressed and by whom, from a ``block_actions`` payload."""

    channel: str
    message_ts: str
    thread_ts: str
    user: str

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> Pressed:
        # Slack names the channel and message under `channel`/`message`, or only under `container`
        # (ephemeral messages, some clients): read both.
        container = body.get("container") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id", "")
        message = body.get("message") or {}
        message_ts = message.get("ts") or container.get("message_ts", "")
        user = (body.get("user") or {}).get("id", "")
        return cls(channel, message_ts, message.get("thread_ts") or message_ts, user)
