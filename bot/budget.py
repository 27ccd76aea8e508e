"""GPU-seconds per person per UTC day, charged to whoever starts the work.

A plan asked for in Slack is priced when it is planned but charged when it starts: to the person
who asked when it runs at once, to the person who pressed Run otherwise; a 🔁 or ✨ is charged to
the person who reacted. Charges are rows in the planning log (``planner = "charge:<what>"``) so
the one daily sum (bot/planner/planlog.py) covers the CLI's plans and Slack's starts alike.
Everyone's daily budget is Settings ``gpu_seconds_per_user_day`` unless an admin gave them their
own (``/keyart budget @person N``, kept in the ``userbudget`` table).
"""

from __future__ import annotations

from dataclasses import replace

from bot.deps import Deps
from bot.planner.limits import Limits
from bot.planner.planlog import PlanLogWriter
from pipeline.errors import BadRequest
from storage.db import read_session, session_scope
from storage.models import PlanLog
from storage.repos import budgets
from storage.repos.logs import log_plan


def spent_today(deps: Deps, user: str) -> float:
    return PlanLogWriter(deps.runtime.engine).gpu_seconds_today(user)


def daily_budget(deps: Deps, user: str) -> tuple[float, bool]:
    """``user``'s GPU-seconds per day, and whether an admin set it for them."""
    with read_session(deps.runtime.engine) as s:
        own = budgets.get_budget(s, user)
    return (
        (own.gpu_seconds_per_day, True)
        if own is not None
        else (deps.settings.gpu_seconds_per_user_day, False)
    )


def refusal(deps: Deps, user: str, gpu_seconds: float) -> str | None:
    """Why ``user`` may not start work of ``gpu_seconds`` now (None: within both budgets)."""
    if gpu_seconds <= 0:
        return None
    limits = replace(
        Limits.from_settings(deps.settings), gpu_seconds_per_user_day=daily_budget(deps, user)[0]
    )
    try:
        limits.check_budget(gpu_seconds, spent_today(deps, user))
    except BadRequest as exc:
        return f"{str(exc)[:1].upper()}{str(exc)[1:]}."
    return None


def set_daily_budget(deps: Deps, user: str, gpu_seconds: float | None, *, by: str) -> None:
    with session_scope(deps.runtime.engine) as s:
        budgets.set_budget(s, user, gpu_seconds, by=by)


def charge(
    deps: Deps, user: str, gpu_seconds: float, *, what: str, campaign_id: int | None, note: str
) -> None:
    """Record that ``user`` started work estimated at ``gpu_seconds`` (nothing for CPU-only work)."""
    if gpu_seconds <= 0:
        return
    with session_scope(deps.runtime.engine) as s:
        log_plan(
            s,
            PlanLog(
                campaign_id=campaign_id,
                user_id=user[:64],
                request_text=note[:4000],
                planner=f"charge:{what}"[:64],
                gpu_seconds=gpu_seconds,
                ok=True,
            ),
        )
