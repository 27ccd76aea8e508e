"""Plans: what a planner (rules or LLM) proposes and code validates before anything runs.

A plan is a list of steps. Each step names a registered op with its params and an ``input``:
``"master"`` or the id of an earlier step, so shared edits (swap the background) run once and
every channel variant builds on them. Steps that produce a deliverable carry ``variant``, the
output name (``story``, ``story-jp``); the last step of each variant is its ``export``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pipeline.errors import BadRequest
from pipeline.ops.registry import get_op

MASTER = "master"


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=80, description="Unique within the plan.")
    op: str = Field(min_length=1, max_length=64, description="A registered op name.")
    params: dict[str, Any] = Field(default_factory=dict, description="The op's parameters.")
    input: str = Field(MASTER, description="'master' or the id of an earlier step.")
    variant: str | None = Field(None, max_length=80, description="Deliverable this step belongs to.")

    @field_validator("id", "variant")
    @classmethod
    def _safe_name(cls, value: str | None) -> str | None:
        # Ids and variant names become file names: no separators, no dots at the start.
        if (
            (value is not None
            and not all(c.isalnum() or c in "-_.:" for c in value))
            or (value or "x")[0] == "."
        ):
            raise ValueError(f"{value!r} may only hold letters, digits and - _ . :")
        return value


class Plan(BaseModel):
    model_config = ConfigDict(extra="forbid")

    steps: list[Step] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    request: str = ""
    planner: str = "rules"

    def variants(self) -> list[str]:
        """Deliverable names, in plan order."""
        seen: list[str] = []
        for step in self.steps:
            if step.variant and step.variant not in seen:
                seen.append(step.variant)
        return seen

    def final_step(self, variant: str) -> Step:
        return [s for s in self.steps if s.variant == variant][-1]

    def validate_plan(self, *, engine: str, max_variants: int) -> Plan:
        """Check ops, params, engine support, step references and size; raise ``BadRequest``."""
        seen: set[str] = set()
        for step in self.steps:
            if step.id in seen:
                raise BadRequest(f"plan step id `{step.id}` appears twice")
            if step.input != MASTER and step.input not in seen:
                raise BadRequest(f"step `{step.id}` reads `{step.input}`, which is not an earlier step")
            spec = get_op(step.op)
            spec.check_engine(engine)
            spec.parse_params(step.params)
            seen.add(step.id)
        count = len(self.variants())
        if count > max_variants:
            raise BadRequest(f"the plan makes {count} variants; the limit is {max_variants} per request")
        return self

    def to_contract_json(self) -> dict[str, Any]:
        """The public ``keyart plan --json`` shape (design §8), plus ids/inputs for the executor."""
        return {
            "steps": [s.model_dump(exclude_none=True) for s in self.steps],
            "notes": list(self.notes),
        }
