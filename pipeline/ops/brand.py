"""The `brand` op: place the logo and copy where they never cover the subject. Never AI.

Logo and copy go on the layout's panel when `fit` composed one, else inside the spec's safe
zone, at the calmest spot a small search finds that keeps clear of every face and product
(key regions). Copy is checked against the kit's fonts before anything is drawn, wrapped over
balanced lines, and kept at WCAG contrast ≥ 4.5:1 against the pixels under it (a scrim when the
background is busy). When nothing fits, the logo shrinks, moves or is dropped (then the copy),
and the notes say so. The image must already be at the spec's size (brand runs after fit/upscale).
"""

from __future__ import annotations

import math
import unicodedata
from typing import Any, Literal

from pydantic import Field

# A module import, not names: keyregions imports pipeline.ops.base, whose package imports this op,
# so importing keyregions first must not need its names to exist yet.
from pipeline.engines.classical import keyregions
from pipeline.engines.classical.branding import arrange, fonts
from pipeline.engines.classical.branding import legibility as leg
from pipeline.engines.classical.branding.areas import (
    areas_for,
    min_copy_px,
    min_logo_side,
    start_copy_px,
    wanted_logo,
)
from pipeline.engines.classical.branding.calm import CalmField
from pipeline.engines.classical.branding.compose import compose
from pipeline.engines.classical.branding.placement import Scene, Spot
from pipeline.engines.classical.branding.wrapping import layouts
from pipeline.errors import BadRequest
from pipeline.ops.base import OpContext, OpInputs, OpParams, OpResult
from pipeline.ops.fields import HexColour, SpecName
from pipeline.ops.registry import op
from pipeline.specs import get_spec

PERSON_WEIGHT, MASS_WEIGHT = 1.5, 0.4  # cost of covering all of a person (shoulders, hair) / the main mass
FACE_ROOM, PRODUCT_ROOM = 0.2, 0.05  # clearance around a face / product box, in its size
ROW_ASPECT = 3.0  # an area wider than 3:1 (leaderboards, mobile banners) sets logo and copy side by side
Position = Literal[
    "auto", "bottom-left", "bottom-right", "bottom-center", "top-left", "top-right", "top-center"
]


class BrandParams(OpParams):
    """Place the logo and copy on the layout's panel or in the spec's safe zone, never over a face or
    the product (deterministic compositing, never AI)."""

    spec: SpecName = Field(description="Channel spec whose safe zone applies.")
    text: str = Field(
        "", max_length=120, description="Copy, e.g. a call to action; wraps over lines as needed."
    )
    position: Position = Field(
        "auto",
        description="Where logo and copy should sit: `auto` (the calmest spot clear of the subject) or a "
        "preferred corner/edge of the safe zone, honoured when it keeps the subject clear.",
    )
    logo_scale: float = Field(
        0.15, ge=0.03, le=0.5, description="Logo width as a fraction of the safe zone's width."
    )
    text_color: HexColour | None = Field(
        None, description="Copy colour #RRGGBB; empty = the brand kit's text colour (else white or ink)."
    )
    use_logo: bool = Field(
        True, description="Place the brand kit's logo (the `logo` input) when there is one."
    )


@op("brand", version="2.0.0")
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
    text = " ".join(unicodedata.normalize("NFC", params.text).split())
    record: dict[str, Any] = {
        "logo_box": None,
        "text_box": None,
        "scrim_box": None,
        "copy": None,
        "placement": None,
        "position": params.position,
    }
    if logo is None and not text:
        notes = ["nothing to place: no logo and no copy"]
        return OpResult(image.copy(), inputs.geometry, notes, seed=ctx.seed, record={**record, "placed": []})
    font, shaped = None, False
    if text:  # refuse before anything is drawn: copy the kit's fonts can't set would be tofu
        font = fonts.choose_font(fonts.kit_fonts(inputs.texts, inputs.style), text, "the copy")
        shaped = fonts.needs_shaping(text)
        if shaped:
            fonts.check_shaping_available(text)
    regions = keyregions.regions_in_frame(keyregions.key_regions(inputs.master, ctx.cache), inputs.geometry)
    avoided = [r for r in regions if r.kind in keyregions.NO_COVER]
    scene = Scene(
        forbidden=tuple(_padded(r.kind, r.box, w, h) for r in avoided),
        soft=tuple(
            (r.box, PERSON_WEIGHT if r.kind == "person" else MASS_WEIGHT)
            for r in regions
            if r.kind not in keyregions.NO_COVER
        ),
        calm=CalmField(image),
        position=params.position,
    )
    safe = spec.safe_zone.box(w, h)
    areas, area_notes = areas_for(safe, inputs.layout, (w, h))
    main = areas[0].box
    wide = (main[2] - main[0]) / max(1, main[3] - main[1]) > ROW_ASPECT
    start = start_copy_px(spec, main, wide)
    blocks = []
    if text and font is not None:
        sizes = _sizes(start, min_copy_px(spec))
        max_w = max(a.box[2] - a.box[0] for a in areas)
        max_h = max(a.box[3] - a.box[1] for a in areas)
        blocks = layouts(text, font, shaped, sizes, max_w, max_h)
    want = (
        wanted_logo(logo, params.logo_scale * (safe[2] - safe[0]), main, wide) if logo is not None else None
    )
    options = arrange.options(want, blocks, start, params.position, wide, min_logo_side(spec))
    spot = arrange.search(options, areas, scene) if options else None
    placement: dict[str, Any] = {
        "anchor": None,
        "on_panel": False,
        "avoided": [r.to_record() for r in avoided],
        "dropped": [],
    }
    notes = list(area_notes)
    if spot is None:
        placement["dropped"] = _dropped(logo is not None, bool(text), False, spec.name, avoided, blocks)
        notes += placement["dropped"]
        record.update(placement=placement, safe_zone=list(safe), arrangement=None, placed=[])
        return OpResult(
            image.copy(), inputs.geometry, notes, seed=ctx.seed, engine="classical", record=record
        )
    colours = _colours(params, inputs, spot)
    composed = compose(image, spot, logo, font, colours)
    record.update(composed.record)
    if record["copy"] is not None:
        record["copy"] = {"text": text, **record["copy"]}
    placement.update(
        anchor=spot.anchor,
        on_panel=spot.area.on_panel,
        dropped=_dropped(
            logo is not None and spot.option.logo_size is None,
            bool(text) and spot.option.copy is None,
            spot.option.copy is not None,
            spec.name,
            avoided,
            blocks,
        ),
    )
    notes += placement["dropped"] + _notes(spot, want, start, record, colours[0])
    record.update(
        placement=placement,
        safe_zone=list(safe),
        arrangement=spot.option.arrangement,
        placed=sorted(spot.boxes),
    )
    return OpResult(
        composed.image,
        inputs.geometry,
        notes,
        seed=ctx.seed,
        engine="classical",
        designed_mask=composed.designed,
        record=record,
    )


def _padded(
    kind: str, box: tuple[float, float, float, float], w: int, h: int
) -> tuple[float, float, float, float]:
    """A face or product box with room to spare: a face detector's box is tight (brow to chin) and
    copy touching a chin reads as cramped; a product box is already loose."""
    pad = max(6.0, (FACE_ROOM if kind == "face" else PRODUCT_ROOM) * max(box[2] - box[0], box[3] - box[1]))
    return (
        max(0.0, box[0] - pad),
        max(0.0, box[1] - pad),
        min(float(w), box[2] + pad),
        min(float(h), box[3] + pad),
    )


def _sizes(start: int, smallest: int) -> list[int]:
    """Copy sizes to try, largest first, ~10 % apart, down to the spec's smallest legible size."""
    sizes, px = [], start
    while px > smallest:
        sizes.append(px)
        px = min(px - 1, math.floor(px * 0.9))
    return [*sizes, smallest]


def _colours(params: BrandParams, inputs: OpInputs, spot: Spot) -> list[str]:
    """Copy colours in order of preference: as asked, else the kit's; on a panel, also white or ink."""
    if params.text_color:
        return [params.text_color]
    colours = inputs.style.get("colors") if isinstance(inputs.style.get("colors"), dict) else {}
    kit = str(colours.get("text")) if colours and colours.get("text") else None
    if kit and not spot.area.on_panel:
        return [kit]  # on a photo the brand's colour stays, behind a scrim if it must
    return [kit, leg.WHITE, leg.INK] if kit else [leg.WHITE, leg.INK]


def _dropped(
    logo: bool, copy: bool, copy_kept: bool, spec: str, avoided: list[Any], blocks: list[Any]
) -> list[str]:
    """Why the logo and/or the copy were left out (the result's notes say it; the record keeps it)."""
    subject = " and ".join(sorted({r.kind for r in avoided})) or "the subject"
    reasons = []
    if logo:
        where = "beside the copy " if copy_kept else ""
        reasons.append(f"logo dropped: no spot on `{spec}` keeps it {where}clear of the {subject}")
    if copy:
        why = (
            "is too long for the space even at the smallest legible size"
            if not blocks
            else f"finds no spot clear of the {subject}"
        )
        reasons.append(f"copy dropped: on `{spec}` it {why}")
    return reasons


def _notes(
    spot: Spot, want: tuple[int, int] | None, start: int, record: dict[str, Any], wanted_colour: str
) -> list[str]:
    notes = []
    copy = record.get("copy")
    if copy and copy["colour"] != wanted_colour:
        notes.append(
            f"copy set in {copy['colour']} rather than {wanted_colour}, which would need a scrim there"
        )
    option = spot.option
    if want and option.logo_size and option.logo_size[0] < want[0]:
        notes.append(
            f"logo set at {option.logo_size[0] / want[0]:.0%} of its size to keep clear of the subject"
        )
    if option.arrangement == "split":
        notes.append("logo and copy placed apart to keep clear of the subject")
    if option.copy is not None and option.copy.px < start:
        lines = len(option.copy.lines)
        notes.append(
            f"copy shrunk from {start} to {option.copy.px} px ({lines} line{'s' * (lines > 1)}) to fit"
        )
    if record.get("scrim_box"):
        notes.append(
            f"added a {round(record['scrim_alpha'] * 100)} % scrim behind the copy: "
            f"contrast {record['contrast_before']:.1f}:1 → {record['contrast_after']:.1f}:1"
        )
    return notes
