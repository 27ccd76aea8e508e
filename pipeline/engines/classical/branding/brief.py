"""What the placement search works with, gathered once per variant: where brand may draw (the
layout's panel, the safe zone), what it must keep clear (faces, products) or should (heads,
people), how busy the picture is, and every way to set the logo and the copy."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PIL import Image

from pipeline.engines.classical.branding import arrange
from pipeline.engines.classical.branding.areas import (
    areas_for,
    min_copy_px,
    min_logo_side,
    start_copy_px,
    wanted_logo,
)
from pipeline.engines.classical.branding.calm import CalmField
from pipeline.engines.classical.branding.fonts import FontFile
from pipeline.engines.classical.branding.placement import Area, FloatBox, Option, Scene
from pipeline.engines.classical.branding.wrapping import CopyBlock, layouts
from pipeline.specs import ChannelSpec

if TYPE_CHECKING:  # keyregions imports pipeline.ops, whose package imports the brand op and this module
    from pipeline.engines.classical.keyregions import KeyRegion

# What covering all of a region costs (its share covered × this): the hair and the shoulders may take
# a logo's corner but read better clear; the main mass of a landscape matters least.
SOFT_WEIGHTS = {"head": 2.0, "person": 1.5, "mass": 0.4}
FACE_ROOM, PRODUCT_ROOM = 0.2, 0.05  # clearance around a face / product box, in its size
ROW_ASPECT = 3.0  # an area wider than 3:1 (leaderboards, mobile banners) sets logo and copy side by side


@dataclass
class Brief:
    areas: list[Area]
    scene: Scene
    avoided: list[KeyRegion]  # the faces and products in the frame (never covered)
    start_px: int  # the copy's designed size
    logo: tuple[int, int] | None  # the logo's wanted size
    blocks: list[CopyBlock]  # every layout of the copy that fits somewhere
    options: list[Option]
    notes: list[str] = field(default_factory=list)


def prepare(
    image: Image.Image,
    spec: ChannelSpec,
    avoided: list[KeyRegion],
    others: list[KeyRegion],
    layout: dict[str, object] | None,
    *,
    logo: Image.Image | None,
    logo_scale: float,
    copy: tuple[str, FontFile, bool] | None,  # text, font, whether it needs shaping
    position: str,
) -> Brief:
    """Everything the search needs; ``avoided`` are never covered (faces, products), ``others`` cost."""
    w, h = image.size
    scene = Scene(
        forbidden=tuple(padded(r.kind, r.box, w, h) for r in avoided),
        soft=tuple((r.box, SOFT_WEIGHTS.get(r.kind, 0.4)) for r in others),
        calm=CalmField(image),
        position=position,
    )
    safe = spec.safe_zone.box(w, h)
    areas, notes = areas_for(safe, layout, (w, h))
    main, on_panel = areas[0].box, areas[0].on_panel
    wide = (main[2] - main[0]) / max(1, main[3] - main[1]) > ROW_ASPECT
    start = start_copy_px(spec, main, wide, on_panel)
    blocks = []
    if copy is not None:
        text, font, shaped = copy
        max_w = max(a.box[2] - a.box[0] for a in areas)
        max_h = max(a.box[3] - a.box[1] for a in areas)
        blocks = layouts(text, font, shaped, sizes(start, min_copy_px(spec)), max_w, max_h)
    want = wanted_logo(logo, logo_scale * (safe[2] - safe[0]), main, wide, on_panel) if logo else None
    options = arrange.options(want, blocks, start, position, wide, min_logo_side(spec))
    return Brief(areas, scene, avoided, start, want, blocks, options, notes)


def padded(kind: str, box: FloatBox, w: int, h: int) -> FloatBox:
    """A face or product box with room to spare: a face detector's box is tight (brow to chin) and
    copy touching a chin reads as cramped; a product box is already loose."""
    pad = max(6.0, (FACE_ROOM if kind == "face" else PRODUCT_ROOM) * max(box[2] - box[0], box[3] - box[1]))
    return (
        max(0.0, box[0] - pad),
        max(0.0, box[1] - pad),
        min(float(w), box[2] + pad),
        min(float(h), box[3] + pad),
    )


def sizes(start: int, smallest: int) -> list[int]:
    """Copy sizes to try, largest first, ~10 % apart, down to the spec's smallest legible size."""
    found, px = [], start
    while px > smallest:
        found.append(px)
        px = min(px - 1, math.floor(px * 0.9))
    return [*found, smallest]
