"""The `swap` op."""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import Field

from pipeline.engines.classical import composite
from pipeline.engines.classical.inpaint import add_grain, grain_sigma
from pipeline.engines.classical.masks import feather_outward, region_mask
from pipeline.engines.classical.rgba import join_alpha, split_alpha
from pipeline.errors import BadRequest, EngineUnavailable
from pipeline.ops.base import OpContext, OpInputs, OpParams, OpResult
from pipeline.ops.fields import Box, HexColour, Region
from pipeline.ops.registry import op


class SwapParams(OpParams):
    """Replace a region (the background, the subject, a box or a mask) with a colour or an image.

    Edges are feathered and the new content is harmonised to the subject's light.
    """

    region: Region = Field("background", description="What to replace.")
    box: Box | None = Field(None, description="The region when region=box.")
    color: HexColour | None = Field(None, description="Replacement colour #RRGGBB.")
    use_image: bool = Field(
        False, description="Use the uploaded replacement image (the `replacement` input)."
    )
    prompt: str = Field(
        "", max_length=2000, description="What to put there (diffusion engine; e.g. 'Tokyo skyline at dusk')."
    )
    feather: int = Field(
        8, ge=0, le=200, description="Edge feather radius in pixels (fades outward from the region)."
    )
    harmonize: bool = Field(True, description="Match the new content's light and colour to the subject.")
    light_wrap: float = Field(
        0.0, ge=0, le=1,
        description="Let the new content's light spill over the kept edge (0 = off; within the feather).",
    )


def check_inputs(inputs: OpInputs, params: SwapParams) -> None:
    """Refuse contradictory or missing inputs, naming the field (both engines)."""
    if params.box is not None and params.region != "box":
        raise BadRequest(f"swap: `box` is only used with region=box (region is {params.region!r})")
    if params.color and params.use_image:
        raise BadRequest("swap: give either `color` or `use_image`, not both")
    if params.use_image and "replacement" not in inputs.extras:
        raise BadRequest("swap: use_image=true needs an uploaded replacement image (the `replacement` input)")


def _check(inputs: OpInputs, params: SwapParams) -> None:
    """Refuse what the classical engine cannot honour, naming the field."""
    check_inputs(inputs, params)
    if params.color or params.use_image:
        return
    if params.prompt.strip():
        raise EngineUnavailable(
            "swap by prompt needs the diffusion engine; on the classical engine give a colour (`color`) "
            "or an uploaded image (`use_image`) instead"
        )
    hint = " (an image was uploaded: set use_image=true)" if "replacement" in inputs.extras else ""
    raise BadRequest(f"swap: say what to put there, `color` or an uploaded image (`use_image`){hint}")


@op("swap", version="1.0.0")
def swap(inputs: OpInputs, params: SwapParams, ctx: OpContext) -> OpResult:
    if ctx.engine == "diffusion":
        from pipeline.engines.diffusion.ops import swap_op

        return swap_op(inputs, params, ctx)
    _check(inputs, params)
    rgb, alpha = split_alpha(inputs.image)
    height, width = rgb.shape[:2]
    record: dict[str, Any] = {"region": params.region, "feather": params.feather}
    notes: list[str] = []
    soft = region_mask(
        inputs.image, params.region, box=params.box, extras=inputs.extras,
        cache=ctx.cache, record=record, notes=notes,
    )
    region = soft >= 0.5
    if not region.any():
        raise BadRequest(f"swap: the {params.region} region is empty here; give a box or upload a mask")
    record["region_px"] = int(region.sum())
    if params.prompt.strip():
        notes.append("the prompt is not used on the classical engine; the given colour/image was used")

    if params.use_image:
        replacement = inputs.extras["replacement"]
        ys, xs = np.nonzero(region)
        x0, y0, x1, y1 = int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1
        fitted, new_alpha = composite.cover(replacement, (x1 - x0, y1 - y0))
        new = rgb.copy()
        new[y0:y1, x0:x1] = fitted
        if new_alpha is not None:  # a cut-out replacement only covers where it is opaque
            cover_alpha = np.zeros_like(soft)
            cover_alpha[y0:y1, x0:x1] = new_alpha
            soft = soft * cover_alpha
        record["replacement"] = {
            "source_size": list(replacement.size), "placed": [x0, y0, x1, y1], "fit": "cover"
        }
    else:
        colour = str(params.color)
        new = np.empty_like(rgb)
        new[:] = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
        record["color"] = params.color

    weight = feather_outward(soft, params.feather)
    shown = weight > 0
    if params.harmonize and params.use_image:
        ring = composite.reference_ring(region, max(8, round(0.06 * min(width, height))))
        ref_mean, ref_std = composite.lab_stats(rgb, ring)
        new, info = composite.transfer_lab(new, shown, ref_mean, ref_std, composite.HARMONIZE_STRENGTH)
        record["harmonize"] = {"reference_mean": [round(float(v), 3) for v in ref_mean], **info}
    elif params.harmonize:
        # A requested colour stays exact on average; only the photo's grain is matched so it sits
        # in the picture instead of looking like a flat plate.
        sigma = grain_sigma(rgb)
        new = add_grain(new, shown, sigma, ctx.rng())
        record["harmonize"] = {"grain_sigma": [round(float(v), 3) for v in sigma]}
        notes.append("colour kept exact; the photo's grain was added to it")

    out = composite.blend(rgb, new, weight)
    if params.light_wrap > 0:
        light = composite.spill(new, region, max(1, params.feather))
        out = composite.blend(out, light, params.light_wrap * weight * (~region))
        record["light_wrap"] = params.light_wrap
    return OpResult(
        image=join_alpha(out, alpha, inputs.image),
        geometry=inputs.geometry,
        notes=notes,
        seed=ctx.seed,
        engine="classical",
        generated_mask=weight,
        record=record,
    )
