"""The `brand` op."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pipeline.ops.base import OpContext, OpInputs, OpParams, OpResult
from pipeline.ops.fields import HexColour, SpecName
from pipeline.ops.registry import op


class BrandParams(OpParams):
    """Place the logo and copy inside the spec's safe zone (deterministic compositing, never AI)."""

    spec: SpecName = Field(description="Channel spec whose safe zone applies.")
    text: str = Field("", max_length=120, description="Copy line, e.g. a call to action.")
    position: Literal["bottom-left", "bottom-right", "bottom-center", "top-left", "top-right", "top-center"] = Field(
        "bottom-right", description="Corner of the safe zone to anchor logo and copy.")
    logo_scale: float = Field(0.15, ge=0.03, le=0.5, description="Logo width as a fraction of the safe zone's width.")
    text_color: HexColour = Field("#FFFFFF", description="Copy colour #RRGGBB.")
    use_logo: bool = Field(True, description="Place the brand kit's logo (the `logo` input) when there is one.")


@op("brand", version="1.0.0")
def brand(inputs: OpInputs, params: BrandParams, ctx: OpContext) -> OpResult:
    raise NotImplementedError("to be written")
