"""Drawing a chosen spot: logo, legibility scrim, copy lines with a soft shadow; then measuring.

Only the rectangle around the drawn boxes is touched. Copy contrast is measured on the composed
pixels under and around the glyphs (the glyph footprint, before the glyph fill), at the worst
95th percentile, and the scrim is raised until that measurement reaches the design contrast
(a margin over WCAG's 4.5:1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter
from scipy import ndimage

from pipeline.engines.classical.branding import legibility as leg
from pipeline.engines.classical.branding.arrange import DESIGN_PAD, scrim_margin
from pipeline.engines.classical.branding.fonts import FontFile, font_at
from pipeline.engines.classical.branding.placement import IntBox, Spot

SHADOW_OPACITY = 0.35


@dataclass
class Composed:
    image: Image.Image
    designed: np.ndarray  # float32 0/1 at image size: logo, copy and scrim boxes, padded
    record: dict[str, Any] = field(default_factory=dict)


def _grow(box: IntBox, by: int, size: tuple[int, int]) -> IntBox:
    return (max(0, box[0] - by), max(0, box[1] - by), min(size[0], box[2] + by), min(size[1], box[3] + by))


def _union(boxes: list[IntBox]) -> IntBox:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _shift(box: IntBox, dx: int, dy: int) -> IntBox:
    return (box[0] - dx, box[1] - dy, box[2] - dx, box[3] - dy)


def compose(
    image: Image.Image, spot: Spot, logo: Image.Image | None, font: FontFile | None, colours: list[str]
) -> Composed:
    """Draw ``spot`` on a copy of ``image``; the record holds the boxes (image pixels) and the copy."""
    option = spot.option
    pads = {p.kind: p.pad for p in option.pieces}
    grown = [_grow(box, pads[kind], image.size) for kind, box in spot.boxes.items()]
    if "copy" in spot.boxes and option.copy is not None:  # the pixels the copy's contrast is judged on
        grown.append(_grow(spot.boxes["copy"], leg.ring_pad(option.copy.px) + 1, image.size))
    region = _union(grown)
    ox, oy = region[:2]
    base = image.crop(region).convert("RGBA")
    record: dict[str, Any] = {"logo_box": None, "text_box": None, "scrim_box": None, "copy": None}
    drawn: list[tuple[IntBox, int]] = []  # what was drawn, and how far beyond it pixels changed
    if "logo" in spot.boxes and logo is not None:
        box = spot.boxes["logo"]
        size = (box[2] - box[0], box[3] - box[1])
        base.alpha_composite(
            logo.convert("RGBA").resize(size, Image.Resampling.LANCZOS), _shift(box, ox, oy)[:2]
        )
        record["logo_box"] = list(box)
        drawn.append((box, DESIGN_PAD))
    if "copy" in spot.boxes and option.copy is not None and font is not None:
        copy_record, boxes = _draw_copy(base, spot, font, colours, (ox, oy))
        record.update(copy_record)
        drawn += boxes
    out = image.copy()
    out.paste(base if image.mode == "RGBA" else base.convert(image.mode), region[:2])
    designed = np.zeros((image.height, image.width), np.float32)
    for box, pad in drawn:
        x0, y0, x1, y1 = _grow(box, pad, image.size)
        designed[y0:y1, x0:x1] = 1.0
    return Composed(out, designed, record)


def _draw_copy(
    base: Image.Image, spot: Spot, font: FontFile, colours: list[str], origin: tuple[int, int]
) -> tuple[dict[str, Any], list[tuple[IntBox, int]]]:
    block = spot.option.copy
    assert block is not None
    ox, oy = origin
    box = spot.boxes["copy"]
    lines = block.line_boxes(box[:2], spot.option.align)
    face = font_at(font.data, block.px, block.shaped)
    glyphs = Image.new("L", base.size, 0)
    pen = ImageDraw.Draw(glyphs)
    for text, ink, line in zip(block.lines, block.inks, lines, strict=True):
        pen.text((line[0] - ox - ink[0], line[1] - oy - ink[1]), text, font=face, fill=255)
    mask = np.asarray(glyphs) > 0
    footprint = ndimage.binary_dilation(mask, iterations=max(1, round(block.px / 12)))
    choice = leg.choose(colours, np.asarray(base)[..., :3][footprint])
    text_box = _union(lines)
    margin = scrim_margin(block.px)
    scrim_box = _grow(text_box, margin, (ox + base.width, oy + base.height))
    alpha = choice.scrim_alpha
    fill = Image.new("RGBA", base.size, (*leg.hex_rgb(choice.colour), 0))
    fill.putalpha(glyphs)
    text_rgb = np.array(leg.hex_rgb(choice.colour), np.float32)
    while True:  # the prediction rounds differently from compositing: measure, and raise if short
        trial = base.copy()
        if alpha > 0:
            _scrim(trial, _shift(scrim_box, ox, oy), choice.scrim_rgb, alpha, margin)
        _shadow(trial, glyphs, block.px, choice.scrim_rgb)
        measured = leg.worst_contrast(choice.colour, np.asarray(trial)[..., :3][footprint])
        # …and as the audit will measure the delivered pixels: around the glyphs, within the scrim.
        drawn = trial.copy()
        drawn.alpha_composite(fill)
        scrim = _shift(scrim_box, ox, oy) if alpha > 0 else None
        local = {"text_box": _shift(text_box, ox, oy), "scrim_box": scrim}
        ring = leg.ring_contrast(np.asarray(drawn)[..., :3], local, text_rgb, block.px).get("contrast")
        if ring is not None:
            measured = min(measured, ring)
        if measured >= leg.DESIGN_CONTRAST or alpha >= 1.0:
            break
        alpha = min(1.0, round(alpha + 0.05, 2))
    base.paste(drawn)
    record: dict[str, Any] = {
        "text_box": list(text_box),
        "scrim_box": list(scrim_box) if alpha > 0 else None,
        "font_px": block.px,
        "text_color": choice.colour,
        "scrim_alpha": alpha,
        "contrast_before": round(choice.before, 2),
        "contrast_after": round(measured, 2),
        "copy": {
            "lines": list(block.lines),
            "px": block.px,
            "colour": choice.colour,
            "font": font.name,
            "font_sha256": font.sha256,
            "missing": [],
            "contrast": round(measured, 2),
            "line_boxes": [list(b) for b in lines],
            "align": spot.option.align,
            "layout": "raqm" if block.shaped else "basic",
        },
    }
    # The copy's shadow reaches past its ink: the designed mask covers it, so the audit never
    # compares a shadowed pixel with the master.
    copy_drawn = (text_box, DESIGN_PAD + shadow_reach(block.px))
    return record, [copy_drawn, (scrim_box, DESIGN_PAD)] if alpha > 0 else [copy_drawn]


def _scrim(layer: Image.Image, box: IntBox, colour: tuple[int, int, int], alpha: float, radius: int) -> None:
    shade = Image.new("RGBA", layer.size, (0, 0, 0, 0))
    ImageDraw.Draw(shade).rounded_rectangle(box, radius=radius, fill=(*colour, round(alpha * 255)))
    layer.alpha_composite(shade)


def _shadow_offset_blur(px: int) -> tuple[int, float]:
    return max(1, round(px / 24)), max(1.0, px / 18)


def shadow_reach(px: int) -> int:
    """How far past the glyphs the shadow darkens anything (its offset plus three blur radii)."""
    offset, blur = _shadow_offset_blur(px)
    return offset + math.ceil(3 * blur)


def _shadow(layer: Image.Image, glyphs: Image.Image, px: int, colour: tuple[int, int, int]) -> None:
    """A soft drop shadow (offset ~px/24, blur ~px/18, 35 % opacity) for edge separation."""
    offset, blur = _shadow_offset_blur(px)
    moved = Image.new("L", glyphs.size, 0)
    moved.paste(glyphs, (offset, offset))
    blurred = moved.filter(ImageFilter.GaussianBlur(blur))
    shade = Image.new("RGBA", layer.size, (*colour, 0))
    shade.putalpha(blurred.point(lambda v: round(v * SHADOW_OPACITY)))
    layer.alpha_composite(shade)
