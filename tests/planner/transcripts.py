"""Recorded LLM-planner runs: record a real provider once, replay it offline in the tests.

A transcript file holds one run of the corpus against one model: per case, the model's replies
(text, tool calls) in order, the hash of the tool schemas it saw, and how the plan scored. Replay
feeds the same replies back through :class:`~bot.planner.llm.LLMPlanner` with a scripted model, so
the tool layer, the checks and the scoring run again with no network. Record with
``python -m tests.planner.record --llm provider:model`` (README, "Planning").
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage

from bot.planner.base import PlanContext
from tests.planner.cases import Case

FORMAT = "keyart-planner-transcript/1"
FOLDER = Path(__file__).parent / "transcripts"


class Recorder:
    """Stands in for a chat model: passes every call to the real one and keeps each reply."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.bound: Any = None
        self.replies: list[AIMessage] = []

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Recorder:
        self.bound = self.model.bind_tools(tools, **kwargs)
        return self

    def invoke(self, messages: list[BaseMessage], **kwargs: Any) -> Any:
        reply = (self.bound or self.model).invoke(messages, **kwargs)
        if isinstance(reply, AIMessage):
            self.replies.append(reply)
        return reply


@dataclass
class Transcript:
    """One case as a model played it."""

    case: dict[str, Any]  # request, engine, has_brand_kit, max_variants: the corpus case's key
    turns: list[dict[str, Any]]
    tools_hash: str | None = None
    problems: list[str] = field(default_factory=list)  # how it scored when recorded ([] = passed)

    def messages(self) -> list[AIMessage]:
        return [
            AIMessage(
                content=t.get("content", ""),
                tool_calls=t.get("tool_calls", []),
                invalid_tool_calls=t.get("invalid_tool_calls", []),
            )
            for t in self.turns
        ]


def case_key(case: Case) -> dict[str, Any]:
    return {
        "request": case.request,
        "engine": case.engine,
        "has_brand_kit": case.has_brand_kit,
        "max_variants": case.max_variants,
    }


def context_of(key: dict[str, Any]) -> PlanContext:
    return PlanContext(
        engine=key["engine"], max_variants=key["max_variants"], has_brand_kit=key["has_brand_kit"]
    )


def turn_of(reply: AIMessage) -> dict[str, Any]:
    content = (
        reply.content if isinstance(reply.content, str) else json.dumps(reply.content, ensure_ascii=False)
    )
    return {
        "content": content,
        "tool_calls": [{"name": c["name"], "args": c["args"], "id": c.get("id")} for c in reply.tool_calls],
        "invalid_tool_calls": [dict(c) for c in reply.invalid_tool_calls],
    }


def write(path: Path, model: str, transcripts: list[Transcript]) -> None:
    data = {
        "format": FORMAT,
        "model": model,
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "transcripts": [t.__dict__ for t in transcripts],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def read(path: Path) -> tuple[str, list[Transcript]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise ValueError(f"{path}: not a {FORMAT} file (format={data.get('format')!r})")
    return str(data["model"]), [Transcript(**t) for t in data["transcripts"]]


def replay(transcript: Transcript, model_name: str) -> list[str]:
    """Score a recorded case again, offline: the problems found ([] = it still passes)."""
    from bot.planner.llm import LLMPlanner, LLMUnavailable
    from tests.planner.fake_llm import ScriptedChatModel
    from tests.planner.scoring import problems

    planner = LLMPlanner(ScriptedChatModel(script=transcript.messages()), name=f"replay:{model_name}")
    try:
        return problems(planner, find_case(transcript.case))
    except LLMUnavailable as exc:  # the replay asked for a turn the model never played
        return [f"replay diverged: {exc}"]


def find_case(key: dict[str, Any]) -> Case:
    from tests.planner.corpus import CORPUS

    found = next((c for c in CORPUS if case_key(c) == key), None)
    if found is None:
        raise LookupError(f"no corpus case {key}: it was changed or removed since the recording")
    return found
