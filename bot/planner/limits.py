"""Limits every plan must respect, enforced in code whatever a planner proposes.

OWASP LLM06/LLM10 (reference/reliability.md §4): bounded tool-calling rounds and tool calls, a
GPU-seconds budget per request and per user per UTC day, priced with ``pipeline/costs.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.errors import BadRequest
from storage.settings import Settings


@dataclass(frozen=True)
class Limits:
    max_rounds: int = 8
    max_failed_rounds: int = 3
    max_tool_calls: int = 400
    gpu_seconds_per_request: float = 3600.0
    gpu_seconds_per_user_day: float = 14400.0

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            max_rounds=settings.llm_max_rounds,
            max_failed_rounds=settings.llm_max_failed_rounds,
            max_tool_calls=settings.llm_max_tool_calls,
            gpu_seconds_per_request=settings.gpu_seconds_per_request,
            gpu_seconds_per_user_day=settings.gpu_seconds_per_user_day,
        )

    def check_budget(self, gpu_seconds: float, spent_today: float) -> None:
        """Raise ``BadRequest`` when a plan of ``gpu_seconds`` is over either budget."""
        if gpu_seconds > self.gpu_seconds_per_request:
            raise BadRequest(
                f"that plan needs about {gpu_seconds:,.0f} GPU-seconds; the budget is "
                f"{self.gpu_seconds_per_request:,.0f} per request — ask for fewer variants or AI steps"
            )
        left = self.gpu_seconds_per_user_day - spent_today
        if gpu_seconds > left:
            raise BadRequest(
                f"that plan needs about {gpu_seconds:,.0f} GPU-seconds, but only {max(left, 0):,.0f} of your "
                f"{self.gpu_seconds_per_user_day:,.0f} GPU-seconds for today are left"
            )
