"""Copy legibility: WCAG 2 contrast against the pixels actually under the glyphs.

Contrast ratio is (L1 + 0.05) / (L2 + 0.05) on relative luminance; 4.5:1 for normal-size text
(AA). The background is judged by its *worst* pixels under the glyph footprint (the 95th
percentile toward the copy's colour), not the box's mean: a bright highlight behind one word is
what makes it unreadable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

TARGET_CONTRAST = 4.5  # WCAG 2 AA for normal-size text: the requirement
# What the scrim and colour choice aim for: a margin over the requirement, so a measurement that
# samples the background a little differently (another ring around the glyphs) still finds ≥ 4.5.
DESIGN_CONTRAST = 5.0
WORST_PERCENTILE = 95
MAX_SCRIM_ALPHA = 0.85
_SCRIM_STEP = 0.05
WHITE, INK = "#FFFFFF", "#141414"  # the neutral pair when the brand's colour can't be read


_CODES = np.arange(256) / 255.0
_LINEAR = np.where(_CODES <= 0.04045, _CODES / 12.92, ((_CODES + 0.055) / 1.055) ** 2.4)
_WEIGHTS = np.array([0.2126, 0.7152, 0.0722])
SAMPLE = 50_000  # pixels judged when choosing a scrim (an even stride through the footprint)


def relative_luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG relative luminance of sRGB pixels (…×3, uint8 or values 0–255)."""
    rgb = np.asarray(rgb)[..., :3]
    codes = rgb if rgb.dtype == np.uint8 else np.clip(np.rint(rgb), 0, 255).astype(np.uint8)
    return _LINEAR[codes] @ _WEIGHTS


def contrast(l1: float, l2: float) -> float:
    hi, lo = max(l1, l2), min(l1, l2)
    return (hi + 0.05) / (lo + 0.05)


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def text_luminance(colour: str) -> float:
    return float(relative_luminance(np.array(hex_rgb(colour), dtype=np.uint8)))


def worst_contrast(colour: str, background: np.ndarray) -> float:
    """Contrast of ``colour`` against the least favourable background pixels (N×3 or H×W×3)."""
    text = text_luminance(colour)
    lum = relative_luminance(background).ravel()
    if lum.size == 0:
        return 21.0
    # Light copy is hurt by the brightest pixels, dark copy by the darkest.
    lighter = np.percentile(lum, WORST_PERCENTILE)
    darker = np.percentile(lum, 100 - WORST_PERCENTILE)
    return min(contrast(text, float(lighter)), contrast(text, float(darker)))


def scrim_colour(colour: str) -> tuple[int, int, int]:
    """Black behind light copy, white behind dark copy: whichever can reach the higher contrast."""
    lum = text_luminance(colour)
    return (0, 0, 0) if contrast(lum, 0.0) >= contrast(lum, 1.0) else (255, 255, 255)


def blend(background: np.ndarray, colour: tuple[int, int, int], alpha: float) -> np.ndarray:
    mixed = background[..., :3].astype(np.float64) * (1 - alpha) + np.array(colour) * alpha
    return np.rint(mixed).astype(np.uint8)


@dataclass(frozen=True)
class Legibility:
    colour: str
    scrim_rgb: tuple[int, int, int]
    scrim_alpha: float  # 0: no scrim
    before: float  # worst-case contrast on the bare background
    after: float  # with the scrim (as predicted before compositing)


def scrim_needed(colour: str, background: np.ndarray) -> Legibility | None:
    """The lightest scrim (5 % steps) that gives ``colour`` the design contrast; None if none can."""
    background = background.reshape(-1, background.shape[-1])[:: max(1, background.size // 3 // SAMPLE)]
    before = worst_contrast(colour, background)
    rgb = scrim_colour(colour)
    if before >= DESIGN_CONTRAST:
        return Legibility(colour, rgb, 0.0, before, before)
    for alpha in np.arange(_SCRIM_STEP, MAX_SCRIM_ALPHA + 1e-9, _SCRIM_STEP):
        after = worst_contrast(colour, blend(background, rgb, float(alpha)))
        if after >= DESIGN_CONTRAST:
            return Legibility(colour, rgb, round(float(alpha), 2), before, after)
    return None


def choose(candidates: list[str], background: np.ndarray) -> Legibility:
    """The first candidate colour legible without a scrim, else the first that a scrim makes legible.

    The candidates come in order of preference (the requested colour, the kit's, then the neutral
    pair); white and near-black always reach the target behind a scrim, so one always does.
    """
    options = list(dict.fromkeys([*candidates, WHITE, INK]))
    needs = [scrim_needed(c, background) for c in options]
    bare = next((n for n in needs if n is not None and n.scrim_alpha == 0), None)
    if bare is not None and bare.colour in candidates:
        return bare
    scrimmed = next(n for n in needs if n is not None)
    return scrimmed


def _box(shape: tuple[int, int], box: Any) -> np.ndarray:
    h, w = shape
    left, top, right, bottom = (round(v) for v in box)
    mask = np.zeros(shape, bool)
    mask[max(0, top) : max(0, min(h, bottom)), max(0, left) : max(0, min(w, right))] = True
    return mask


def ring_pad(px: float) -> int:
    """How far around the copy's box :func:`ring_contrast` looks (a third of the type size)."""
    return max(3, round(px * 0.3))


def ring_contrast(
    rgb: np.ndarray, record: dict[str, Any], text_rgb: np.ndarray, px: float
) -> dict[str, Any]:
    """Copy colour against the background around the glyphs, at its worst 5 %, in composed pixels.

    The one definition of copy contrast measured *after* drawing: `brand` raises its scrim until this
    reaches the design contrast, and the audit checks delivered files with it (``record`` holds
    brand's ``text_box`` and ``scrim_box``, image pixels).

    The background is the ring just outside the text box (within the scrim, when there is one) and
    the pixels inside the box that are not glyph: each pixel is placed on the line from the ring's
    median colour (0) to the copy colour (1); from a quarter of the way on it is glyph or its
    anti-aliased / compressed edge, and its neighbours are left out too.
    """
    h, w = rgb.shape[:2]
    box = _box((h, w), record["text_box"])
    if int(box.sum()) < 16:
        return {"contrast": None}
    ys, xs = np.nonzero(box)
    pad = ring_pad(px)
    y0, y1 = max(0, ys.min() - pad), min(h, ys.max() + 1 + pad)
    x0, x1 = max(0, xs.min() - pad), min(w, xs.max() + 1 + pad)
    crop = rgb[y0:y1, x0:x1].astype(np.float32)
    inside: np.ndarray = box[y0:y1, x0:x1]
    # Beside the box, not diagonal to it: a scrim's rounded corners leave the photo showing there.
    beside = np.any(inside, axis=1)[:, None] | np.any(inside, axis=0)[None, :]
    ring = ~inside & beside
    if record.get("scrim_box"):
        ring &= _box((h, w), record["scrim_box"])[y0:y1, x0:x1]
    if int(ring.sum()) < 16:
        return {"contrast": None}
    base = np.median(crop[ring], axis=0)
    toward = text_rgb.astype(np.float32) - base
    span = float(toward @ toward)
    if span < 1.0:  # the copy is the background's own colour
        return {"contrast": 1.0, "glyph_share": 1.0}
    share = (crop - base) @ toward / span
    glyph = share > 0.25
    near = cv2.dilate(glyph.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    background = ring | (inside & ~near)
    lum = relative_luminance(np.clip(crop, 0, 255).round().astype(np.uint8))[background]
    text_lum = float(relative_luminance(text_rgb[None])[0])
    light_text = text_lum > float(np.median(lum))
    worst = float(np.percentile(lum, 95 if light_text else 5))
    return {
        "contrast": round(contrast(text_lum, worst), 2),
        "background_luminance_worst": round(worst, 4),
        "glyph_share": round(float(glyph[inside].mean()), 3),
    }
