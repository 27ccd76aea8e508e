"""The ask-back buttons under a plan with an open question (one per reading, and Cancel)."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App

from bot.deps import Deps
from bot.flows import questions
from bot.messages import ANSWER_CANCEL, ANSWER_PREFIX
from bot.replies import reporting

ANSWER = re.compile(rf"^(?:{ANSWER_PREFIX}\d+|{ANSWER_CANCEL})$")


def register(app: App, deps: Deps) -> None:
    def pressed(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id", "")
        message = body.get("message") or {}
        message_ts = message.get("ts") or (body.get("container") or {}).get("message_ts", "")
        thread_ts = message.get("thread_ts") or message_ts
        user = (body.get("user") or {}).get("id", "")
        plan_id, question_id, choice = str(action.get("value", "")).split(":", 2)
        key = f"button:{message_ts}:{action.get('action_ts')}:answer-error"
        with reporting(deps.outbox, key, channel, thread_ts, "running the plan you picked"):
            questions.on_answer(
                deps,
                plan_id=int(plan_id),
                question_id=question_id,
                option=None if choice == "cancel" else int(choice),
                user=user,
                channel=channel,
                message_ts=message_ts,
            )

    app.action(ANSWER)(pressed)
