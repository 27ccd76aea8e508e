"""A scripted chat model for the LLM planner's tests, and corpus cases turned into its tool calls.

``ScriptedChatModel`` is a real LangChain ``BaseChatModel`` (so ``bind_tools`` → ``invoke`` runs
the same code as a provider's model); it replays ``AIMessage``s and records what it was shown.
``script_for(case)`` writes the tool calls a competent model would make for a corpus case, from the
case's expected lineages, params and notes — so the corpus run checks that the tool layer can
express every expected plan and that code (not the script) adds the guard, brand-kit and limit
behaviour. It says nothing about how well a real model reads requests.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.tools import BaseTool
from pydantic import Field

from bot.planner.builder import FRAMING_OPS
from pipeline.ops.registry import get_op
from pipeline.specs import all_specs
from tests.planner.cases import DEFAULT, IAB_CORE, Case


class ScriptExhausted(AssertionError):
    """The planner asked for more turns than the script has."""


class ScriptedChatModel(BaseChatModel):
    script: list[AIMessage] = Field(default_factory=list)
    error: Exception | None = None  # raised on every call (a network / quota failure)
    bound: list[str] = Field(default_factory=list)  # tool names from bind_tools
    seen: list[list[BaseMessage]] = Field(default_factory=list)  # the messages of every call

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> ScriptedChatModel:
        self.bound = [t.name if isinstance(t, BaseTool) else str(t) for t in tools]
        return self

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.seen.append(list(messages))
        if self.error is not None:
            raise self.error
        if len(self.seen) > len(self.script):
            raise ScriptExhausted(f"turn {len(self.seen)} of a {len(self.script)}-turn script")
        return ChatResult(generations=[ChatGeneration(message=self.script[len(self.seen) - 1])])


def call(name: str, n: int = 0, **args: Any) -> dict[str, Any]:
    return {"name": name, "args": args, "id": f"{name}-{n}", "type": "tool_call"}


def turn(*calls: dict[str, Any], text: str = "") -> AIMessage:
    return AIMessage(content=text, tool_calls=list(calls))


def spec_of(variant: str) -> str:
    names = [s.name for s in all_specs() if variant == s.name or variant.startswith(f"{s.name}-")]
    return max(names, key=len)


def chain_calls(
    variants: dict[str, tuple[str, ...]], params: Any = None, engine: str = "classical"
) -> list[dict[str, Any]]:
    """Tool calls for ``{variant: lineage}``: shared edits once per market, then each variant's chain."""
    params = params or {}
    calls: list[dict[str, Any]] = []
    shared: dict[tuple[str, tuple[str, ...]], str] = {}  # (market, edits so far) → step id
    used: dict[str, int] = {}
    for name, lineage in variants.items():
        spec = spec_of(name)
        market = name.removeprefix(spec).lstrip("-")
        cut = next(i for i, op in enumerate(lineage) if op in FRAMING_OPS)
        source = "master"
        for i, op in enumerate(lineage[:cut]):
            key = (market, lineage[: i + 1])
            if key not in shared:
                used[op] = used.get(op, 0) + 1  # the builder names them edit.swap, edit.swap-2, …
                shared[key] = f"edit.{op}" if used[op] == 1 else f"edit.{op}-{used[op]}"
                group = [v for v in variants if spec_of(v) + (f"-{market}" if market else "") == v]
                calls.append(call(op, len(calls), input=source, **_edit_params(op, group, params, engine)))
            source = shared[key]
        for i, op in enumerate(lineage[cut:]):
            args = dict(params.get(f"{name}:{op}", {}))
            if "spec" in get_op(op).params_type.model_fields:
                args["spec"] = spec
            routing = {"input": source} if i == 0 else {}
            calls.append(call(op, len(calls), variant=name, **routing, **args))
    return calls


def _edit_params(op: str, group: list[str], params: Any, engine: str) -> dict[str, Any]:
    for key in [f"{v}:{op}" for v in group] + [op]:
        if key in params:
            return dict(params[key])
    # What the case does not pin down gets a plausible value.
    fallback = {
        "swap": {"prompt": "the described scene"} if engine == "diffusion" else {"color": "#FFFFFF"},
        "recolor": {"target_color": "#FFD400"},
    }
    return fallback.get(op, {})


def _versions(*markets: str) -> dict[str, tuple[str, ...]]:
    return {f"{s}-{m}" if m else s: ("fit", "export") for m in ("", *markets) for s in DEFAULT}


# Requests the corpus expects to be refused: what a model would try, or say, for each.
REFUSALS: dict[str, list[AIMessage]] = {
    "300x300": [
        turn(call("fit", spec="300x300", variant="300x300")),
        turn(text="There is no 300×300 spec in the catalogue."),
    ],
    "JP version with a Tokyo skyline at dusk": [
        turn(call("swap", prompt="a Tokyo skyline at dusk")),
        turn(text="The skyline can't be painted here."),
    ],
    "swap the background to a warm dusk": [
        turn(call("swap", prompt="a warm dusk")),
        turn(text="I can't paint a dusk sky on this engine."),
    ],
    "re-render the story at strength 250": [
        turn(call("variant", spec="story", variant="story", strength=2.5)),
        turn(text="A variant strength of 250 is not a strength; give 0.05–0.8."),
    ],
    "delete the campaign": [turn(text="Deleting campaigns is not something I can do.")],
    "remove the logo": [
        turn(call("clean", mode="mask")),
        turn(text="Removing the logo needs a mask of it, and none comes with the request."),
    ],
    "skyscraper 120x600": [
        turn(call("list_specs", group="iab")),
        turn(text="There is no 120×600 spec: the wide skyscraper is 160×600."),
    ],
    "a 4K hero": [
        turn(call("fit", spec="3840x2160", variant="hero")),
        turn(text="There is no 3840×2160 spec in the catalogue."),
    ],
    "asdf qwerty": [turn(text="I didn't understand “asdf qwerty”.")],
    "what's the weather like?": [turn(text="That is not a production request.")],
    "everything; JP, UK, DE, FR and US versions": [
        turn(*chain_calls(_versions("jp", "uk", "de", "fr", "us"))),
        turn(text="Too many variants."),
    ],
    "the IAB set": [
        turn(*chain_calls({s: ("fit", "export") for s in IAB_CORE})),
        turn(text="Over the limit."),
    ],
}


def script_for(case: Case) -> list[AIMessage]:
    if case.error is not None:
        return REFUSALS.get(case.request.strip(), [])
    calls = chain_calls(dict(case.variants), case.params, case.engine)
    # The guard's and the brand-kit notes are the code's job, not the model's: leave them to it.
    notes = [
        call("add_note", 1000 + i, text=f"{note} (as I read it)")
        for i, note in enumerate(case.notes)
        if not any(code in note for code in ("ignored instructions", "no brand kit"))
    ]
    asks = [
        call(
            "ask",
            2000 + i,
            question=f"which {' or '.join(a.chosen)}?",
            options=[
                {"label": "/".join(specs)[:60], "specs": list(specs)} for specs in (a.chosen, *a.others)
            ],
        )
        for i, a in enumerate(case.asks)
    ]
    return [turn(*calls, *notes, *asks), turn(text="Here is the plan.")]
