"""What a plan will do to *this* master, said before anything runs: enlargements it cannot honestly carry.

The planner sees only words; once the master is known, each variant's least enlargement is known
too (a crop of the whole master is the largest window any framing shows, so the spec's size over
the master's, on the tighter axis, is a floor). Beyond ×2 the classical engine's Lanczos reads soft:
the plan says so, and print or out-of-home from a small master names the diffusion upscaler.
"""

from __future__ import annotations

from pipeline.ops.framed import MAX_CLASSICAL_ENLARGEMENT
from pipeline.plan import Plan
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
