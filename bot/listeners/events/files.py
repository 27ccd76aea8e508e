"""Files shared in a campaign thread (``message`` events with subtype ``file_share``)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.deps import Deps
from bot.flows import threads
from bot.listeners.dedupe import first_delivery
from bot.replies import reporting


def register(app: App, deps: Deps) -> None:
    @app.event({"type": "message", "subtype": "file_share"})
    def on_file_share(event: dict[str, Any], body: dict[str, Any]) -> None:
        if not first_delivery(deps, body):
            return
        channel, ts = event["channel"], event["ts"]
        with reporting(deps.outbox, f"files:{channel}:{ts}:error", channel, event.get("thread_ts") or ts,
                       "reading your upload"):
            threads.on_file_share(deps, channel=channel, ts=ts, thread_ts=event.get("thread_ts"),
                                  user=event.get("user", ""), text=event.get("text", ""),
                                  files=list(event.get("files") or []))

    @app.event("message")
    def other_messages() -> None:
        """Plain messages need no answer (mentions arrive as ``app_mention``)."""
