"""What a chain of ops carries from step to step besides pixels: which pixels were generated, which
were designed, and the layout a `fit` composed.

Every op result maps its output frame to the master (:class:`Geometry`), so a mask drawn in one
step's frame is moved into the next step's frame through master coordinates: a crop, a resize or
an upscale needs no special case, and a step that redraws nothing keeps the masks as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from pipeline.ops.base import Geometry, OpResult


@dataclass(frozen=True)
class Carried:
    """Masks (float32 0–1 at the current image size) and the layout record, each None when absent."""

    generated: np.ndarray | None = None
    designed: np.ndarray | None = None
    layout: dict[str, Any] | None = None

    def after(self, before: Geometry, result: OpResult) -> Carried:
        """What the chain carries once ``result`` (made from an image framed by ``before``) is applied."""
        after = result.geometry
        moved = before != after
        generated = remap_mask(self.generated, before, after) if moved else self.generated
        designed = remap_mask(self.designed, before, after) if moved else self.designed
        layout = self.layout
        if layout is not None and moved:
            layout = remap_layout(layout, before, after)
        return Carried(
            _union(generated, result.generated_mask),
            _union(designed, result.designed_mask),
            result.layout if result.layout is not None else layout,
        )


def _union(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
    if a is None or b is None:
        return b if a is None else a
    if a.shape != b.shape:
        raise ValueError(f"mask shapes differ: {a.shape} vs {b.shape}")
    return np.maximum(np.asarray(a, np.float32), np.asarray(b, np.float32))


def _axis_map(before: Geometry, after: Geometry, axis: int) -> tuple[float, float]:
    """(scale, offset) taking an ``after`` pixel coordinate to a ``before`` pixel coordinate."""
    a0, a1 = after.source_box[axis], after.source_box[axis + 2]
    b0, b1 = before.source_box[axis], before.source_box[axis + 2]
    a_scale = (a1 - a0) / after.output_size[axis]  # master px per after px
    b_scale = before.output_size[axis] / (b1 - b0)  # before px per master px
    return a_scale * b_scale, (a0 - b0) * b_scale


def remap_mask(mask: np.ndarray | None, before: Geometry, after: Geometry) -> np.ndarray | None:
    """``mask`` (drawn in ``before``'s frame) seen in ``after``'s frame; pixels with no source are 0."""
    if mask is None:
        return None
    height, width = mask.shape[:2]
    coords = []
    for axis, n, limit in ((0, after.output_size[0], width), (1, after.output_size[1], height)):
        scale, offset = _axis_map(before, after, axis)
        src = np.floor((np.arange(n) + 0.5) * scale + offset).astype(np.int64)
        coords.append((src, (src >= 0) & (src < limit)))
    (xs, x_ok), (ys, y_ok) = coords
    out = np.asarray(mask, np.float32)[np.clip(ys, 0, height - 1)][:, np.clip(xs, 0, width - 1)]
    out = out * (y_ok[:, None] & x_ok[None, :])
    return out if out.any() else None


def remap_box(box: list[float], before: Geometry, after: Geometry) -> list[float]:
    """A box in ``before``'s output pixels, in ``after``'s output pixels."""
    sx, ox = _axis_map(before, after, 0)
    sy, oy = _axis_map(before, after, 1)
    return [
        round((box[0] - ox) / sx, 3),
        round((box[1] - oy) / sy, 3),
        round((box[2] - ox) / sx, 3),
        round((box[3] - oy) / sy, 3),
    ]


def remap_layout(layout: dict[str, Any], before: Geometry, after: Geometry) -> dict[str, Any]:
    """Every ``*_box`` entry of a layout record moved into ``after``'s frame; the rest unchanged."""
    return {
        key: remap_box(value, before, after) if key.endswith("_box") and value is not None else value
        for key, value in layout.items()
    }
