"""The LLM planner's ``ask`` tool: a reading the request leaves open, as a question with options.

The model plans one reading (``chosen``) and names the others; keyart asks the person in Slack
before anything runs, and the CLI goes with the planned one and prints the rest (the rule planner
fills the same :class:`~pipeline.questions.Question`).
"""

from __future__ import annotations

from langchain_core.tools import StructuredTool
from pydantic import BaseModel, ConfigDict, Field

from bot.planner.builder import PlanBuilder
from pipeline.questions import MAX_OPTIONS, MAX_QUESTIONS

DESCRIPTION = (
    "Ask back when the request can mean different deliverables and the choice changes the output: "
    "a ratio or size several specs share (16:9 is `landing-hero` and `youtube-thumbnail`), or a word "
    "with several readings and no size ('a banner', 'billboard', 'masthead', 'hero'). Record the plan "
    "with one reading (`chosen`) and list the others; keyart asks the person before anything runs. An "
    f"explicit spec name or size that fits one spec needs no question. At most {MAX_QUESTIONS} per plan."
)


class _Reading(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str = Field(
        min_length=1, max_length=60, description="Button text, e.g. 'YouTube thumbnail 1280×720'."
    )
    specs: list[str] = Field(min_length=1, max_length=12, description="Spec names this reading makes.")


class _AskArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(
        min_length=1,
        max_length=150,
        description="One short question, e.g. '16:9 — landing hero or YouTube thumbnail?'",
    )
    options: list[_Reading] = Field(min_length=2, max_length=MAX_OPTIONS, description="The readings, 2 to 5.")
    chosen: int = Field(0, ge=0, description="Index of the reading the recorded plan makes.")


def ask_tool(builder: PlanBuilder) -> StructuredTool:
    def ask(question: str, options: list[_Reading], chosen: int = 0) -> str:
        readings = [o.model_dump() if isinstance(o, BaseModel) else dict(o) for o in options]
        recorded = builder.add_question(question, readings, chosen)
        return f"recorded question `{recorded.id}`; the plan must make {recorded.default.specs}"

    return StructuredTool.from_function(func=ask, name="ask", description=DESCRIPTION, args_schema=_AskArgs)
