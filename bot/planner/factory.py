"""Which planner a process uses: the rule planner, or the LLM planner with the rules as fallback.

Both the CLI (``keyart plan``, ``keyart run``) and the Slack bot build their planner here. Whatever
planned it, the result is priced and held to the GPU-seconds budgets in code, and — given a
database engine — logged with its tool calls (bot/planner/planlog.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.planner.base import Attempt, PlanContext
from bot.planner.limits import Limits
from bot.planner.llm import LLMPlanner, LLMUnavailable
from bot.planner.planlog import PlanLogWriter
from bot.planner.rules import RulePlanner
from pipeline.costs import DEFAULT_MASTER_MP, plan_cost
from pipeline.errors import UserFacingError
from pipeline.plan import Plan
from storage.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from sqlalchemy.engine import Engine


def make_planner(
    settings: Settings,
    *,
    llm_override: str | None = None,
    model: BaseChatModel | None = None,
    engine: Engine | None = None,
) -> ConfiguredPlanner:
    """Rules when ``KEYART_LLM`` (or ``llm_override``) is empty, else the LLM planner.

    ``model`` injects a ready chat model (tests use a fake one; no network). ``engine`` turns on the
    database log and the per-user daily budget.
    """
    spec = settings.llm if llm_override is None else llm_override
    log = PlanLogWriter(engine) if engine is not None else None
    limits = Limits.from_settings(settings)
    llm = None
    if spec or model is not None:
        name = spec or f"model:{type(model).__name__}"
        source = (
            model if model is not None else (lambda: load_chat_model(spec, timeout=settings.llm_timeout_s))
        )
        llm = LLMPlanner(source, name=name, limits=limits, spent_today=log.gpu_seconds_today if log else None)
    return ConfiguredPlanner(llm, limits, log)


def load_chat_model(spec: str, *, timeout: float) -> BaseChatModel:
    """``provider:model`` → a LangChain chat model via ``init_chat_model`` (imported lazily)."""
    provider, _, model = spec.partition(":")
    if not provider or not model:
        raise LLMUnavailable(f"KEYART_LLM={spec!r} must look like provider:model, e.g. openai:gpt-4.1-mini")
    try:
        from langchain.chat_models import init_chat_model
    except ImportError:
        raise LLMUnavailable("the `langchain` package is not installed (pip install 'keyart[llm]')") from None
    # Bound every call (OWASP LLM10); each SDK spells the timeout its own way.
    extra = {"ollama": {"client_kwargs": {"timeout": timeout}}}.get(provider, {"timeout": timeout})
    try:
        return init_chat_model(model, model_provider=provider, **extra)
    except ImportError as exc:
        raise LLMUnavailable(
            f"the package for provider `{provider}` is not installed ({exc.name or exc}); "
            "pip install 'keyart[llm]'"
        ) from None
    except Exception as exc:  # unknown provider, missing API key: the SDKs raise their own types
        raise LLMUnavailable(f"could not start {spec}: {type(exc).__name__}: {exc}"[:300]) from None


class ConfiguredPlanner:
    """The process's planner: LLM (falling back to rules) or rules; budget-checked and logged."""

    def __init__(self, llm: LLMPlanner | None, limits: Limits, log: PlanLogWriter | None = None) -> None:
        self.llm, self.limits, self.log = llm, limits, log
        self.rules = RulePlanner()
        self.name = llm.name if llm is not None else self.rules.name

    def plan(self, request: str, ctx: PlanContext) -> Plan:
        attempt = self._attempt(request, ctx)
        gpu_seconds = None
        if attempt.plan is not None and attempt.error is None:
            master = ctx.campaign.master_size if ctx.campaign else None
            master_mp = master[0] * master[1] / 1e6 if master else DEFAULT_MASTER_MP
            gpu_seconds = plan_cost(attempt.plan, ctx.engine, master_mp=master_mp).gpu_seconds
            spent = self.log.gpu_seconds_today(ctx.user_id) if self.log and ctx.charge else 0.0
            try:
                self.limits.check_budget(gpu_seconds, spent)
            except UserFacingError as exc:
                attempt.error = exc
        if self.log is not None:
            self.log.write(attempt, request=request, ctx=ctx, gpu_seconds=gpu_seconds if ctx.charge else None)
        return attempt.result()

    def _attempt(self, request: str, ctx: PlanContext) -> Attempt:
        if self.llm is None:
            return self._rules(request, ctx)
        try:
            return self.llm.attempt(request, ctx)
        except LLMUnavailable as exc:
            note = (
                f"the LLM planner ({self.llm.name}) is unavailable ({exc}); this plan comes from the "
                "rule-based planner"
            )
            fallback = self._rules(request, ctx, note)
            if exc.attempt is not None:  # keep what the model did before it failed in the log
                fallback.events, fallback.tools_hash = exc.attempt.events, exc.attempt.tools_hash
            return fallback

    def _rules(self, request: str, ctx: PlanContext, note: str | None = None) -> Attempt:
        attempt = Attempt(planner=self.rules.name)
        try:
            plan = self.rules.plan(request, ctx)
            attempt.plan = plan.model_copy(update={"notes": [note, *plan.notes]}) if note else plan
        except UserFacingError as exc:
            attempt.error = type(exc)(f"{exc} ({note})") if note else exc
        return attempt
