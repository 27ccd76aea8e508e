"""The `brand` op: place the logo and copy inside the spec's safe zone. Never AI.

Everything is drawn on a layer the size of the safe zone and composited back into exactly that
rectangle, so no pixel outside the safe zone can change. The image must already be at the
spec's size (brand runs after fit/upscale, before export).
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
from PIL import Image
from pydantic import Field

from pipeline.engines.classical import branding as eng
from pipeline.errors import BadRequest
from pipeline.ops.base import OpContext, OpInputs, OpParams, OpResult
from pipeline.ops.fields import HexColour, SpecName
from pipeline.ops.registry import op
from pipeline.specs import get_spec


class BrandParams(OpParams):
    """Place the logo and copy inside the spec's safe zone (deterministic compositing, never AI)."""

    spec: SpecName = Field(description="Channel spec whose safe zone applies.")
    text: str = Field("", max_length=120, description="Copy line, e.g. a call to action.")
    position: Literal[
        "bottom-left", "bottom-right", "bottom-center", "top-left", "top-right", "top-center"
    ] = Field("bottom-right", description="Corner of the safe zone to anchor logo and copy.")
    logo_scale: float = Field(
        0.15, ge=0.03, le=0.5, description="Logo width as a fraction of the safe zone's width."
    )
    text_color: HexColour = Field("#FFFFFF", description="Copy colour #RRGGBB.")
    use_logo: bool = Field(
        True, description="Place the brand kit's logo (the `logo` input) when there is one."
    )


MIN_TEXT_PX = 10  # below this, copy is not readable on a phone; refuse rather than shrink further
TEXT_START = 0.05  # starting copy size as a fraction of sqrt(width × height)
ROW_ASPECT = 3.0  # a safe zone wider than 3:1 (leaderboards, mobile banners) gets logo and copy side by side


@op("brand", version="1.0.0")
def brand(inputs: OpInputs, params: BrandParams, ctx: OpContext) -> OpResult:
    spec = get_spec(params.spec)
    image = inputs.image
    w, h = image.size
    if image.size != spec.size:
        raise BadRequest(
            f"`brand` needs the image at `{spec.name}` size {spec.width}×{spec.height} "
            f"(it is {w}×{h}): fit or upscale it first"
        )
    logo = inputs.extras.get("logo") if params.use_logo else None
    text = params.text.strip()
    notes: list[str] = []
    if logo is None and not text:
        notes.append("nothing to place: no logo and no copy")
        return OpResult(image.copy(), inputs.geometry, notes, seed=ctx.seed, record={"placed": []})
    safe = spec.safe_zone.box(w, h)
    sw, sh = safe[2] - safe[0], safe[3] - safe[1]
    pad = max(2, round(0.03 * min(sw, sh)))
    area = (pad, pad, sw - pad, sh - pad)  # in safe-zone coordinates
    aw, ah = area[2] - area[0], area[3] - area[1]
    row = aw / ah > ROW_ASPECT
    gap = max(pad, 6)
    blocks: list[tuple[int, int]] = []
    logo_px = _logo_size(logo, params.logo_scale * sw, aw, ah if row else ah * 0.5, notes) if logo else None
    if logo_px:
        blocks.append(logo_px)
    fitted = None
    if text:
        avail_w = aw - (logo_px[0] + gap if row and logo_px else 0)
        avail_h = ah - (logo_px[1] + gap if logo_px and not row else 0)
        # Wide banners have room for a line a third of their height, whatever their area.
        start = max(MIN_TEXT_PX, round(TEXT_START * math.sqrt(w * h)), round(ah / 3) if row else 0)
        font_bytes = inputs.texts.get("font") or eng.default_font_bytes()
        fitted = eng.fit_text(text, font_bytes, start, avail_w, avail_h, MIN_TEXT_PX)
        if fitted is None:
            raise BadRequest(
                f"`brand`: the copy “{text}” does not fit the safe zone of `{spec.name}` "
                f"({sw}×{sh} px) even at {MIN_TEXT_PX} px; shorten it or drop the logo"
            )
        if fitted.px < start:
            notes.append(f"copy shrunk from {start} to {fitted.px} px to fit the safe zone")
        blocks.append(fitted.size)
    boxes = eng.stack_layout(area, params.position, blocks, gap, row)
    layer, record = _compose(image.crop(safe), logo, fitted, text, boxes, params, pad)
    out = image.copy()
    region = Image.alpha_composite(image.crop(safe).convert("RGBA"), layer)
    out.paste(region if image.mode == "RGBA" else region.convert(image.mode), safe[:2])
    for key in ("logo_box", "text_box", "scrim_box"):  # safe-zone → image coordinates
        if record.get(key):
            record[key] = [v + safe[i % 2] for i, v in enumerate(record[key])]
    record.update(safe_zone=list(safe), arrangement="row" if row else "stack", position=params.position)
    if record.get("scrim_alpha"):
        notes.append(
            f"added a {round(record['scrim_alpha'] * 100)} % scrim behind the copy: "
            f"contrast {record['contrast_before']:.1f}:1 → {record['contrast_after']:.1f}:1"
        )
    return OpResult(out, inputs.geometry, notes, seed=ctx.seed, engine="classical", record=record)


def _logo_size(
    logo: Image.Image, want_w: float, max_w: int, max_h: float, notes: list[str]
) -> tuple[int, int]:
    scale = min(want_w / logo.width, max_w / logo.width, max_h / logo.height)
    if scale < want_w / logo.width - 1e-9:
        notes.append(
            f"logo reduced to {scale * logo.width / want_w:.0%} of the requested size to fit the safe zone"
        )
    return max(1, math.floor(logo.width * scale)), max(1, math.floor(logo.height * scale))


def _compose(
    background: Image.Image,
    logo: Image.Image | None,
    fitted: eng.FittedText | None,
    text: str,
    boxes: list[eng.IntBox],
    params: BrandParams,
    pad: int,
) -> tuple[Image.Image, dict[str, Any]]:
    """The overlay layer (safe-zone sized, RGBA) and what was placed where (safe-zone coordinates)."""
    layer = Image.new("RGBA", background.size, (0, 0, 0, 0))
    record: dict[str, Any] = {"logo_box": None, "text_box": None}
    queue = list(boxes)
    if logo is not None:
        box = queue.pop(0)
        layer.alpha_composite(
            logo.resize((box[2] - box[0], box[3] - box[1]), Image.Resampling.LANCZOS), box[:2]
        )
        record["logo_box"] = list(box)
    if fitted is not None:
        box = queue.pop(0)
        margin = min(pad, max(2, round(fitted.px * 0.35)))
        scrim_box = (
            max(0, box[0] - margin),
            max(0, box[1] - margin),
            min(layer.width, box[2] + margin),
            min(layer.height, box[3] + margin),
        )
        under = np.asarray(background.convert("RGB").crop(scrim_box))
        text_rgb = eng.hex_rgb(params.text_color)
        alpha, before, after, scrim_rgb = eng.scrim_for(under, text_rgb)
        if alpha > 0:
            eng.draw_scrim(layer, scrim_box, scrim_rgb, alpha, radius=margin)
        eng.draw_text(layer, text, fitted, box[:2], text_rgb, shadow=scrim_rgb)
        record.update(
            text_box=list(box),
            font_px=fitted.px,
            text_color=params.text_color,
            scrim_box=list(scrim_box) if alpha > 0 else None,
            scrim_alpha=alpha,
            contrast_before=round(before, 2),
            contrast_after=round(after, 2),
        )
    return layer, record
