"""``/keyart …``: answered in the acknowledgement itself (only the caller sees it)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.deps import Deps
from bot.flows import commands
from bot.replies import user_message


def register(app: App, deps: Deps) -> None:
    @app.command("/keyart")
    def on_command(ack: Ack, command: dict[str, Any]) -> None:
        try:
            text = commands.handle(deps, user=command.get("user_id", ""),
                                   channel=command.get("channel_id", ""), text=command.get("text", ""))
        except Exception as exc:  # the caller gets a ref instead of a timeout
            text = user_message(exc, "answering /keyart")
        ack(response_type="ephemeral", text=text)
