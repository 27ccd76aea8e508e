"""Recorded LLM-planner runs replay offline; the record → file → replay loop itself is tested here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field

from bot.planner.prompt import guarded
from tests.planner import record
from tests.planner.cases import Case
from tests.planner.corpus import CORPUS
from tests.planner.fake_llm import script_for
from tests.planner.transcripts import FOLDER, read, replay

FILES = sorted(FOLDER.glob("*.json"))


class CorpusPlayer(BaseChatModel):
    """A stand-in provider: answers each corpus request the way ``script_for`` writes it."""

    cases: dict[str, Case] = Field(default_factory=dict)

    @property
    def _llm_type(self) -> str:
        return "corpus-player"

    def bind_tools(self, tools: Any, **kwargs: Any) -> CorpusPlayer:
        return self

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        asked = next(str(m.content) for m in messages if isinstance(m, HumanMessage))
        data = json.loads(asked.split("```json\n", 1)[1].rsplit("\n```", 1)[0])
        case = next(c for request, c in self.cases.items() if guarded(request)[0] == data["request"])
        played = sum(isinstance(m, AIMessage) for m in messages)
        return ChatResult(generations=[ChatGeneration(message=script_for(case)[played])])


def test_recording_writes_a_file_that_replays_to_the_same_scores(tmp_path: Path) -> None:
    picked = [c for c in CORPUS if "ask" in c.tags][:12]
    unique = {c.request: c for c in picked if sum(o.request == c.request for o in CORPUS) == 1}
    out = tmp_path / "player.json"
    argv = ["--llm", "fake:player", "--tag", "ask", "--limit", "12", "--out", str(out)]
    assert record.main(argv, model=CorpusPlayer(cases=unique)) == 0
    model, transcripts = read(out)
    assert model == "fake:player" and len(transcripts) == len(picked)
    played = [t for t in transcripts if t.case["request"] in unique]
    assert played and all(t.problems == [] and t.turns and t.tools_hash for t in played)
    assert any(call["name"] == "ask" for t in played for turn in t.turns for call in turn["tool_calls"])
    for transcript in played:
        assert replay(transcript, model) == []
    # A transcript whose replies no longer fit (here: the tool calls dropped) fails on replay.
    broken = played[0]
    broken.turns = [{"content": "done", "tool_calls": [], "invalid_tool_calls": []}]
    assert replay(broken, model) != []


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_recorded_runs_replay_offline(path: Path) -> None:
    model, transcripts = read(path)
    regressions, passed = [], 0
    for transcript in transcripts:
        found = replay(transcript, model)
        passed += not found
        if found and not transcript.problems:
            regressions.append(f"{transcript.case['request']!r}: {found}")
    print(f"{path.name}: {passed}/{len(transcripts)} pass on replay ({model})")
    assert regressions == []
