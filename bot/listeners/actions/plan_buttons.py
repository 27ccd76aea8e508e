"""The Run / Cancel buttons under a plan."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.deps import Deps
from bot.flows import plans
from bot.listeners.actions import Pressed
from bot.messages import CANCEL_ACTION, RUN_ACTION
from bot.replies import reporting


def register(app: App, deps: Deps) -> None:
    def pressed(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        at = Pressed.from_body(body)
        key = f"button:{at.message_ts}:{action.get('action_ts')}:error"
        with reporting(deps.outbox, key, at.channel, at.thread_ts, "starting the plan"):
            plans.on_plan_button(deps, action=action["action_id"], plan_id=int(action["value"]), user=at.user,
                                 channel=at.channel, message_ts=at.message_ts)

    app.action(RUN_ACTION)(pressed)
    app.action(CANCEL_ACTION)(pressed)
