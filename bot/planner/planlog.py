"""Planning log: every plan (or refusal), every tool call and its result, with the tools hash.

One ``PlanLog`` row per planned request and one ``ToolCallLog`` row per tool call (errors kept),
written in one transaction, so "why did the bot plan that?" has an answer (conventions §8, the way
simonw/llm logs prompts). ``gpu_seconds`` on the plan row feeds the per-user daily budget.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.planner.base import Attempt, PlanContext
from storage.db import read_session, session_scope
from storage.models import PlanLog, ToolCallLog
from storage.repos.logs import log_plan, log_tool_call

MAX_TEXT = 4000  # requests are capped at 2000 characters; results and errors are one line or a list


class PlanLogWriter:
    """Writes planning logs to the database behind ``engine``; reads today's GPU-seconds per user."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def write(self, attempt: Attempt, *, request: str, ctx: PlanContext, gpu_seconds: float | None) -> int:
        """Store one attempt; ``gpu_seconds`` only for an accepted plan (refusals cost nothing)."""
        ok = attempt.error is None and attempt.plan is not None
        with session_scope(self.engine) as s:
            row = log_plan(
                s,
                PlanLog(
                    user_id=(ctx.user_id or "")[:64],
                    request_text=request[:MAX_TEXT],
                    planner=attempt.planner[:64],
                    tools_hash=attempt.tools_hash,
                    gpu_seconds=gpu_seconds if ok else None,
                    plan=attempt.plan.model_dump() if attempt.plan is not None else {},
                    notes=list(attempt.plan.notes) if attempt.plan is not None else [],
                    ok=ok,
                    error=str(attempt.error)[:MAX_TEXT] if attempt.error is not None else None,
                ),
            )
            assert row.id is not None
            for event in attempt.events:
                log_tool_call(
                    s,
                    ToolCallLog(
                        plan_log_id=row.id,
                        tool_name=event.name[:64],
                        arguments=event.arguments,
                        result=event.result[:MAX_TEXT],
                        error=event.error[:MAX_TEXT] if event.error else None,
                    ),
                )
            return row.id

    def gpu_seconds_today(self, user_id: str | None) -> float:
        """GPU-seconds of the plans this user was given since 00:00 UTC."""
        start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        stmt = select(func.coalesce(func.sum(col(PlanLog.gpu_seconds)), 0.0)).where(
            PlanLog.user_id == (user_id or "")[:64],
            col(PlanLog.created_at) >= start,
            col(PlanLog.ok).is_(True),
        )
        with read_session(self.engine) as s:
            return float(s.exec(stmt).one() or 0.0)
