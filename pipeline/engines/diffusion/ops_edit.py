"""Diffusion op bodies that paint only part of the frame: expand, fit, clean, swap.

Each keeps the classical engine's decision of *where* (expand canvas, fit window, region mask)
and asks the fill model only for the pixels that have to be invented; everything else is the
original, bit for bit (outside the region/feather, or inside the kept window).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from pipeline.engines.classical import composite as classical_composite
from pipeline.engines.classical.crop import safe_zone_notes
from pipeline.engines.classical.edges import edge_structure_cached
from pipeline.engines.classical.fitrule import decide
from pipeline.engines.classical.framing import expand_window
from pipeline.engines.classical.masks import feather_outward, region_mask
from pipeline.engines.classical.rgba import split_alpha
from pipeline.engines.classical.subject import detect_subject_cached
from pipeline.engines.diffusion.fill import fill_model_id
from pipeline.engines.diffusion.inpaint import regenerate
from pipeline.engines.diffusion.outpaint import draw_window
from pipeline.engines.diffusion.warm import from_context
from pipeline.errors import BadRequest
from pipeline.ops.base import OpContext, OpInputs, OpResult
from pipeline.specs import get_spec

if TYPE_CHECKING:
    from pipeline.ops.clean import CleanParams
    from pipeline.ops.expand import ExpandParams
    from pipeline.ops.fit import FitParams
    from pipeline.ops.swap import SwapParams

CLEAN_SEAM = 0.05  # share of the region's larger side over which clean carries the seam offset
PREFILL_STRENGTH = 0.9  # swap with a colour/image *and* a prompt: start from it, let the model rework it


def expand_op(inputs: OpInputs, params: ExpandParams, ctx: OpContext) -> OpResult:
    """Pad to the spec's aspect (classical canvas decision) and outpaint the padding."""
    spec = get_spec(params.spec)
    image = inputs.image
    subject = detect_subject_cached(image, ctx.cache) if params.align == "subject" else None
    framing = expand_window(image.size, spec.aspect_ratio, params.align, subject)
    warm = from_context(ctx)
    drawn = draw_window(
        image, framing.box, spec.size, params.prompt, ctx, warm, grain=params.grain_match, label="expand",
        reference=inputs.master,
    )
    record: dict[str, Any] = {
        "canvas_box": [round(v, 3) for v in drawn.box],
        "align": params.align,
        **drawn.record,
    }
    if subject is not None:
        record["subject"] = subject.to_record()
    return _drawn_result(inputs, spec.size, drawn, [*framing.notes, *drawn.notes], record, ctx)


def fit_op(inputs: OpInputs, params: FitParams, ctx: OpContext) -> OpResult:
    """The fit rule with a fill model: moderate expansions are outpainted; banner-shaped extremes and
    cut-out packshots get the same designed layouts and backdrops as on the classical engine."""
    from pipeline.ops.fit import fit, output_window
    from pipeline.ops.framed import is_cutout, layout_result, packshot_result

    spec = get_spec(params.spec)
    image = inputs.image
    subject = detect_subject_cached(image, ctx.cache)
    if is_cutout(inputs):
        return packshot_result(inputs, params, spec, ctx, subject, "classical")
    if params.prefer == "crop":  # the classical body raises fit's errors (prefer=crop cutting a face)
        return run_classical(fit, inputs, params, ctx, "prefer=crop: nothing to generate")
    decision = decide(subject, spec, engine="diffusion", margin=params.margin, max_expand=params.max_expand,
                      edges=edge_structure_cached(image, ctx.cache), prefer=params.prefer, room=params.room)
    if decision.rule == "crop":
        return run_classical(fit, inputs, params, ctx, "the subject fits a crop, nothing to generate")
    if decision.rule == "layout":
        return layout_result(inputs, decision, params, spec, ctx, subject, "classical")
    # output=source: the canvas (and so the model's work) is the window at the source's own scale.
    box, size, sized = output_window(decision.box, image.size, params, spec)
    drawn = draw_window(image, box, size, params.prompt, ctx, from_context(ctx), label="fit",
                        reference=inputs.master)
    notes = [decision.reason, *safe_zone_notes(drawn.box, subject.faces, spec.safe_zone, spec.name), *sized,
             *drawn.notes]
    record = {
        "rule": decision.rule,
        "reason": decision.reason,
        "box": [round(v, 3) for v in drawn.box],
        "subject": subject.to_record(),
        "cut_faces": [],
        "prefer": params.prefer,
        "output": params.output,
        "size": list(size),
        **drawn.record,
    }
    return _drawn_result(inputs, size, drawn, notes, record, ctx)


def _drawn_result(
    inputs: OpInputs,
    size: tuple[int, int],
    drawn: Any,
    notes: list[str],
    record: dict[str, Any],
    ctx: OpContext,
) -> OpResult:
    """The result of a window drawn (and outpainted where it leaves the image) at ``size``."""
    return OpResult(
        drawn.image,
        inputs.geometry.then_crop(drawn.box, size),
        notes,
        seed=ctx.seed,
        engine="diffusion",
        model=drawn.record.get("model"),
        generated_mask=drawn.generated,
        record=record,
    )


def clean_op(inputs: OpInputs, params: CleanParams, ctx: OpContext) -> OpResult:
    """Remove what a box or mask covers by inpainting; ``mode=auto`` (specks) stays classical."""
    from pipeline.ops.clean import clean

    if params.box is not None and params.mode != "box":
        raise BadRequest(f"clean: `box` is only used with mode=box (mode is {params.mode!r})")
    if params.mode == "auto":
        return run_classical(
            clean, inputs, params, ctx, "specks a few pixels wide are filled better without a model"
        )
    hole = region_mask(inputs.image, params.mode, box=params.box, extras=inputs.extras, cache=ctx.cache) > 0
    warm = from_context(ctx)
    ys, xs = np.nonzero(hole)
    seam = max(4, round(CLEAN_SEAM * max(np.ptp(xs) + 1, np.ptp(ys) + 1))) if hole.any() else 0
    done = regenerate(inputs.image, hole.astype(np.float32), "", ctx, warm, label="clean", seam_px=seam,
                      reference=inputs.master)
    return OpResult(
        done.image,
        inputs.geometry,
        done.notes,
        seed=ctx.seed,
        engine="diffusion",
        model=fill_model_id(warm),
        generated_mask=hole.astype(np.float32),
        record={"mode": params.mode, "removed_px": int(hole.sum()), "seam_px": seam, **done.record},
    )


def swap_op(inputs: OpInputs, params: SwapParams, ctx: OpContext) -> OpResult:
    """Regenerate the region from the prompt; without a prompt it is a colour/image swap (classical)."""
    from pipeline.ops.swap import check_inputs, swap

    check_inputs(inputs, params)
    if not params.prompt.strip():
        return run_classical(swap, inputs, params, ctx, "no `prompt`, so this is a colour/image swap")
    soft = region_mask(inputs.image, params.region, box=params.box, extras=inputs.extras, cache=ctx.cache)
    if not (soft >= 0.5).any():
        raise BadRequest(f"swap: the {params.region} region is empty here; give a box or upload a mask")
    weight = feather_outward(soft, params.feather)
    prefill = _prefill(inputs, params, soft >= 0.5)
    strength = PREFILL_STRENGTH if prefill is not None else 1.0
    warm = from_context(ctx)
    done = regenerate(
        inputs.image,
        weight,
        params.prompt,
        ctx,
        warm,
        label="swap",
        reference=inputs.master,
        prefill=prefill,
        strength=strength,
        match_colour=params.harmonize,
    )
    record = {
        "region": params.region,
        "feather": params.feather,
        "prefill": params.color or params.use_image,
        **done.record,
    }
    return OpResult(
        done.image,
        inputs.geometry,
        done.notes,
        seed=ctx.seed,
        engine="diffusion",
        model=fill_model_id(warm),
        generated_mask=weight,
        record=record,
    )


def _prefill(inputs: OpInputs, params: SwapParams, region: np.ndarray) -> np.ndarray | None:
    """The colour or the replacement image (cover-fitted to the region's box), as a start for the model."""
    rgb, _ = split_alpha(inputs.image)
    if params.color:
        out = np.empty_like(rgb)
        out[:] = [int(params.color[i : i + 2], 16) for i in (1, 3, 5)]
        return out
    if params.use_image:
        ys, xs = np.nonzero(region)
        x0, y0, x1, y1 = int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1
        fitted, _ = classical_composite.cover(inputs.extras["replacement"], (x1 - x0, y1 - y0))
        out = rgb.copy()
        out[y0:y1, x0:x1] = fitted
        return out
    return None


def run_classical(
    fn: Callable[[OpInputs, Any, OpContext], OpResult],
    inputs: OpInputs,
    params: Any,
    ctx: OpContext,
    why: str,
) -> OpResult:
    """Run an op's classical body (the op module's own function) and say why in the notes."""
    result = fn(inputs, params, dataclasses.replace(ctx, engine="classical"))
    result.notes.append(f"diffusion engine: {why}; done by the classical engine")
    return result
