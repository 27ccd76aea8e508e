"""``reaction_added`` / ``reaction_removed`` on messages."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.deps import Deps
from bot.flows import decisions
from bot.listeners.dedupe import first_delivery
from bot.replies import reporting


def register(app: App, deps: Deps) -> None:
    def handle(event: dict[str, Any], body: dict[str, Any], added: bool) -> None:
        item = event.get("item") or {}
        if item.get("type") != "message" or not first_delivery(deps, body):
            return
        channel, ts = item["channel"], item["ts"]
        with reporting(deps.outbox, f"reaction:{event.get('event_ts')}:error", channel, None,
                       "handling a reaction"):
            decisions.on_reaction(deps, added=added, user=event.get("user", ""),
                                  reaction=event.get("reaction", ""),
                                  channel=channel, ts=ts, event_ts=str(event.get("event_ts") or ts))

    @app.event("reaction_added")
    def on_added(event: dict[str, Any], body: dict[str, Any]) -> None:
        handle(event, body, True)

    @app.event("reaction_removed")
    def on_removed(event: dict[str, Any], body: dict[str, Any]) -> None:
        handle(event, body, False)
