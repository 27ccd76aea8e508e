"""The plan an LLM assembles one tool call at a time; each call is checked before it is recorded.

Nothing runs: a recorded step is a proposal. The checks are the plan contract the executor relies
on (pipeline/plan.py) plus the limits (bot/planner/limits.py), so a refused call comes back to the
model with the reason, and a plan that reaches ``build`` is valid, within the variant limit and
within budget. Step ids follow the rule planner's: ``edit.<op>`` for shared edits of the master,
``<variant>.<op>`` for a variant's chain.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from bot.planner.base import PlanContext
from bot.planner.build import NO_BRAND_KIT_NOTE, NO_MASTER_NOTE
from bot.planner.limits import Limits
from pipeline.costs import DEFAULT_MASTER_MP, plan_cost, step_cost, step_megapixels
from pipeline.errors import BadRequest
from pipeline.ops.registry import get_op
from pipeline.plan import MASTER, Plan, Step, upscaled_fits
from pipeline.questions import MAX_QUESTIONS, Option, Question

FRAMING_OPS = ("fit", "reframe", "expand", "variant")  # a variant's first step frames it to its spec
MAX_NOTES, MAX_NOTE_CHARS = 12, 300


class PlanBuilder:
    def __init__(self, ctx: PlanContext, limits: Limits, *, spent_today: float = 0.0) -> None:
        self.ctx, self.limits, self.spent_today = ctx, limits, spent_today
        self.steps: list[Step] = []
        self.notes: list[str] = []
        self.questions: list[Question] = []
        self.gpu_seconds = 0.0
        self._by_id: dict[str, Step] = {}
        self._mp: dict[str, float] = {}
        size = ctx.campaign.master_size if ctx.campaign else None
        self.master_mp = size[0] * size[1] / 1e6 if size else DEFAULT_MASTER_MP

    def variants(self) -> list[str]:
        return list(dict.fromkeys(s.variant for s in self.steps if s.variant))

    def chain(self, variant: str) -> list[Step]:
        return [s for s in self.steps if s.variant == variant]

    def add_note(self, text: str) -> str:
        text = " ".join(text.split())[:MAX_NOTE_CHARS]
        if not text:
            raise BadRequest("add_note: the note is empty")
        if len(self.notes) >= MAX_NOTES:
            raise BadRequest(f"add_note: at most {MAX_NOTES} notes per plan; merge them")
        if text not in self.notes:
            self.notes.append(text)
        return text

    def add_question(self, text: str, options: list[dict[str, Any]], chosen: int = 0) -> Question:
        """Record a reading the request left open; the plan must be made with ``options[chosen]``."""
        if len(self.questions) >= MAX_QUESTIONS:
            raise BadRequest(f"ask: at most {MAX_QUESTIONS} questions per plan; pick the others yourself")
        try:
            question = Question(
                id=f"q{len(self.questions) + 1}",
                text=" ".join(text.split()),
                options=[Option.model_validate(o) for o in options],
                chosen=chosen,
            )
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: "
                + e["msg"].removeprefix("Value error, ")
                for e in exc.errors()
            )
            raise BadRequest(f"ask: {problems}") from None
        self.questions.append(question)
        return question

    def add_step(self, op: str, params: dict[str, Any], *, variant: str | None, source: str | None) -> Step:
        """Check and record one step; raises ``BadRequest``/``EngineUnavailable`` with the reason."""
        get_op(op).check_engine(self.ctx.engine)
        self._check_params(op, params)
        if source is not None and ("/" in source or "\\" in source):
            raise BadRequest(
                f"`input` {source!r} looks like a file path or URL; tools take no files: give "
                "`master` or a step id (the source image is bound by keyart)"
            )
        if variant is None:
            source = self._shared_source(op, params, source)
        else:
            source = self._variant_source(op, params, variant, source)
        base = f"{variant}.{op}" if variant else f"edit.{op}"
        step_id, n = base, 2
        while step_id in self._by_id:
            step_id, n = f"{base}-{n}", n + 1
        try:
            step = Step(id=step_id, op=op, params=params, input=source, variant=variant)
        except ValidationError as exc:
            raise BadRequest(
                f"variant name {variant!r}: {exc.errors()[0]['msg'].removeprefix('Value error, ')}"
            ) from None
        input_mp = self._mp.get(source, self.master_mp)
        cost = step_cost(op, params, self.ctx.engine, input_mp=input_mp)
        self.limits.check_budget(self.gpu_seconds + cost.gpu_seconds, self.spent_today)
        self.gpu_seconds += cost.gpu_seconds
        self.steps.append(step)
        self._by_id[step_id] = step
        self._mp[step_id] = step_megapixels(op, params, input_mp)
        return step

    def problems(self) -> list[str]:
        """What keeps the recorded steps from being a finished plan (empty when it is one)."""
        found = [
            f"variant `{name}` has no export step yet (its last step is `{chain[-1].id}`): "
            f"call export with variant={name}"
            for name in self.variants()
            if (chain := self.chain(name))[-1].op != "export"
        ]
        read = {s.input for s in self.steps}
        found += [
            f"shared edit `{s.id}` is not read by any variant: give it as `input` of a variant's "
            "first step, or leave it out"
            for s in self.steps
            if s.variant is None and s.id not in read
        ]
        if self.steps and not self.variants():
            found.append("the plan has no deliverable: add variants (fit … export)")
        planned = {
            str(chain[0].params.get("spec")) for name in self.variants() if (chain := self.chain(name))
        }
        found += [
            f"question `{q.id}` ({q.text}) says the plan is made with {q.default.specs}, but "
            f"{', '.join(f'`{n}`' for n in q.default.specs if n not in planned)} has no variant: record "
            "it, or set `chosen` to the option you planned"
            for q in self.questions
            if not set(q.default.specs) <= planned
        ]
        return found

    def build(self, request: str, planner: str, code_notes: list[str]) -> Plan:
        """The finished plan, validated and priced again as a whole."""
        problems = self.problems()
        if problems:
            raise BadRequest("; ".join(problems))
        notes = [*code_notes, *self.notes]
        if not self.ctx.has_brand_kit and any(
            s.op == "brand" and s.params.get("use_logo", True) for s in self.steps
        ):
            notes.append(NO_BRAND_KIT_NOTE)
        if not self.ctx.has_master:
            notes.append(NO_MASTER_NOTE)
        plan = Plan(
            steps=list(self.steps),
            notes=list(dict.fromkeys(notes)),
            questions=list(self.questions),
            request=request,
            planner=planner,
        )
        plan = plan.validate_plan(engine=self.ctx.engine, max_variants=self.ctx.max_variants)
        cost = plan_cost(plan, self.ctx.engine, master_mp=self.master_mp)
        self.limits.check_budget(cost.gpu_seconds, self.spent_today)
        return plan

    def _check_params(self, op: str, params: dict[str, Any]) -> None:
        # What the op bodies refuse at run time, refused now so the model can fix it.
        if op == "generate":
            raise BadRequest(
                "`generate` makes master candidates for approval, not deliverables; it is not "
                "part of a variant plan (post a brief in the thread instead)"
            )
        prompt = str(params.get("prompt", "")).strip()
        if prompt and self.ctx.engine != "diffusion":
            if op == "swap":
                raise BadRequest(
                    "swap: a described background (`prompt`) needs the diffusion engine; on the "
                    "classical engine give `color` (#RRGGBB) or leave the swap out and say so"
                )
            raise BadRequest(f"{op}: `prompt` is only used by the diffusion engine; leave it out here")
        if params.get("mode") == "mask" or params.get("region") == "mask":
            raise BadRequest(
                f"{op}: no mask comes with a request (masks can't be attached yet), so mode/region=mask "
                "can't run; a named object can't be found by name either — leave it out and say so with "
                "add_note"
            )
        if op == "swap" and not (params.get("color") or params.get("use_image") or prompt):
            raise BadRequest(
                "swap: say what to put there: `color` (#RRGGBB), `use_image`, or `prompt` (diffusion engine)"
            )

    def _shared_source(self, op: str, params: dict[str, Any], source: str | None) -> str:
        if "spec" in params or op == "export":
            example = params.get("spec") or "story"
            raise BadRequest(
                f"`{op}` makes a deliverable: give `variant` (the spec name, or "
                f"`<spec>-<market>` such as `{example}-jp`)"
            )
        source = source or MASTER
        if source != MASTER and (source not in self._by_id or self._by_id[source].variant is not None):
            raise BadRequest(f"a shared edit reads `master` or another shared edit, not {source!r}")
        return source

    def _variant_source(self, op: str, params: dict[str, Any], variant: str, source: str | None) -> str:
        named, chain = params.get("spec"), self.chain(variant)
        if not chain:
            count = len(self.variants())
            if count >= self.ctx.max_variants:
                raise BadRequest(
                    f"the plan already has {count} variants; the limit is {self.ctx.max_variants} "
                    f"per request — `{variant}` was not added"
                )
            if op not in FRAMING_OPS or not named:
                raise BadRequest(
                    f"variant `{variant}` must start by framing it to its spec: "
                    f"{', '.join(FRAMING_OPS)} with `spec`"
                )
            if variant != named and not variant.startswith(f"{named}-"):
                raise BadRequest(
                    f"variant `{variant}` must be named after its spec: `{named}` or "
                    f"`{named}-<market>` (e.g. `{named}-jp`)"
                )
            shared = [s.id for s in self.steps if s.variant is None]
            if source not in (None, MASTER) and source not in shared:
                raise BadRequest(
                    f"`input` {source!r} of variant `{variant}`'s first step must be `master` or a "
                    f"shared edit ({', '.join(shared) or 'none recorded yet'})"
                )
            return source or MASTER
        last, spec = chain[-1], chain[0].params.get("spec")
        if last.op == "export":
            raise BadRequest(f"variant `{variant}` is already exported (`{last.id}` is its last step)")
        if named is not None and named != spec:
            raise BadRequest(f"variant `{variant}` is for spec `{spec}`; `{op}` got spec={named!r}")
        if any(s.op == op for s in chain):
            raise BadRequest(f"variant `{variant}` already has a `{op}` step")
        if op == "export":
            self._check_upscaled(variant, chain)
        if source is not None and source != last.id:
            raise BadRequest(
                f"`{op}` for variant `{variant}` continues its chain from `{last.id}`, not "
                f"{source!r} (leave `input` out)"
            )
        return last.id

    def _check_upscaled(self, variant: str, chain: list[Step]) -> None:
        # Refused at the export call, while the model can still add the upscale (validate_plan would
        # refuse the finished plan, when nothing can be added any more).
        upscales = upscaled_fits(chain)
        for step in chain:
            if step.op == "fit" and step.params.get("output") == "source" and upscales.get(step.id) is None:
                raise BadRequest(
                    f"variant `{variant}`: `{step.id}` frames at the source's scale (output=source), "
                    f"so call `upscale` with spec={step.params.get('spec')} before `export` "
                    "(export never resizes)"
                )
