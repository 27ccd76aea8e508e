"""GPU-seconds per person per UTC day, charged to whoever starts the work.

A plan asked for in Slack is priced when it is planned but charged when it starts: to the person
who asked when it runs at once, to the person who pressed Run otherwise; a 🔁 or ✨ is charged to
the person who reacted. Charges are rows in the planning log (``planner = "charge:<what>"``) so
the one daily sum (bot/planner/planlog.py) covers the CLI's plans and Slack's starts alike.
"""

from __future__ import annotations

from bot.deps import Deps
from bot.planner.limits import Limits
from bot.planner.planlog import PlanLogWriter
from pipeline.errors import BadRequest
from storage.db import session_scope
from storage.models import PlanLog
from storage.repos.logs import log_plan


def spent_today(deps: Deps, user: str) -> float:
    return PlanLogWriter(deps.runtime.engine).gpu_seconds_today(user)


def refusal(deps: Deps, user: str, gpu_seconds: float) -> str | None:
    """Why ``user`` may not start work of ``gpu_seconds`` now (None: within both budgets)."""
    if gpu_seconds <= 0:
        return None
    try:
        Limits.from_settings(deps.settings).check_budget(gpu_seconds, spent_today(deps, user))
    except BadRequest as exc:
        return f"{str(exc)[:1].upper()}{str(exc)[1:]}."
    return None


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
