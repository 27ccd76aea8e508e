"""Draw a window that reaches outside the image, generating the outside with the fill model.

The window (from the classical engine's framing decision) is drawn at the exact output size:
the visible part of the image is resampled once to output scale (the shared pyramid, as the
classical engine does), the model fills the rest with the visible part as context, and then:
colour match + seam offset (``blend.py``), optional grain matched to the master, and the visible
part pasted back, so the kept region is bit-identical to the resampled original.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
from PIL import Image

from pipeline.engines.classical.inpaint import add_grain
from pipeline.engines.classical.masks import dilate
from pipeline.engines.classical.outpaint import estimate_grain
from pipeline.engines.classical.pyramid import FloatBox, pyramid_for
from pipeline.engines.classical.render import place_window
from pipeline.engines.classical.rgba import split_alpha
from pipeline.engines.diffusion.blend import colour_match, composite, seam_offset
from pipeline.engines.diffusion.fill import fill_canvas
from pipeline.engines.diffusion.warm import WarmSet
from pipeline.ops.base import OpContext

OVERLAP = 0.03  # share of the output's short side the model re-renders inside the kept part
FEATHER = 0.08  # share of the short side over which the seam offset fades out
MIN_OVERLAP_PX, MIN_FEATHER_PX = 4, 8


@dataclass
class Drawn:
    image: Image.Image
    box: FloatBox  # the window actually drawn (image pixels), after rounding to whole output pixels
    generated: np.ndarray  # float32 0/1 at output size
    record: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _place(
    image: Image.Image, cache: dict[str, Any], box: FloatBox, size: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray | None, tuple[int, int, int, int], FloatBox]:
    """Visible part resampled to output scale on an edge-replicated canvas; its rect; the exact box."""
    placed = place_window(box, image.size, size)
    ox0, oy0, ox1, oy1 = placed.rect
    part = pyramid_for(image, cache).resample(placed.visible, (ox1 - ox0, oy1 - oy0))
    rgb, alpha = split_alpha(part)
    pads = (oy0, size[1] - oy1, ox0, size[0] - ox1)
    canvas = cv2.copyMakeBorder(rgb, *pads, cv2.BORDER_REPLICATE)
    full_alpha = None
    if alpha is not None:
        full_alpha = cv2.copyMakeBorder(alpha, *pads, cv2.BORDER_CONSTANT, value=255)
    return canvas, full_alpha, placed.rect, placed.drawn


def draw_window(
    image: Image.Image,
    box: FloatBox,
    size: tuple[int, int],
    prompt: str,
    ctx: OpContext,
    warm: WarmSet,
    *,
    grain: bool = True,
    label: str = "outpaint",
    reference: Image.Image | None = None,
) -> Drawn:
    """Draw ``box`` of ``image`` at ``size``; whatever lies outside the image is generated.

    ``reference`` is the IP-Adapter image prompt (the campaign's master; ``image`` if not given).
    """
    canvas, alpha, rect, drawn = _place(image, ctx.cache, box, size)
    keep = np.zeros(canvas.shape[:2], bool)
    keep[rect[1] : rect[3], rect[0] : rect[2]] = True
    if keep.all():
        return Drawn(
            _join(canvas, alpha),
            drawn,
            np.zeros(keep.shape, np.float32),
            {"generated_share": 0.0},
            ["the window lies inside the image: nothing generated"],
        )
    short = min(size)
    overlap = max(MIN_OVERLAP_PX, round(OVERLAP * short))
    feather = max(MIN_FEATHER_PX, round(FEATHER * short))
    model_mask = dilate((~keep).astype(np.float32), overlap) > 0
    ctx.progress(0.05, "outpainting")
    generated, record, notes = fill_canvas(
        warm, ctx, canvas, model_mask, prompt, label=label,
        reference=reference if reference is not None else image,
    )
    # The ring the model re-rendered inside the kept part shows its colour drift against the original.
    band = model_mask & keep
    # Matched over everything the model rendered, the ring included, so the seam offset below only
    # sees what the global match left.
    matched, stats = colour_match(generated, canvas, keep, band, model_mask)
    corrected = seam_offset(matched, canvas, keep, feather)
    record.update(
        kept_rect=list(rect),
        overlap_px=overlap,
        feather_px=feather,
        colour_match=stats,
        generated_share=round(float((~keep).mean()), 4),
        prompt=prompt,
    )
    if grain:
        # Diffusion output is smoother than a photo: add only the grain it lacks (σ² adds up).
        x0, y0, x1, y1 = _largest_strip(rect, size)
        have = estimate_grain(corrected[y0:y1, x0:x1])
        want = estimate_grain(canvas[rect[1] : rect[3], rect[0] : rect[2]])
        sigma = np.sqrt(np.maximum(want.astype(np.float64) ** 2 - have.astype(np.float64) ** 2, 0.0))
        corrected = add_grain(corrected, ~keep, sigma, ctx.rng())
        record["grain_sigma"] = [round(float(v), 3) for v in sigma]
    out = composite(corrected, canvas, (~keep).astype(np.float32))
    return Drawn(_join(out, alpha), drawn, (~keep).astype(np.float32), record, notes)


def _largest_strip(rect: tuple[int, int, int, int], size: tuple[int, int]) -> tuple[int, int, int, int]:
    """The largest all-generated rectangle beside the kept ``rect`` (left, right, top or bottom strip)."""
    x0, y0, x1, y1 = rect
    w, h = size
    strips = [(0, 0, x0, h), (x1, 0, w, h), (0, 0, w, y0), (0, y1, w, h)]
    return max(strips, key=lambda s: (s[2] - s[0]) * (s[3] - s[1]))


def _join(rgb: np.ndarray, alpha: np.ndarray | None) -> Image.Image:
    if alpha is None:
        return Image.fromarray(np.ascontiguousarray(rgb), "RGB")
    return Image.fromarray(np.dstack([rgb, alpha]), "RGBA")
