"""What a plan will do to *this* master, said before anything runs: how each variant is framed, and
enlargements the engine cannot honestly carry.

The planner sees only words; once the master is known, each variant's least enlargement is known
too (a crop of the whole master is the largest window any framing shows, so the spec's size over
the master's, on the tighter axis, is a floor). Beyond ×2 the classical engine's Lanczos reads soft:
the plan says so, and print or out-of-home from a small master names the diffusion upscaler.
"""

from __future__ import annotations

from typing import Any

from PIL import Image

from pipeline.engines.classical.edges import edge_structure_cached
from pipeline.engines.classical.fitrule import decide
from pipeline.engines.classical.subject import alpha_box, detect_subject_cached
from pipeline.ops.framed import MAX_CLASSICAL_ENLARGEMENT
from pipeline.plan import MASTER, Plan
from pipeline.specs import get_spec


def least_enlargement(spec_size: tuple[int, int], master_size: tuple[int, int]) -> float:
    """The smallest factor by which any framing of the master has to be enlarged to fill the spec."""
    return max(min(spec_size[0] / master_size[0], spec_size[1] / master_size[1]), 0.0)


def resolution_notes(plan: Plan, master_size: tuple[int, int], engine: str) -> list[str]:
    """One warning per variant whose spec needs more enlargement than the engine carries cleanly."""
    if engine != "classical":
        return []
    notes: list[str] = []
    upscaled = {s.variant for s in plan.steps if s.op == "upscale" and s.variant}
    for variant in plan.variants():
        name = plan.final_step(variant).params.get("spec")
        if not name:
            continue
        spec = get_spec(str(name))
        factor = least_enlargement(spec.size, master_size)
        if factor <= MAX_CLASSICAL_ENLARGEMENT:
            continue
        w, h = master_size
        advice = (
            "the diffusion engine's model upscaler (KEYART_ENGINE=diffusion, KEYART_MODEL_UPSCALER) "
            "would do better"
            if {"print", "ooh"} & set(spec.groups)
            else "a larger master would do better"
        )
        how = " (with the classical upscale step)" if variant in upscaled else ""
        notes.append(
            f"⚠️ low resolution: `{variant}` needs at least ×{factor:.1f} enlargement of the {w}×{h} master"
            f"{how}; more than ×{MAX_CLASSICAL_ENLARGEMENT:g} reads soft on the classical engine — {advice}"
        )
    return notes


def framing_notes(
    plan: Plan, master: Image.Image, engine: str, cache: dict[str, Any] | None = None
) -> list[str]:
    """How each `fit` will frame this master (crop / expand / layout), grouped, before anything runs; on
    the classical engine, which layouts the diffusion engine would outpaint instead."""
    cache = {} if cache is None else cache
    subject = detect_subject_cached(master, cache)
    if alpha_box(master) is not None:
        return ["a cut-out packshot: every variant frames the product on a designed backdrop"]
    edges = edge_structure_cached(master, cache)
    groups: dict[str, list[str]] = {}
    model_would: list[str] = []
    for step in plan.steps:
        if step.op != "fit" or step.input != MASTER or not step.variant:
            continue
        spec = get_spec(str(step.params.get("spec")))
        margin = float(step.params.get("margin", 0.08))
        max_expand = float(step.params.get("max_expand", 0.6))
        prefer = str(step.params.get("prefer", "auto"))
        room = float(step.params.get("room", 0.0))
        decision = decide(
            subject, spec, engine=engine, margin=margin, max_expand=max_expand, edges=edges, prefer=prefer,
            room=room,
        )
        groups.setdefault(decision.rule.replace("expand+crop", "expand"), []).append(step.variant)
        if engine == "classical" and decision.rule == "layout":
            other = decide(
                subject,
                spec,
                engine="diffusion",
                margin=margin,
                max_expand=max_expand,
                edges=edges,
                prefer=prefer,
                room=room,
            )
            if other.rule != "layout":
                model_would.append(step.variant)
    labels = {
        "crop": "crop (the subject fits)",
        "expand": "expand a little (calm edges)",
        "layout": "layout (photo + designed panel for the copy)",
    }
    notes = [f"fit · {labels[rule]}: {', '.join(names)}" for rule, names in groups.items()]
    if model_would:
        notes.append(
            f"the diffusion engine (KEYART_ENGINE=diffusion) would outpaint {', '.join(model_would)} "
            "instead of laying them out: more than the classical engine can honestly continue"
        )
    return notes
