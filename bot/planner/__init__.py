"""Planners: request text → validated Plan. Rules now (offline); an LLM planner shares the interface."""

from bot.planner.base import PlanContext, Planner
from bot.planner.rules import RulePlanner

__all__ = ["PlanContext", "Planner", "RulePlanner"]
