"""The Bolt app: wiring only. Listeners live in bot/listeners/, behaviour in bot/flows/."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App

from bot import listeners
from bot.deps import Deps

log = logging.getLogger(__name__)


def build_app(deps: Deps, *, verify_token: bool = True, listener_threads: int = 2) -> App:
    """A sync Bolt app on ``deps.client``; acknowledges first, then runs listeners in its thread pool.

    ``verify_token`` calls ``auth.test`` now, so a wrong token fails at start-up rather than at the
    first message, and tells us the bot's own user id (its reactions are ignored). Listeners only
    read, write a few rows and queue work, so ``listener_threads`` stays small: under a burst, more
    threads would mostly take CPU (and the GIL) from the threads that acknowledge.
    """
    settings = deps.settings
    app = App(
        token=settings.slack_bot_token or None,
        signing_secret=settings.slack_signing_secret,
        client=deps.client,
        process_before_response=False,
        token_verification_enabled=verify_token,
        ignoring_self_events_enabled=True,
        logger=logging.getLogger("keyart.slack"),
        listener_executor=ThreadPoolExecutor(max_workers=listener_threads,
                                             thread_name_prefix="keyart-listener"),
    )
    if verify_token and not deps.bot_user_id:
        deps.bot_user_id = str(deps.client.auth_test().get("user_id") or "")
    listeners.register(app, deps)
    return app
