"""Planners: request text → validated Plan. Rules (offline) or an LLM (bot/planner/llm.py), picked and
logged by ``bot.planner.factory.make_planner``; both share the :class:`Planner` interface."""

from bot.planner.base import PlanContext, Planner
from bot.planner.rules import RulePlanner

__all__ = ["PlanContext", "Planner", "RulePlanner"]
