"""Tone matching against the master *aligned to the variant's geometry* (audit_specs §1a, §1d).

- Black/white points: L* percentiles p0.5/p99.5, matched with a monotone piecewise-linear curve in
  L*, applied in linear light by scaling RGB (chromaticity kept) plus a neutral offset where the
  curve lifts blacks (scaling cannot lift a zero).
- White balance: grey-world in linear RGB; per-channel gains that carry the variant's mean
  chromaticity to the master's, normalised to keep the mean's luminance.
Crops change content, so both are measured against the master crop the variant shows, never
against the whole master.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from pipeline.engines.classical.colour import (
    Y_WEIGHTS,
    encode_u8,
    linear_u8,
    lstar_from_y,
    luminance,
    y_from_lstar,
)

if TYPE_CHECKING:  # engines never import the ops package at run time (it imports them)
    from pipeline.ops.base import Geometry

# Raw (unsmoothed) percentiles: the variant shares the master's grain, and matching raw points
# also lands within 0.2 L* of the audit's smoothed reading (measured), smoothed matching did not.
LOW_PCT, HIGH_PCT = 0.5, 99.5
MIN_RANGE = 5.0  # L*: a variant flatter than this has no black/white points to match
MAX_RATIO = 8.0  # cap of the linear-light scale factor; beyond it the lift is added as neutral


@dataclass
class ToneMatch:
    rgb: np.ndarray
    record: dict[str, object] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def aligned_master(
    master: Image.Image, geometry: Geometry, size: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """The master resampled onto the variant's frame: (H×W×3 uint8, bool H×W "shows master pixels").

    ``geometry.source_box`` may reach outside the master (expanded canvases); those pixels have no
    reference and are left out (``valid`` False).
    """
    width, height = size
    left, top, right, bottom = geometry.source_box
    mw, mh = geometry.master_size
    sx, sy = width / (right - left), height / (bottom - top)
    # Output pixels whose whole footprint lies inside the master.
    ox0 = max(0, math.ceil(-left * sx - 1e-6))
    oy0 = max(0, math.ceil(-top * sy - 1e-6))
    ox1 = min(width, math.floor((mw - left) * sx + 1e-6))
    oy1 = min(height, math.floor((mh - top) * sy + 1e-6))
    ref = np.zeros((height, width, 3), np.uint8)
    valid = np.zeros((height, width), bool)
    if ox1 <= ox0 or oy1 <= oy0:
        return ref, valid
    # The master object may be a resized copy of the one the geometry was recorded against.
    kx, ky = master.width / mw, master.height / mh
    box = ((left + ox0 / sx) * kx, (top + oy0 / sy) * ky, (left + ox1 / sx) * kx, (top + oy1 / sy) * ky)
    patch = master.convert("RGB").resize(
        (ox1 - ox0, oy1 - oy0), Image.Resampling.BILINEAR, box=box, reducing_gap=2.0
    )
    ref[oy0:oy1, ox0:ox1] = np.asarray(patch)
    valid[oy0:oy1, ox0:ox1] = True
    return ref, valid


def points(lstar_values: np.ndarray) -> tuple[float, float]:
    """Black and white points: p0.5/p99.5 of L*."""
    low, high = np.percentile(lstar_values, [LOW_PCT, HIGH_PCT])
    return float(low), float(high)


def levels_curve(
    variant_points: tuple[float, float], master_points: tuple[float, float], strength: float
) -> tuple[np.ndarray, np.ndarray]:
    """Knots (x, y) in L* of the monotone curve taking the variant's black/white points to the master's."""
    bv, wv = variant_points
    bm, wm = master_points
    xs, ys = [float(bv), float(wv)], [float(bm), float(wm)]
    if bv > 0.05:  # keep true black at black unless the variant's black point already is 0
        xs.insert(0, 0.0)
        ys.insert(0, 0.0)
    if wv < 99.95:
        xs.append(100.0)
        ys.append(100.0)
    x, y = np.array(xs), np.array(ys)
    return x, x + strength * (y - x)


def apply_levels(linear: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Map each pixel's L* through the curve, in linear light: scale RGB by Y'/Y (keeps chromaticity),
    capped at ``MAX_RATIO``, and add the rest of the change as a neutral offset (Y weights sum to 1)."""
    y = luminance(linear)
    target = y_from_lstar(np.interp(lstar_from_y(y), xs, ys))
    ratio = np.minimum(target / np.maximum(y, 1e-9), MAX_RATIO)
    ratio = np.where(y > 1e-9, ratio, 0.0)
    scaled = linear * ratio[..., None]
    return np.asarray(scaled + (target - y * ratio)[..., None])


def grey_world_gains(variant_mean: np.ndarray, master_mean: np.ndarray, strength: float) -> np.ndarray:
    """Per-channel linear gains moving the variant's grey-world chromaticity to the master's."""
    v = variant_mean / float(variant_mean @ Y_WEIGHTS)
    m = master_mean / float(master_mean @ Y_WEIGHTS)
    gains = (m / np.maximum(v, 1e-9)) ** strength
    return np.asarray(gains / float(gains @ (Y_WEIGHTS * v)))  # keep the mean's luminance


def match_tone(
    rgb: np.ndarray, ref: np.ndarray, valid: np.ndarray, match: str, strength: float
) -> ToneMatch:
    """Match ``rgb`` (uint8) to ``ref`` over ``valid`` pixels: "levels", "white_balance" or "both"."""
    result = ToneMatch(rgb.copy())
    linear = linear_u8(rgb)
    ref_linear = linear_u8(ref[valid])
    if match in ("white_balance", "both"):
        gains = grey_world_gains(linear[valid].mean(axis=0), ref_linear.mean(axis=0), strength)
        linear = linear * gains
        result.record["wb_gains"] = [round(float(g), 5) for g in gains]
    if match in ("levels", "both"):
        variant_points = points(lstar_from_y(luminance(np.clip(linear[valid], 0, 1))))
        master_points = points(lstar_from_y(luminance(ref_linear)))
        if min(variant_points[1] - variant_points[0], master_points[1] - master_points[0]) < MIN_RANGE:
            result.notes.append("levels not matched: the image (or its master crop) is nearly flat")
        else:
            xs, ys = levels_curve(variant_points, master_points, strength)
            linear = apply_levels(np.clip(linear, 0, 1), xs, ys)
            result.record["levels_curve_lstar"] = {"x": _r(xs), "y": _r(ys)}
    result.rgb = encode_u8(linear)
    return result


def _r(values: np.ndarray) -> list[float]:
    return [round(float(v), 3) for v in values]
