"""The ask-back buttons under a plan with an open question (one per reading, and Cancel)."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App

from bot.deps import Deps
from bot.flows import questions
from bot.listeners.actions import Pressed
from bot.messages import ANSWER_CANCEL, ANSWER_PREFIX
from bot.replies import reporting

ANSWER = re.compile(rf"^(?:{ANSWER_PREFIX}\d+|{ANSWER_CANCEL})$")


def register(app: App, deps: Deps) -> None:
    def pressed(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        at = Pressed.from_body(body)
        plan_id, question_id, choice = str(action.get("value", "")).split(":", 2)
        key = f"button:{at.message_ts}:{action.get('action_ts')}:answer-error"
        with reporting(deps.outbox, key, at.channel, at.thread_ts, "running the plan you picked"):
            questions.on_answer(
                deps,
                plan_id=int(plan_id),
                question_id=question_id,
                option=None if choice == "cancel" else int(choice),
                user=at.user,
                channel=at.channel,
                message_ts=at.message_ts,
            )

    app.action(ANSWER)(pressed)
