"""The `recolor` op."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from pydantic import Field

from pipeline.engines.classical import lch
from pipeline.engines.classical.composite import blend
from pipeline.engines.classical.masks import feather, region_mask
from pipeline.engines.classical.rgba import join_alpha, split_alpha
from pipeline.errors import BadRequest
from pipeline.ops.base import OpContext, OpInputs, OpParams, OpResult
from pipeline.ops.fields import Box, HexColour, Region
from pipeline.ops.registry import op

# Below this mean chroma (C*ab) a region is near-neutral: it has no hue to rotate, so a target
# colour is applied as a tint (set hue, add chroma) instead of a rotation and scale.
NEUTRAL_CHROMA = 6.0


class RecolorParams(OpParams):
    """Change a region's hue and chroma in LCh, keeping its lightness (texture and shading survive)."""

    region: Region = Field("subject", description="Where to recolour.")
    box: Box | None = Field(None, description="The region when region=box.")
    hue_shift: float = Field(0.0, ge=-180, le=180, description="Hue rotation in degrees.")
    chroma_scale: float = Field(1.0, ge=0, le=3, description="Chroma multiplier (0 = grey).")
    target_color: HexColour | None = Field(None, description="Rotate hue/chroma towards this colour instead.")
    feather: int = Field(4, ge=0, le=200, description="Edge feather radius in pixels.")


@op("recolor", version="1.0.0")
def recolor(inputs: OpInputs, params: RecolorParams, ctx: OpContext) -> OpResult:
    manual = params.hue_shift != 0 or params.chroma_scale != 1
    if params.target_color and manual:
        raise BadRequest("recolor: give `target_color` or `hue_shift`/`chroma_scale`, not both")
    if not params.target_color and not manual:
        raise BadRequest("recolor: nothing to change; give `hue_shift`, `chroma_scale` or `target_color`")
    if params.box is not None and params.region != "box":
        raise BadRequest(f"recolor: `box` is only used with region=box (region is {params.region!r})")
    rgb, alpha = split_alpha(inputs.image)
    record: dict[str, Any] = {"region": params.region}
    notes: list[str] = []
    mask = region_mask(
        inputs.image, params.region, box=params.box, extras=inputs.extras,
        cache=ctx.cache, record=record, notes=notes,
    )
    weight = feather(mask, params.feather)
    shown = weight > 0
    if not shown.any():
        raise BadRequest(f"recolor: the {params.region} region is empty here; give a box or upload a mask")
    pixels = rgb[shown].reshape(-1, 1, 3)  # only the region is converted: LCh maths is per pixel
    before = lch.lch_of(pixels)
    mean_hue, mean_chroma = lch.mean_hue_chroma(before, mask[shown].reshape(-1, 1))
    record["region_px"] = int((mask > 0).sum())
    record["before"] = {"hue_deg": round(math.degrees(mean_hue), 2), "chroma": round(mean_chroma, 2)}

    tint = None
    hue_shift, chroma_scale = math.radians(params.hue_shift), params.chroma_scale
    if params.target_color:
        target_rgb = [int(params.target_color[i : i + 2], 16) for i in (1, 3, 5)]
        target = lch.lch_of(np.array([[target_rgb]], np.uint8))
        t_chroma, t_hue = float(target[0, 0, 1]), float(target[0, 0, 2])
        if mean_chroma < NEUTRAL_CHROMA:
            tint = (t_hue, t_chroma - mean_chroma)
            record["mode"] = "tint"
        else:
            hue_shift = (t_hue - mean_hue + math.pi) % (2 * math.pi) - math.pi
            chroma_scale = t_chroma / mean_chroma
            record["mode"] = "rotate"
        record["target"] = {"color": params.target_color, "hue_deg": round(math.degrees(t_hue), 2),
                            "chroma": round(t_chroma, 2)}
    record.update(hue_shift_deg=round(math.degrees(hue_shift), 2), chroma_scale=round(chroma_scale, 4))

    recoloured = rgb.copy()
    edited, limited = lch.edit_lch(before, hue_shift, chroma_scale, tint)
    recoloured[shown] = edited.reshape(-1, 3)
    record["gamut_limited_share"] = round(limited, 4)
    if limited > 0.01:
        notes.append(f"chroma lowered to stay in sRGB (lightness kept) on {limited:.0%} of the region")
    out = blend(rgb, recoloured, weight)
    return OpResult(
        image=join_alpha(out, alpha, inputs.image),
        geometry=inputs.geometry,
        notes=notes,
        seed=ctx.seed,
        engine="classical",  # same pixel maths on both engines
        record=record,
    )
