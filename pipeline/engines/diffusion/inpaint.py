"""Regenerate a masked region (clean, swap) and put everything outside it back untouched.

The model works on a *context crop* around the region (the technique of diffusers'
``padding_mask_crop``, done here so it also works for FLUX Fill, which lacks that argument, and
so a small region of a large master is generated at full working resolution). The model mask is
the region grown by a thin ring; the ring shows the model's colour drift (``blend.colour_match``)
and is then restored from the original, so every pixel whose weight is 0 is bit-identical.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image

from pipeline.engines.classical.masks import dilate
from pipeline.engines.classical.rgba import join_alpha, split_alpha
from pipeline.engines.diffusion.blend import colour_match, composite, seam_offset
from pipeline.engines.diffusion.fill import fill_canvas
from pipeline.engines.diffusion.warm import WarmSet
from pipeline.errors import BadRequest
from pipeline.ops.base import OpContext

CONTEXT = 0.5  # context around the region's bounding box, as a share of its larger side
MIN_CONTEXT_PX = 16
WHOLE_IMAGE_ABOVE = 0.6  # crops covering more of the image than this use the whole image
RING = 0.02  # share of the crop's short side the model re-renders around the region


@dataclass
class Regenerated:
    image: Image.Image
    record: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def context_crop(region: np.ndarray) -> tuple[int, int, int, int]:
    """Bounding box of ``region`` grown by context on every side, clipped; the whole image if large."""
    ys, xs = np.nonzero(region)
    h, w = region.shape
    x0, y0, x1, y1 = int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1
    pad = max(MIN_CONTEXT_PX, round(CONTEXT * max(x1 - x0, y1 - y0)))
    box = (max(0, x0 - pad), max(0, y0 - pad), min(w, x1 + pad), min(h, y1 + pad))
    if (box[2] - box[0]) * (box[3] - box[1]) > WHOLE_IMAGE_ABOVE * w * h:
        return (0, 0, w, h)
    return box


def regenerate(
    image: Image.Image,
    weight: np.ndarray,
    prompt: str,
    ctx: OpContext,
    warm: WarmSet,
    *,
    label: str,
    prefill: np.ndarray | None = None,
    strength: float = 1.0,
    match_colour: bool = True,
    seam_px: int = 0,
    reference: Image.Image | None = None,
) -> Regenerated:
    """Replace ``image`` where ``weight`` (float H×W, 0–1) > 0 by generated pixels, blended by weight.

    ``prefill`` (uint8 H×W×3) is what the model starts from inside the region (with ``strength``
    < 1 it shows through); ``seam_px`` > 0 carries the residual seam difference into the region.
    ``reference`` is the IP-Adapter image prompt (the campaign's master; ``image`` if not given).
    """
    region = weight > 0
    if not region.any():
        raise BadRequest(f"{label}: the region to regenerate is empty")
    rgb, alpha = split_alpha(image)
    x0, y0, x1, y1 = context_crop(region)
    original = rgb[y0:y1, x0:x1]
    inside = region[y0:y1, x0:x1]
    canvas = original.copy()
    if prefill is not None:
        canvas[inside] = prefill[y0:y1, x0:x1][inside]
    ring = max(2, round(RING * min(x1 - x0, y1 - y0)))
    model_mask = dilate(inside.astype(np.float32), ring) > 0
    ctx.progress(0.05, label)
    generated, record, notes = fill_canvas(
        warm, ctx, canvas, model_mask, prompt, label=label, strength=strength,
        reference=reference if reference is not None else image,
    )
    keep = ~inside
    if match_colour:
        generated, record["colour_match"] = colour_match(
            generated, original, keep, model_mask & keep, model_mask
        )
    if seam_px > 0:
        generated = seam_offset(generated, original, keep, seam_px)
    out = rgb.copy()
    out[y0:y1, x0:x1] = composite(generated, original, weight[y0:y1, x0:x1])
    record.update(context_box=[x0, y0, x1, y1], ring_px=ring, region_px=int(region.sum()), prompt=prompt)
    return Regenerated(join_alpha(out, alpha, image), record, notes)
