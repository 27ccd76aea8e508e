"""The `harmonize` op."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from pipeline.engines.classical.colour import grey_world_cct, lstar
from pipeline.engines.classical.rgba import join_alpha, split_alpha
from pipeline.engines.classical.tone import HIGH_PCT, LOW_PCT, aligned_master, match_tone
from pipeline.errors import BadRequest
from pipeline.ops.base import OpContext, OpInputs, OpParams, OpResult
from pipeline.ops.registry import op


class HarmonizeParams(OpParams):
    """Match a variant's black and white points and white balance to the (aligned) master."""

    strength: float = Field(1.0, ge=0, le=1, description="0 = unchanged, 1 = full match.")
    match: Literal["levels", "white_balance", "both"] = Field("both", description="What to match.")


@op("harmonize", version="1.0.0")
def harmonize(inputs: OpInputs, params: HarmonizeParams, ctx: OpContext) -> OpResult:
    rgb, alpha = split_alpha(inputs.image)
    ref, valid = aligned_master(inputs.master, inputs.geometry, inputs.image.size)
    if alpha is not None:
        valid &= alpha > 0  # transparent pixels carry no colour to match
    if valid.sum() < 64:
        raise BadRequest("harmonize: this image shows (almost) none of the master; there is nothing to match")
    notes: list[str] = []
    if not valid.all():
        notes.append(f"matched on the {valid.mean():.0%} of the frame that shows master pixels")
    result = match_tone(rgb, ref, valid, params.match, params.strength)
    record: dict[str, object] = {
        "match": params.match,
        "strength": params.strength,
        "reference_px": int(valid.sum()),
        "before": _measure(rgb, valid),
        "after": _measure(result.rgb, valid),
        "master": _measure(ref, valid),
        **result.record,
    }
    return OpResult(
        image=join_alpha(result.rgb, alpha, inputs.image),
        geometry=inputs.geometry,
        notes=notes + result.notes,
        seed=ctx.seed,
        engine="classical",  # same pixel maths on both engines
        record=record,
    )


def _measure(rgb: np.ndarray, valid: np.ndarray) -> dict[str, float]:
    """Black/white point (L*) and grey-world CCT over ``valid``: what the luminance/colour audit reads."""
    values = lstar(rgb[valid])
    black, white = np.percentile(values, [LOW_PCT, HIGH_PCT])
    return {"black_lstar": round(float(black), 3), "white_lstar": round(float(white), 3),
            "cct_k": round(grey_world_cct(rgb, valid), 1)}
