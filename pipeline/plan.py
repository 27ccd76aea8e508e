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
from pipeline.questions import Question, check_questions

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
    questions: list[Question] = Field(
        default_factory=list, description="Readings the request left open; the plan uses each one's `chosen`."
    )
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

    def variant_specs(self) -> dict[str, str]:
        """Variant name → the spec its first (framing) step makes."""
        found: dict[str, str] = {}
        for step in self.steps:
            if step.variant and step.variant not in found:
                found[step.variant] = str(step.params.get("spec", ""))
        return found

    def validate_plan(self, *, engine: str, max_variants: int) -> Plan:
        """Check ops, params, engine support, step references and size; raise ``BadRequest``.

        Returns the plan to run: this one, or a copy where a `fit` that an `upscale` enlarges was set
        to frame at the source's scale (see :func:`frame_for_upscale`; a plan note says so).
        """
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
        check_questions(self.questions, set(self.variant_specs().values()))
        steps, notes = frame_for_upscale(reserve_copy_room(self.steps))
        if steps == self.steps:
            return self
        return self.model_copy(update={"steps": steps, "notes": list(dict.fromkeys([*self.notes, *notes]))})

    def to_contract_json(self) -> dict[str, Any]:
        """The public ``keyart plan --json`` shape (design §8), plus ids/inputs for the executor.

        ``questions`` appears only when the request left something open (issue 14), so the JSON of an
        unambiguous request is what it always was.
        """
        data: dict[str, Any] = {
            "steps": [s.model_dump(exclude_none=True) for s in self.steps],
            "notes": list(self.notes),
        }
        if self.questions:
            data["questions"] = [q.model_dump(exclude_defaults=False) for q in self.questions]
        return data


# Ops that change no geometry or resolution-dependent detail: an upscale may read a fit through them.
SCALE_FREE_OPS = ("harmonize",)


COPY_ROOM = 0.18  # of the frame, clear of the key region, for the copy and logo a `brand` step places


def reserve_copy_room(steps: list[Step]) -> list[Step]:
    """Steps where every `fit` whose variant is branded keeps room for the copy (``room``), unless set.

    A designer frames knowing where the copy goes: a crop the product fills edge to edge leaves
    `brand` nowhere to put it, so `fit` lays such a variant out (photo + panel) instead.
    """
    branded = {s.variant for s in steps if s.op == "brand" and s.variant}
    return [
        s.model_copy(update={"params": {**s.params, "room": COPY_ROOM}})
        if s.op == "fit" and s.variant in branded and "room" not in s.params
        else s
        for s in steps
    ]


def upscaled_fits(steps: list[Step]) -> dict[str, Step | None]:
    """Each `fit` step id → the `upscale` that enlarges it to the fit's spec, or None.

    "Enlarges it" means the upscale reads the fit directly or through scale-free steps only, and
    targets the same `spec` (an upscale by `scale` makes a size of its own, not the spec's).
    """
    by_id = {s.id: s for s in steps}
    found: dict[str, Step | None] = {s.id: None for s in steps if s.op == "fit"}
    for step in steps:
        if step.op != "upscale" or not step.params.get("spec") or step.params.get("scale") is not None:
            continue
        source = by_id.get(step.input)
        while source is not None and source.op in SCALE_FREE_OPS:
            source = by_id.get(source.input)
        if source is not None and source.op == "fit" and source.params.get("spec") == step.params["spec"]:
            found[source.id] = step
    return found


def frame_for_upscale(steps: list[Step]) -> tuple[list[Step], list[str]]:
    """Steps where every `fit` that an `upscale` enlarges frames at the source's scale; notes on changes.

    Rendered at the spec's size, such a fit leaves `upscale` nothing to do (×1: the model never
    runs) and Lanczos does all of the enlarging; at the source's scale the upscaler does it. The
    change is made (with a note) rather than refused, because an LLM planner records `fit` before
    it records the `upscale` and has no way to amend a recorded step. The reverse — `output=source`
    with no upscale to the spec — cannot be delivered (export never resizes) and is refused.
    """
    upscales = upscaled_fits(steps)
    out, notes = [], []
    for step in steps:
        output = step.params.get("output", "spec")
        upscale = upscales.get(step.id) if step.op == "fit" else None
        if step.op == "fit" and output == "source" and upscale is None:
            raise BadRequest(
                f"`{step.id}` frames at the source's scale (output=source), but no `upscale` to "
                f"`{step.params.get('spec')}` follows it, and export never resizes: add the upscale "
                "or leave `output` out"
            )
        if upscale is not None and output != "source":
            step = step.model_copy(update={"params": {**step.params, "output": "source"}})
            notes.append(
                f"`{step.id}` frames at the master's own scale (output=source) so that "
                f"`{upscale.id}` does the enlarging to `{step.params['spec']}`"
            )
        out.append(step)
    return out, notes
