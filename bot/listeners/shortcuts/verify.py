"""The *Verify Content Credentials* message shortcut (callback ``keyart_verify``)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.deps import Deps
from bot.flows import verify
from bot.replies import reporting

CALLBACK = "keyart_verify"


def register(app: App, deps: Deps) -> None:
    @app.shortcut(CALLBACK)
    def on_verify(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        channel = (body.get("channel") or {}).get("id", "")
        message = body.get("message") or {}
        trigger = str(body.get("trigger_id") or body.get("action_ts") or "")
        with reporting(
            deps.outbox,
            f"verify:{trigger}:error",
            channel,
            message.get("thread_ts"),
            "verifying Content Credentials",
        ):
            verify.on_shortcut(
                deps,
                user=(body.get("user") or {}).get("id", ""),
                channel=channel,
                message=message,
                trigger=trigger,
            )
