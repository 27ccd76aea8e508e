"""What a plan costs to run: seconds per step on each engine, and the GPU-seconds share of them.

A simple, documented upper-bound model used to price a plan before anything runs (the planner's
budgets, the Slack plan summary). Each op on each engine costs ``fixed_s + per_mp_s × MP``, where
MP is the step's output size in megapixels:

- a step naming a ``spec`` produces that spec's pixels; ``generate`` produces ``count`` images of
  ``width × height``; ``upscale`` by ``scale`` produces the input enlarged by ``scale²``; ``fit``
  with ``output="source"`` draws its window at the input's scale, so at most the input's pixels
  plus the largest expansion (``input / (1 − max_expand)``), and never more than the spec's;
- other steps (harmonize, shared edits) work at the size of what they read: the variant's spec, or
  the master (``DEFAULT_MASTER_MP`` when its size is not known yet).

Diffusion models work on a canvas of at most ``max_mp`` and resize afterwards, so their cost stops
growing there. ``fit`` is priced as if it expanded (the upper bound; a pure crop is far cheaper).
Only steps whose device is ``gpu`` count towards GPU-seconds: the classical engine uses none.
Numbers are rough H100 / laptop-CPU timings for 1–2 MP outputs; re-measure with ``bench/``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pipeline.ops.registry import get_op
from pipeline.plan import Plan
from pipeline.specs import UnknownSpecError, get_spec

DEFAULT_MASTER_MP = 4.0  # a typical approved master (2000×2000); used until its size is known


@dataclass(frozen=True)
class OpCost:
    device: Literal["cpu", "gpu"]
    fixed_s: float
    per_mp_s: float
    max_mp: float | None = None  # working canvas cap (diffusion renders small, then resizes)

    def seconds(self, megapixels: float) -> float:
        mp = min(megapixels, self.max_mp) if self.max_mp is not None else megapixels
        return self.fixed_s + self.per_mp_s * mp


_CPU = {
    "expand": OpCost("cpu", 0.3, 1.0),
    "fit": OpCost("cpu", 0.3, 0.6),
    "reframe": OpCost("cpu", 0.2, 0.3),
    "swap": OpCost("cpu", 0.5, 1.5),
    "clean": OpCost("cpu", 0.5, 1.5),
    "recolor": OpCost("cpu", 0.2, 0.3),
    "harmonize": OpCost("cpu", 0.2, 0.3),
    "upscale": OpCost("cpu", 0.5, 0.4),
    "brand": OpCost("cpu", 0.1, 0.2),
    "export": OpCost("cpu", 0.2, 0.3),
    # Not runnable on the classical engine (the registry refuses them); priced at zero.
    "generate": OpCost("cpu", 0.0, 0.0),
    "variant": OpCost("cpu", 0.0, 0.0),
}
_GPU = {
    "generate": OpCost("gpu", 2.0, 12.0, 2.0),
    "variant": OpCost("gpu", 2.0, 10.0, 2.0),
    "expand": OpCost("gpu", 2.0, 12.0, 2.0),
    "fit": OpCost("gpu", 2.0, 12.0, 2.0),
    "swap": OpCost("gpu", 2.0, 12.0, 2.0),
    "clean": OpCost("gpu", 1.0, 8.0, 2.0),
    "upscale": OpCost("gpu", 1.0, 1.5),
}
COSTS: Mapping[str, Mapping[str, OpCost]] = {"classical": _CPU, "diffusion": {**_CPU, **_GPU}}
UNKNOWN_OP = OpCost("cpu", 1.0, 1.0)


@dataclass(frozen=True)
class StepCost:
    seconds: float
    gpu_seconds: float


@dataclass(frozen=True)
class PlanCost:
    seconds: float
    gpu_seconds: float
    steps: dict[str, StepCost] = field(default_factory=dict)  # step id → cost


def spec_megapixels(name: str) -> float | None:
    try:
        spec = get_spec(name)
    except UnknownSpecError:
        return None
    return spec.width * spec.height / 1e6


def step_megapixels(op: str, params: Mapping[str, Any], input_mp: float) -> float:
    """Output megapixels of one step reading an image of ``input_mp`` megapixels."""
    if op == "generate":
        return (
            float(params.get("width", 1024))
            * float(params.get("height", 1024))
            / 1e6
            * int(params.get("count", 4))
        )
    named = spec_megapixels(str(params["spec"])) if params.get("spec") else None
    if named is not None and op == "fit" and params.get("output") == "source":
        default = get_op("fit").params_type.model_fields["max_expand"].default
        return min(named, input_mp / (1.0 - float(params.get("max_expand", default))))
    if named is not None:
        return named
    if op == "upscale" and params.get("scale"):
        return input_mp * float(params["scale"]) ** 2
    return input_mp


def step_cost(op: str, params: Mapping[str, Any], engine: str, *, input_mp: float) -> StepCost:
    cost = COSTS.get(engine, _CPU).get(op, UNKNOWN_OP)
    seconds = cost.seconds(step_megapixels(op, params, input_mp))
    if op == "generate":  # one model call per candidate, each capped at the working canvas
        count = int(params.get("count", 4))
        seconds = count * cost.seconds(step_megapixels(op, params, input_mp) / max(count, 1))
    return StepCost(round(seconds, 3), round(seconds, 3) if cost.device == "gpu" else 0.0)


def plan_cost(plan: Plan, engine: str, *, master_mp: float = DEFAULT_MASTER_MP) -> PlanCost:
    """Price every step of ``plan`` on ``engine`` (each step at the size of what it reads)."""
    out_mp: dict[str, float] = {}
    steps: dict[str, StepCost] = {}
    for step in plan.steps:
        input_mp = master_mp if step.input == "master" else out_mp.get(step.input, master_mp)
        steps[step.id] = step_cost(step.op, step.params, engine, input_mp=input_mp)
        out_mp[step.id] = step_megapixels(step.op, step.params, input_mp)
    return PlanCost(
        seconds=round(sum(c.seconds for c in steps.values()), 3),
        gpu_seconds=round(sum(c.gpu_seconds for c in steps.values()), 3),
        steps=steps,
    )
