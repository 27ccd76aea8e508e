"""The rule-based planner: offline, deterministic, no LLM.

It reads channel words (spec names, platforms, ratios, pixel sizes), edit verbs (swap, recolor,
clean, harmonize, upscale, expand/crop, brand, export) and markets ("JP version with …") from the
request and builds a :class:`~pipeline.plan.Plan` that passes ``validate_plan``. Whatever it reads
loosely (a typo, a ratio several specs share) or cannot use is said in ``Plan.notes``; text that is
not a production request (prompt injection) is cut out and reported, never acted on.
"""

from __future__ import annotations

from bot.planner.base import PlanContext
from bot.planner.build import build_plan, check_request
from bot.planner.guard import ignored_note
from bot.planner.reading import read_request
from pipeline.plan import Plan


class RulePlanner:
    """Keyword and pattern planner; see ``tests/planner/corpus.py`` for what it understands."""

    name = "rules"

    def plan(self, request: str, ctx: PlanContext) -> Plan:
        text = request.strip()
        check_request(text)
        intent = read_request(text)
        notes = ([ignored_note(intent.ignored)] if intent.ignored else []) + intent.notes
        return build_plan(intent, text, ctx, notes)
