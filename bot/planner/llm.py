"""The LLM planner: a chat model calls the registry's tools, code checks every call, out comes a Plan.

The loop is bounded (rounds, refused rounds, tool calls; bot/planner/limits.py) and never runs an
op: tools record proposed steps (bot/planner/tools.py). A refused call goes back to the model as
an error ``ToolMessage`` naming the argument and the reason. The model finishes by answering
without tool calls; a refused call it neither fixed nor acknowledged (``add_note``) fails the
request with that reason, and so does a plan it cannot finish in ``max_failed_rounds`` tries.
The model is built lazily, so a missing provider package, a network error or a quota error
surfaces as :class:`LLMUnavailable` at planning time (the factory then falls back to the rules).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import BaseTool
from pydantic import ValidationError

from bot.planner.base import Attempt, PlanContext, ToolEvent
from bot.planner.build import EXAMPLES, check_request
from bot.planner.builder import PlanBuilder
from bot.planner.limits import Limits
from bot.planner.prompt import request_message, system_prompt
from bot.planner.tools import build_tools, explain, invoke, tools_hash
from pipeline.errors import BadRequest, UserFacingError
from pipeline.plan import Plan

ModelSource = BaseChatModel | Callable[[], BaseChatModel]


class LLMUnavailable(Exception):
    """The chat model could not be built or called (package missing, network, quota, bad config)."""

    def __init__(self, message: str, attempt: Attempt | None = None) -> None:
        super().__init__(message)
        self.attempt = attempt


class LLMPlanner:
    """Plans with a tool-calling chat model; same interface and output as the rule planner."""

    def __init__(
        self,
        model: ModelSource,
        *,
        name: str,
        limits: Limits | None = None,
        spent_today: Callable[[str | None], float] | None = None,
    ) -> None:
        self.name = name
        self.limits = limits or Limits()
        self._source = model
        self._spent_today = spent_today

    def plan(self, request: str, ctx: PlanContext) -> Plan:
        return self.attempt(request, ctx).result()

    def attempt(self, request: str, ctx: PlanContext) -> Attempt:
        """Plan or refusal plus the tool calls made; raises :class:`LLMUnavailable` if the model fails."""
        attempt = Attempt(planner=self.name)
        try:
            attempt.plan = self._run(request.strip(), ctx, attempt)
        except UserFacingError as exc:
            attempt.error = exc
        except LLMUnavailable as exc:
            exc.attempt = attempt
            raise
        return attempt

    def _run(self, text: str, ctx: PlanContext, attempt: Attempt) -> Plan:
        check_request(text)
        spent = self._spent_today(ctx.user_id) if self._spent_today and ctx.charge else 0.0
        builder = PlanBuilder(ctx, self.limits, spent_today=spent)
        tools = build_tools(builder, ctx)
        attempt.tools_hash = tools_hash(tools)
        message, code_notes = request_message(text, ctx)
        model = self._bind(tools)
        messages: list[BaseMessage] = [SystemMessage(system_prompt(ctx, self.limits)), HumanMessage(message)]
        runner = _Runner(tools, attempt.events, self.limits.max_tool_calls)
        failed = 0
        pending: list[str] = []
        for _ in range(self.limits.max_rounds):
            reply = self._invoke(model, messages)
            messages.append(reply)
            calls: list[Mapping[str, Any]] = [*reply.tool_calls, *_invalid_calls(reply)]
            if calls:
                results = [runner.run(call) for call in calls]
                messages.extend(results)
                pending = [str(m.content).removeprefix("error: ") for m in results if m.status == "error"]
            else:
                answer = _text(reply)
                if pending or not builder.steps:
                    raise BadRequest(_refusal(answer, pending, code_notes, bool(builder.steps)))
                pending = builder.problems()
                if not pending:
                    return builder.build(text, self.name, code_notes)
                messages.append(HumanMessage("The plan is not finished:\n- " + "\n- ".join(pending)))
            if pending:
                failed += 1
                if failed >= self.limits.max_failed_rounds:
                    raise BadRequest(
                        f"the planner could not make a valid plan in {failed} tries; "
                        f"last problem: {pending[-1]}"
                    )
        raise BadRequest(
            f"the planner did not finish within {self.limits.max_rounds} rounds; "
            "try a shorter or simpler request"
        )

    def _bind(self, tools: list[BaseTool]) -> Any:
        try:
            model = self._source if isinstance(self._source, BaseChatModel) else self._source()
            return model.bind_tools(tools)
        except LLMUnavailable:
            raise
        except Exception as exc:  # provider SDKs raise their own types: config, auth, missing extras
            raise LLMUnavailable(_describe(exc)) from exc

    def _invoke(self, model: Any, messages: list[BaseMessage]) -> AIMessage:
        try:
            reply = model.invoke(messages)
        except Exception as exc:  # network, quota, timeouts: whatever the provider SDK raises
            raise LLMUnavailable(_describe(exc)) from exc
        if not isinstance(reply, AIMessage):
            raise LLMUnavailable(f"the model answered with a {type(reply).__name__}, not an AI message")
        return reply


class _Runner:
    """Runs tool calls against the request's tools, turning every refusal into an error message."""

    def __init__(self, tools: list[BaseTool], events: list[ToolEvent], max_calls: int) -> None:
        self.tools = {t.name: t for t in tools}
        self.events = events
        self.max_calls = max_calls

    def run(self, call: Mapping[str, Any]) -> ToolMessage:
        if len(self.events) >= self.max_calls:
            raise BadRequest(
                f"the planner made more than {self.max_calls} tool calls; the limit is "
                f"{self.max_calls} per request — split the request"
            )
        name, call_id = str(call.get("name") or "?"), str(call.get("id") or f"call-{len(self.events)}")
        raw = call.get("args")
        args: dict[str, Any] = raw if isinstance(raw, dict) else {}
        result, error = "", call.get("error")
        tool = self.tools.get(name)
        if error:
            error = f"`{name}`: the arguments are not valid JSON ({error})"
        elif tool is None:
            error = (
                f"unknown tool `{name}`; the tools are {', '.join(sorted(self.tools))}. No tool approves, "
                "deletes, posts, runs commands or fetches URLs"
            )
        else:
            try:
                result = invoke(tool, name, args, call_id)
            except ValidationError as exc:
                error = explain(name, exc)
            except UserFacingError as exc:
                error = str(exc)
        self.events.append(ToolEvent(name, _jsonable(args), result, error))
        return ToolMessage(
            content=f"error: {error}" if error else result,
            tool_call_id=call_id,
            name=name,
            status="error" if error else "success",
        )


def _invalid_calls(reply: AIMessage) -> list[dict[str, Any]]:
    # Provider output whose arguments did not parse: answer them too, so the model can retry.
    return [
        {"name": c.get("name"), "args": {}, "id": c.get("id"), "error": c.get("error") or "unparsable"}
        for c in reply.invalid_tool_calls
    ]


def _refusal(answer: str, pending: list[str], notes: list[str], has_steps: bool) -> str:
    lead = (
        "I couldn't make a valid plan for that request"
        if has_steps or pending
        else "I couldn't find anything to make in that request"
    )
    refused = list(dict.fromkeys(pending))
    more = [f"and {len(refused) - 2} more refused calls"] if len(refused) > 2 else []
    parts = [*refused[:2], *more, *([answer.rstrip(".")] if answer else []), *notes]
    return f"{lead}: " + "; ".join(parts) if parts else f"{lead}. Try e.g. {EXAMPLES}."


def _text(reply: AIMessage) -> str:
    content = (
        reply.content
        if isinstance(reply.content, str)
        else " ".join(
            str(part.get("text", "")) if isinstance(part, dict) else str(part) for part in reply.content
        )
    )
    return " ".join(content.split())[:300]


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {' '.join(str(exc).split())}"[:300]


def _jsonable(args: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(json.dumps(args, default=str)))
