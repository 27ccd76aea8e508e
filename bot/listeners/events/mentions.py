"""``@keyart …`` in a channel or a thread."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.deps import Deps
from bot.flows import threads
from bot.listeners.dedupe import first_delivery
from bot.replies import reporting


def register(app: App, deps: Deps) -> None:
    @app.event("app_mention")
    def on_mention(event: dict[str, Any], body: dict[str, Any]) -> None:
        if not first_delivery(deps, body):
            return
        channel, ts = event["channel"], event["ts"]
        with reporting(deps.outbox, f"mention:{channel}:{ts}:error", channel, event.get("thread_ts") or ts,
                       "reading your message"):
            threads.on_mention(deps, channel=channel, ts=ts, thread_ts=event.get("thread_ts"),
                               user=event.get("user", ""), text=event.get("text", ""),
                               files=list(event.get("files") or []))
