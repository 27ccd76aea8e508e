"""Bolt listeners, one module per kind; each has ``register(app, deps)`` and stays thin:
unpack the payload, acknowledge, call a function in ``bot.flows``."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from bot.listeners.actions import answer_buttons, plan_buttons
from bot.listeners.commands import keyart
from bot.listeners.events import files, home, mentions, reactions
from bot.listeners.shortcuts import verify


def register(app: App, deps: Deps) -> None:
    for module in (mentions, files, reactions, home, keyart, plan_buttons, answer_buttons, verify):
        module.register(app, deps)
