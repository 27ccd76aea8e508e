"""The Run / Cancel buttons under a plan."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.deps import Deps
from bot.flows import plans
from bot.messages import CANCEL_ACTION, RUN_ACTION
from bot.replies import reporting


def register(app: App, deps: Deps) -> None:
    def pressed(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id", "")
        message = body.get("message") or {}
        message_ts = message.get("ts") or (body.get("container") or {}).get("message_ts", "")
        thread_ts = message.get("thread_ts") or message_ts
        user = (body.get("user") or {}).get("id", "")
        key = f"button:{message_ts}:{action.get('action_ts')}:error"
        with reporting(deps.outbox, key, channel, thread_ts, "starting the plan"):
            plans.on_plan_button(deps, action=action["action_id"], plan_id=int(action["value"]), user=user,
                                 channel=channel, message_ts=message_ts)

    app.action(RUN_ACTION)(pressed)
    app.action(CANCEL_ACTION)(pressed)
