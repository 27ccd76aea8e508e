"""The `brand` op: place the logo and copy where they never cover the subject. Never AI.

Logo and copy go on the layout's panel when `fit` composed one, else inside the spec's safe
zone, at the calmest spot a small search finds that keeps clear of every face and product
(key regions). Copy is checked against the kit's fonts before anything is drawn, wrapped over
balanced lines, and kept at WCAG contrast ≥ 4.5:1 against the pixels under it (a scrim when the
background is busy). When nothing fits, the logo shrinks, moves or is dropped (then the copy),
and the notes say so. The image must already be at the spec's size (brand runs after fit/upscale).
"""

from __future__ import annotations

import unicodedata
from typing import Any, Literal

from pydantic import Field

from pipeline.engines.classical import keyregions
from pipeline.engines.classical.branding import arrange, brief, fonts, notes
from pipeline.engines.classical.branding import legibility as leg
from pipeline.engines.classical.branding.compose import compose
from pipeline.engines.classical.branding.placement import Spot
from pipeline.errors import BadRequest
from pipeline.ops.base import OpContext, OpInputs, OpParams, OpResult
from pipeline.ops.fields import HexColour, SpecName
from pipeline.ops.registry import op
from pipeline.specs import get_spec

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
        "preferred corner/edge of the safe zone (of the panel, on a layout), honoured when it keeps the "
        "subject clear.",
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
    if image.size != spec.size:
        raise BadRequest(
            f"`brand` needs the image at `{spec.name}` size {spec.width}×{spec.height} "
            f"(it is {image.width}×{image.height}): fit or upscale it first"
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
        done = ["nothing to place: no logo and no copy"]
        return OpResult(image.copy(), inputs.geometry, done, seed=ctx.seed, record={**record, "placed": []})
    copy = None
    if text:  # refuse before anything is drawn: copy the kit's fonts can't set would be tofu
        font = fonts.choose_font(fonts.kit_fonts(inputs.texts, inputs.style), text, "the copy")
        shaped = fonts.needs_shaping(text)
        if shaped:
            fonts.check_shaping_available(text)
        copy = (text, font, shaped)
    regions = keyregions.regions_in_frame(keyregions.key_regions(inputs.master, ctx.cache), inputs.geometry)
    avoided = [r for r in regions if r.kind in keyregions.NO_COVER]
    others = [r for r in regions if r.kind not in keyregions.NO_COVER]
    plan = brief.prepare(
        image,
        spec,
        avoided,
        others,
        inputs.layout,
        logo=logo,
        logo_scale=params.logo_scale,
        copy=copy,
        position=params.position,
    )
    spot = arrange.search(plan.options, plan.areas, plan.scene) if plan.options else None
    placement: dict[str, Any] = {
        "anchor": None,
        "on_panel": False,
        "avoided": [r.to_record() for r in avoided],
        "dropped": [],
    }
    record.update(placement=placement, safe_zone=list(spec.safe_zone.box(*image.size)))
    if spot is None:
        placement["dropped"] = notes.dropped(
            logo is not None, bool(text), False, spec.name, avoided, bool(plan.blocks)
        )
        record.update(arrangement=None, placed=[])
        said = plan.notes + placement["dropped"]
        return OpResult(image.copy(), inputs.geometry, said, seed=ctx.seed, engine="classical", record=record)
    colours = _colours(params, inputs, spot)
    composed = compose(image, spot, logo, copy[1] if copy else None, colours)
    record.update(composed.record, arrangement=spot.option.arrangement, placed=sorted(spot.boxes))
    if record["copy"] is not None:
        record["copy"] = {"text": text, **record["copy"]}
    option = spot.option
    placement.update(
        anchor=spot.anchor,
        on_panel=spot.area.on_panel,
        dropped=notes.dropped(
            logo is not None and option.logo_size is None,
            bool(text) and option.copy is None,
            option.copy is not None,
            spec.name,
            avoided,
            bool(plan.blocks),
        ),
    )
    said = (
        plan.notes
        + placement["dropped"]
        + notes.adjustments(spot, plan.logo, plan.start_px, record, colours[0])
    )
    return OpResult(
        composed.image,
        inputs.geometry,
        said,
        seed=ctx.seed,
        engine="classical",
        designed_mask=composed.designed,
        record=record,
    )


def _colours(params: BrandParams, inputs: OpInputs, spot: Spot) -> list[str]:
    """Copy colours in order of preference: as asked, else the kit's; on a panel, also white or ink."""
    if params.text_color:
        return [params.text_color]
    colours = inputs.style.get("colors") if isinstance(inputs.style.get("colors"), dict) else {}
    kit = str(colours.get("text")) if colours and colours.get("text") else None
    if kit and not spot.area.on_panel:
        return [kit]  # on a photo the brand's colour stays, behind a scrim if it must
    return [kit, leg.WHITE, leg.INK] if kit else [leg.WHITE, leg.INK]
