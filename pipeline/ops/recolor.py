"""The `recolor` op."""

from __future__ import annotations

from pydantic import Field

from pipeline.ops.base import OpContext, OpInputs, OpParams, OpResult
from pipeline.ops.fields import Box, HexColour, Region
from pipeline.ops.registry import op


class RecolorParams(OpParams):
    """Change a region's hue and chroma in LCh, keeping its lightness (texture and shading survive)."""

    region: Region = Field("subject", description="Where to recolour.")
    box: Box | None = Field(None, description="The region when region=box.")
    hue_shift: float = Field(0.0, ge=-180, le=180, description="Hue rotation in degrees.")
    chroma_scale: float = Field(1.0, ge=0, le=3, description="Chroma multiplier (0 = grey).")
    target_color: HexColour | None = Field(None, description="Rotate hue/chroma towards this colour instead.")


@op("recolor", version="1.0.0")
def recolor(inputs: OpInputs, params: RecolorParams, ctx: OpContext) -> OpResult:
    raise NotImplementedError("to be written")
