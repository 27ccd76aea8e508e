"""Logs of plans, tool calls and op runs: the answer to "why does this variant look like that?"."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlmodel import Session, col, select

from storage.models import OpRun, PlanLog, ToolCallLog


def params_hash(params: dict[str, Any]) -> str:
    """Stable sha256 of a JSON-able params dict (keys sorted)."""
    blob = json.dumps(params, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def log_plan(session: Session, row: PlanLog) -> PlanLog:
    session.add(row)
    session.flush()
    return row


def log_tool_call(session: Session, row: ToolCallLog) -> ToolCallLog:
    session.add(row)
    session.flush()
    return row


def log_op_run(session: Session, row: OpRun) -> OpRun:
    session.add(row)
    session.flush()
    return row


def op_runs_for_asset(session: Session, asset_id: int) -> list[OpRun]:
    return list(session.exec(select(OpRun).where(OpRun.asset_id == asset_id).order_by(col(OpRun.id))))


def tool_calls_of(session: Session, plan_log_id: int) -> list[ToolCallLog]:
    stmt = select(ToolCallLog).where(ToolCallLog.plan_log_id == plan_log_id).order_by(col(ToolCallLog.id))
    return list(session.exec(stmt))
