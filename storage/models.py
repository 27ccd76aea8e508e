"""Tables (design §6), in the SQLModel style: ``XBase`` holds the fields callers set,
``X(XBase, table=True)`` adds keys and bookkeeping.

Lineage lives on ``Asset`` (parent, op, params, engine, model, seed, geometry); decisions live in
the append-only ``Approval`` log; every side effect towards Slack goes through ``Outbox``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def _json(default: Any = None) -> Any:
    return Field(
        default_factory=(dict if default is None else default), sa_column=Column(JSON, nullable=False)
    )


class CampaignBase(SQLModel):
    name: str = Field(max_length=200)
    brief: str = ""
    created_by: str = ""
    slack_channel: str | None = Field(default=None, max_length=32)
    slack_thread_ts: str | None = Field(default=None, max_length=32)


class Campaign(CampaignBase, table=True):
    __table_args__ = (UniqueConstraint("slack_channel", "slack_thread_ts"),)
    id: int | None = Field(default=None, primary_key=True)
    # Plain column, not a foreign key: campaign ↔ asset would be a cycle; the repository keeps it right.
    master_asset_id: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow)


class AssetBase(SQLModel):
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="asset.id", index=True)
    kind: str = Field(default="variant", max_length=32)  # upload | candidate | variant | report
    status: str = Field(default="ready", max_length=32)  # ready | master | superseded | approved | rejected
    sha256: str = Field(max_length=64, index=True)
    width: int
    height: int
    format: str = Field(max_length=16)
    size_bytes: int
    spec: str | None = Field(default=None, max_length=64)
    op: str | None = Field(default=None, max_length=64)
    op_version: str | None = Field(default=None, max_length=32)
    params: dict[str, Any] = _json()
    engine: str | None = Field(default=None, max_length=32)
    model: str | None = Field(default=None, max_length=200)
    seed: int | None = None
    geometry: dict[str, Any] = _json()
    notes: list[str] = _json(list)
    filename: str | None = Field(default=None, max_length=255)
    job_id: int | None = Field(default=None, index=True)  # no FK: job → asset already points here


class Asset(AssetBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)


class Approval(SQLModel, table=True):
    """Append-only decision log: rows are never updated or deleted."""

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    asset_id: int | None = Field(default=None, foreign_key="asset.id", index=True)
    audit_run_id: int | None = Field(default=None, foreign_key="auditrun.id")
    target: str = Field(max_length=16)  # master | variant | batch
    decision: str = Field(max_length=16)  # approve | reject | revoke | rerun | harmonize
    user_id: str = Field(max_length=64)
    reaction: str | None = Field(default=None, max_length=64)
    source: str = Field(default="cli", max_length=16)  # slack | cli
    effective: bool = True  # False when recorded but not acted on (e.g. a non-approver)
    created_at: datetime = Field(default_factory=utcnow)


class JobBase(SQLModel):
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id", index=True)
    batch_key: str | None = Field(default=None, max_length=64, index=True)
    idempotency_key: str = Field(max_length=64, unique=True)
    op: str = Field(max_length=64)
    op_version: str = Field(default="", max_length=32)
    params: dict[str, Any] = _json()
    spec: str | None = Field(default=None, max_length=64)
    engine: str = Field(default="classical", max_length=32)
    seed: int | None = None
    input_asset_id: int | None = Field(default=None, foreign_key="asset.id")
    depends_on: list[int] = _json(list)
    queue: str = Field(default="cpu", max_length=16)
    reply_channel: str | None = Field(default=None, max_length=32)
    reply_thread_ts: str | None = Field(default=None, max_length=32)
    max_attempts: int = 3


class Job(JobBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    status: str = Field(default="queued", max_length=16, index=True)  # queued|running|done|failed|cancelled
    attempts: int = 0
    error: str | None = None
    error_ref: str | None = Field(default=None, max_length=16)
    result_asset_id: int | None = Field(default=None, foreign_key="asset.id")
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None


class AuditRun(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id", index=True)
    master_asset_id: int | None = Field(default=None, foreign_key="asset.id")
    master_sha256: str = Field(max_length=64)
    batch_key: str | None = Field(default=None, max_length=64, index=True)
    passed: bool
    asset_count: int = 0
    failed_count: int = 0
    report: dict[str, Any] = _json()
    created_at: datetime = Field(default_factory=utcnow)


class AuditCheck(SQLModel, table=True):
    __table_args__ = (Index("ix_auditcheck_run_check", "audit_run_id", "check_name"),)
    id: int | None = Field(default=None, primary_key=True)
    audit_run_id: int = Field(foreign_key="auditrun.id", index=True)
    asset_id: int | None = Field(default=None, foreign_key="asset.id")
    asset_path: str = ""
    spec: str | None = Field(default=None, max_length=64)
    check_name: str = Field(max_length=32)
    passed: bool | None = None
    reason: str = ""
    measured: dict[str, Any] = _json()


class SlackMessage(SQLModel, table=True):
    """Maps a Slack message (channel + ts) to what it shows."""

    __table_args__ = (UniqueConstraint("channel", "ts"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=32)
    ts: str = Field(max_length=32)
    thread_ts: str | None = Field(default=None, max_length=32)
    kind: str = Field(max_length=32)  # candidate | upload | result | audit | plan | progress
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id", index=True)
    asset_id: int | None = Field(default=None, foreign_key="asset.id", index=True)
    audit_run_id: int | None = Field(default=None, foreign_key="auditrun.id")
    created_at: datetime = Field(default_factory=utcnow)


class SlackEvent(SQLModel, table=True):
    """Seen Slack deliveries; the unique ``event_id`` makes retries no-ops."""

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(max_length=128, unique=True)
    event_type: str = Field(default="", max_length=64)
    received_at: datetime = Field(default_factory=utcnow)


class Outbox(SQLModel, table=True):
    """Pending Slack side effects, each sent exactly once (``dedupe_key`` is unique)."""

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=128, unique=True)
    kind: str = Field(max_length=32)  # post | update | upload | ephemeral | reaction
    channel: str = Field(max_length=32)
    thread_ts: str | None = Field(default=None, max_length=32)
    payload: dict[str, Any] = _json()
    status: str = Field(default="pending", max_length=16, index=True)  # pending | sent | failed
    attempts: int = 0
    last_error: str | None = None
    result_ts: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


class PlanLog(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id", index=True)
    user_id: str = Field(default="", max_length=64)
    request_text: str
    planner: str = Field(max_length=64)  # rules | provider:model
    tools_hash: str | None = Field(default=None, max_length=64)
    # Estimated GPU-seconds (pipeline/costs.py) of a plan made through bot.planner.factory; the
    # per-user daily budget sums it. None on rows written elsewhere (e.g. the Slack Run-button copy)
    # and on plans whose start is a separate step; ``planner = "charge:<what>"`` rows record who
    # started such work (Run, 🔁, ✨: bot/budget.py).
    gpu_seconds: float | None = None
    plan: dict[str, Any] = _json()
    notes: list[str] = _json(list)
    ok: bool = True
    error: str | None = None
    created_at: datetime = Field(default_factory=utcnow)


class UserBudget(SQLModel, table=True):
    """A person's own daily GPU-seconds budget, set by an admin (``/keyart budget``); others get
    Settings ``gpu_seconds_per_user_day``."""

    user_id: str = Field(primary_key=True, max_length=64)
    gpu_seconds_per_day: float
    set_by: str = Field(max_length=64)
    updated_at: datetime = Field(default_factory=utcnow)


class ToolCallLog(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    plan_log_id: int = Field(foreign_key="planlog.id", index=True)
    tool_name: str = Field(max_length=64)
    arguments: dict[str, Any] = _json()
    result: str = ""
    error: str | None = None
    created_at: datetime = Field(default_factory=utcnow)


class OpRun(SQLModel, table=True):
    """One execution of one op: what ran, with what, on which bytes, how long."""

    id: int | None = Field(default=None, primary_key=True)
    job_id: int | None = Field(default=None, foreign_key="job.id", index=True)
    asset_id: int | None = Field(default=None, foreign_key="asset.id")
    op: str = Field(max_length=64)
    op_version: str = Field(max_length=32)
    params_hash: str = Field(max_length=64)
    engine: str = Field(max_length=32)
    model: str | None = Field(default=None, max_length=200)
    seed: int | None = None
    input_sha256: str | None = Field(default=None, max_length=64)
    output_sha256: str | None = Field(default=None, max_length=64)
    duration_s: float = 0.0
    error: str | None = None
    created_at: datetime = Field(default_factory=utcnow)


class SchedulerLock(SQLModel, table=True):
    """One row per named lock; the holder renews ``expires_at`` (single digest scheduler)."""

    name: str = Field(primary_key=True, max_length=64)
    holder: str = Field(max_length=128)
    expires_at: datetime
