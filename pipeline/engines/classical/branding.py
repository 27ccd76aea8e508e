"""Logo and copy compositing for the `brand` op: text fitting, layout, legibility scrim.

Legibility follows WCAG 2: contrast ratio (L1 + 0.05) / (L2 + 0.05) on relative luminance,
4.5:1 for normal-size text. The background is judged by its *worst* pixels under the copy
(90th percentile luminance under light text, 10th under dark text), not its mean, because a
bright highlight behind one word is what makes it unreadable.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

IntBox = tuple[int, int, int, int]
TARGET_CONTRAST = 4.5
MAX_SCRIM_ALPHA = 0.85


@lru_cache(maxsize=1)
def default_font_bytes() -> bytes:
    """DejaVu Sans Bold from matplotlib's bundled fonts (free licence; always installed)."""
    import matplotlib

    return (Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans-Bold.ttf").read_bytes()


def font_at(font_bytes: bytes, px: int) -> ImageFont.FreeTypeFont:
    # BASIC layout: identical glyph placement whether or not libraqm is present on the machine.
    return ImageFont.truetype(io.BytesIO(font_bytes), px, layout_engine=ImageFont.Layout.BASIC)


@dataclass(frozen=True)
class FittedText:
    font: ImageFont.FreeTypeFont
    px: int
    ink: IntBox  # ink bounding box relative to the draw origin
    size: tuple[int, int]


def fit_text(
    text: str, font_bytes: bytes, start_px: int, max_w: int, max_h: int, min_px: int
) -> FittedText | None:
    """The largest size ≤ ``start_px`` (shrinking 10 % a step) whose ink fits ``max_w``×``max_h``."""
    px = start_px
    while px >= min_px:
        font = font_at(font_bytes, px)
        ink = font.getbbox(text)
        size = (int(ink[2] - ink[0]), int(ink[3] - ink[1]))
        if size[0] <= max_w and size[1] <= max_h:
            return FittedText(font, px, (int(ink[0]), int(ink[1]), int(ink[2]), int(ink[3])), size)
        px = min(px - 1, int(px * 0.9))
    return None


def stack_layout(
    area: IntBox, position: str, blocks: list[tuple[int, int]], gap: int, row: bool
) -> list[IntBox]:
    """Place blocks (w, h) in ``area`` at ``position``: side by side if ``row`` else stacked, in order."""
    left, top, right, bottom = area
    if row:
        total_w, total_h = sum(w for w, _ in blocks) + gap * (len(blocks) - 1), max(h for _, h in blocks)
    else:
        total_w, total_h = max(w for w, _ in blocks), sum(h for _, h in blocks) + gap * (len(blocks) - 1)
    vertical, horizontal = position.split("-")
    x0 = {"left": left, "right": right - total_w, "center": left + (right - left - total_w) // 2}[horizontal]
    y0 = top if vertical == "top" else bottom - total_h
    boxes, cursor = [], 0
    for w, h in blocks:
        if row:
            x, y = x0 + cursor, y0 + (total_h - h) // 2  # side by side: centred on one line
            cursor += w + gap
        else:
            x = {"left": x0, "right": x0 + total_w - w, "center": x0 + (total_w - w) // 2}[horizontal]
            y = y0 + cursor
            cursor += h + gap
        boxes.append((x, y, x + w, y + h))
    return boxes


def relative_luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG relative luminance of sRGB uint8 pixels (…×3)."""
    c = rgb[..., :3].astype(np.float64) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def contrast(l1: float, l2: float) -> float:
    hi, lo = max(l1, l2), min(l1, l2)
    return (hi + 0.05) / (lo + 0.05)


def worst_background(region: np.ndarray, light_text: bool) -> float:
    """Luminance of the background pixels least favourable to the copy's colour."""
    lum = relative_luminance(region)
    return float(np.percentile(lum, 90 if light_text else 10))


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def scrim_for(
    region: np.ndarray, text_rgb: tuple[int, int, int]
) -> tuple[float, float, float, tuple[int, int, int]]:
    """(alpha, contrast before, contrast after, scrim colour) for a flat scrim behind the copy.

    alpha is 0 when the background already gives ``TARGET_CONTRAST``; otherwise the smallest
    alpha (5 % steps, blended like the real compositing, in sRGB) that reaches it, capped.
    """
    text_lum = float(relative_luminance(np.array(text_rgb, dtype=np.uint8)))
    light = text_lum > 0.18  # closer (in contrast) to white than to black
    colour = (0, 0, 0) if light else (255, 255, 255)
    before = contrast(text_lum, worst_background(region, light))
    if before >= TARGET_CONTRAST:
        return 0.0, before, before, colour
    rgb = region[..., :3].astype(np.float64)
    after = before
    for alpha in np.arange(0.05, MAX_SCRIM_ALPHA + 1e-9, 0.05):
        blended = np.rint(rgb * (1 - alpha) + np.array(colour) * alpha).astype(np.uint8)
        after = contrast(text_lum, worst_background(blended, light))
        if after >= TARGET_CONTRAST:
            return round(float(alpha), 2), before, after, colour
    return MAX_SCRIM_ALPHA, before, after, colour


def draw_scrim(
    layer: Image.Image, box: IntBox, colour: tuple[int, int, int], alpha: float, radius: int
) -> None:
    draw = ImageDraw.Draw(layer)
    draw.rounded_rectangle(box, radius=radius, fill=(*colour, round(alpha * 255)))


def draw_text(
    layer: Image.Image,
    text: str,
    fitted: FittedText,
    at: tuple[int, int],
    colour: tuple[int, int, int],
    shadow: tuple[int, int, int],
) -> None:
    """Copy with a soft drop shadow (offset ~px/24, blur ~px/18, 35 % opacity) for edge separation."""
    origin = (at[0] - fitted.ink[0], at[1] - fitted.ink[1])
    offset = max(1, round(fitted.px / 24))
    mask = Image.new("L", layer.size, 0)
    ImageDraw.Draw(mask).text((origin[0] + offset, origin[1] + offset), text, font=fitted.font, fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(max(1.0, fitted.px / 18)))
    shade = Image.new("RGBA", layer.size, (*shadow, 0))
    shade.putalpha(mask.point(lambda v: round(v * 0.35)))
    layer.alpha_composite(shade)
    ImageDraw.Draw(layer).text(origin, text, font=fitted.font, fill=(*colour, 255))
