"""The interface every planner shares (rules, LLM): request text in, validated Plan out.

A planner only proposes. It never runs an op, touches storage or posts to Slack; the caller
validates the plan (again), prices it and asks a person before anything runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Protocol, runtime_checkable

from pipeline.errors import UserFacingError
from pipeline.plan import Plan
from pipeline.specs import DEFAULT_SET
from storage.settings import Settings


@dataclass(frozen=True)
class CampaignView:
    """What a planner may read about the campaign thread (the ``describe_campaign`` tool).

    File names and the brief come from users: planners treat them as data, never as instructions.
    """

    name: str = ""
    brief: str = ""
    master_file: str | None = None
    master_size: tuple[int, int] | None = None
    variants: tuple[str, ...] = ()  # existing deliverables, e.g. "story (approved)"
    last_audit: str | None = None  # one-line summary of the last audit run


@dataclass(frozen=True)
class PlanContext:
    """What a planner may know besides the text: limits and the state of the campaign thread."""

    engine: str = "classical"
    max_variants: int = 60
    has_brand_kit: bool = False
    has_master: bool = True
    default_specs: tuple[str, ...] = DEFAULT_SET
    user_id: str | None = None
    campaign: CampaignView | None = None
    # False when starting the plan is a separate step (Slack: auto-run or the Run button): the
    # daily budget is then checked and charged when it starts, to whoever starts it (bot/budget.py).
    charge: bool = True

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> PlanContext:
        """Engine and limits from the one Settings object; thread state from the caller."""
        return replace(cls(engine=settings.engine, max_variants=settings.max_variants), **overrides)


@runtime_checkable
class Planner(Protocol):
    """Turns a production request into a validated :class:`Plan` or raises ``BadRequest``."""

    name: str

    def plan(self, request: str, ctx: PlanContext) -> Plan: ...


@dataclass(frozen=True)
class ToolEvent:
    """One tool call a model made and what came back (``error`` set when it was refused)."""

    name: str
    arguments: dict[str, Any]
    result: str = ""
    error: str | None = None


@dataclass
class Attempt:
    """One planning attempt: the plan or the refusal, plus what the model did on the way."""

    planner: str
    plan: Plan | None = None
    error: UserFacingError | None = None
    events: list[ToolEvent] = field(default_factory=list)
    tools_hash: str | None = None

    def result(self) -> Plan:
        if self.error is not None:
            raise self.error
        assert self.plan is not None
        return self.plan
