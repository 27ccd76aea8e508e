"""Questions a plan carries when a request could mean different deliverables.

A plan is always complete: it is made with one option (``chosen``), so the CLI can run it as it is
and print the others. In Slack the question is asked with one button per option before anything
runs; the answer swaps the chosen option's channels for the picked one's (bot/planner/answers.py).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pipeline.errors import BadRequest
from pipeline.specs import UnknownSpecError, get_spec

MAX_QUESTIONS = 3
MAX_OPTIONS = 5


class Option(BaseModel):
    """One reading of the request: the channel specs it makes."""

    model_config = ConfigDict(extra="forbid")

    label: str = Field(
        min_length=1, max_length=60, description="What a button shows, e.g. 'YouTube thumbnail'."
    )
    specs: list[str] = Field(min_length=1, max_length=12, description="Spec names this reading makes.")

    @field_validator("specs")
    @classmethod
    def _known(cls, specs: list[str]) -> list[str]:
        for name in specs:
            try:
                get_spec(name)
            except UnknownSpecError as exc:  # a KeyError: pydantic reports ValueErrors only
                raise ValueError(str(exc)) from None
        if len(set(specs)) != len(specs):
            raise ValueError(f"specs {specs} name a spec twice")
        return specs


class Question(BaseModel):
    """ "16:9 — landing hero or YouTube thumbnail?": the plan is made with ``options[chosen]``."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=16, pattern=r"^[a-z0-9-]+$")
    text: str = Field(min_length=1, max_length=150)
    options: list[Option] = Field(min_length=2, max_length=MAX_OPTIONS)
    chosen: int = Field(0, ge=0, description="Index of the option the plan is made with.")
    note: str = Field("", max_length=300, description="The plan note that explains the default, if any.")

    @model_validator(mode="after")
    def _chosen_exists(self) -> Question:
        if self.chosen >= len(self.options):
            raise ValueError(f"chosen={self.chosen} but there are {len(self.options)} options")
        if len({tuple(sorted(o.specs)) for o in self.options}) != len(self.options):
            raise ValueError("two options make the same specs")
        return self

    @property
    def default(self) -> Option:
        return self.options[self.chosen]

    def alternatives(self) -> list[Option]:
        return [o for i, o in enumerate(self.options) if i != self.chosen]

    def summary(self) -> str:
        """One line for the terminal: what was planned and what else could be asked for."""
        others = "; ".join(f"“{o.label}” ({', '.join(o.specs)})" for o in self.alternatives())
        return f"{self.text} Planned: {self.default.label}. Or ask for {others}."


def check_questions(questions: list[Question], planned_specs: set[str]) -> None:
    """Each question's chosen option must be what the plan makes; ids are unique; few questions."""
    if len(questions) > MAX_QUESTIONS:
        raise BadRequest(f"the plan asks {len(questions)} questions; at most {MAX_QUESTIONS}")
    ids = [q.id for q in questions]
    if len(set(ids)) != len(ids):
        raise BadRequest(f"question ids {ids} repeat")
    for question in questions:
        missing = [name for name in question.default.specs if name not in planned_specs]
        if missing:
            raise BadRequest(
                f"question `{question.id}` says the plan makes {question.default.label!r}, but it has no "
                f"variant for {', '.join(f'`{m}`' for m in missing)}"
            )
