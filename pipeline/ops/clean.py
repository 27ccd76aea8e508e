"""The `clean` op."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from pipeline.engines.classical import inpaint as fill
from pipeline.engines.classical.despeckle import detect_specks
from pipeline.engines.classical.masks import dilate, region_mask
from pipeline.engines.classical.rgba import join_alpha, split_alpha
from pipeline.engines.classical.subject import detect_subject_cached
from pipeline.errors import BadRequest
from pipeline.ops.base import OpContext, OpInputs, OpParams, OpResult
from pipeline.ops.fields import Box, Region
from pipeline.ops.registry import op

# Specks have soft edges (anti-aliasing, JPEG ringing); inpaint a little beyond the detected blob.
SPECK_DILATION = 2


class CleanParams(OpParams):
    """Remove specks, dust and floating pixels automatically, or remove what a box or mask covers.

    mode=auto finds only specks and dust. A named object ("the watermark", "the coffee stain") is not
    found by its name on either engine: it needs mode=mask with an uploaded mask.
    """

    mode: Literal["auto", "box", "mask"] = Field(
        "auto", description="auto: detect specks; box/mask: remove that region."
    )
    box: Box | None = Field(None, description="Region to remove (mode=box).")
    max_speck_px: int = Field(40, ge=1, le=2000, description="Largest blob area (pixels) treated as a speck.")
    min_contrast: float = Field(
        0.12, ge=0.02, le=1.0, description="Least contrast (0–1) for a blob to count as a speck."
    )
    protect_faces: bool = Field(
        True, description="mode=auto never edits detected faces (eyes, catchlights); use mode=box there."
    )


@op("clean", version="1.0.0")
def clean(inputs: OpInputs, params: CleanParams, ctx: OpContext) -> OpResult:
    if ctx.engine == "diffusion":
        from pipeline.engines.diffusion.ops import clean_op

        return clean_op(inputs, params, ctx)
    if params.box is not None and params.mode != "box":
        raise BadRequest(f"clean: `box` is only used with mode=box (mode is {params.mode!r})")
    rgb, alpha = split_alpha(inputs.image)
    record: dict[str, object] = {"mode": params.mode}
    notes: list[str] = []

    if params.mode == "auto":
        protect = None
        if params.protect_faces:
            faces = detect_subject_cached(inputs.image, ctx.cache).faces
            protect = np.zeros(rgb.shape[:2], bool)
            for left, top, right, bottom in faces:
                protect[top:bottom, left:right] = True
            record["protected_faces"] = [list(f) for f in faces]
        scan = detect_specks(rgb, params.max_speck_px, params.min_contrast, protect)
        hole = dilate(scan.mask, SPECK_DILATION) > 0
        record.update(
            specks=len(scan.specks),
            speck_boxes=[list(s.box) for s in scan.specks],
            contrast_threshold=round(scan.threshold, 4),
            noise_sigma=round(scan.noise_sigma, 5),
            kept_as_detail=scan.rejected,
        )
        if scan.threshold > params.min_contrast:
            notes.append(
                f"contrast threshold raised from {params.min_contrast} to {scan.threshold:.3f}: "
                "the image's grain would otherwise read as specks"
            )
        if not scan.specks:
            notes.append("no specks found; image unchanged")
    else:
        region: Region = "box" if params.mode == "box" else "mask"
        soft = region_mask(
            inputs.image, region, box=params.box, extras=inputs.extras,
            cache=ctx.cache, record=record, notes=notes,
        )
        hole = soft > 0
        record["removed_px"] = int(hole.sum())

    out = rgb
    if hole.any():
        ctx.progress(0.3, "inpainting")
        sigma = fill.grain_sigma(rgb)
        out = fill.add_grain(fill.inpaint(rgb, hole), hole, sigma, ctx.rng())
        record["grain_sigma"] = [round(float(v), 3) for v in sigma]
    return OpResult(
        image=join_alpha(out, alpha, inputs.image),
        geometry=inputs.geometry,
        notes=notes,
        seed=ctx.seed,
        engine="classical",
        generated_mask=hole.astype(np.float32),
        record=record,
    )
