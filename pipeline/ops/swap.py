"""The `swap` op."""

from __future__ import annotations

from pydantic import Field

from pipeline.ops.base import OpContext, OpInputs, OpParams, OpResult
from pipeline.ops.fields import Box, HexColour, Region
from pipeline.ops.registry import op


class SwapParams(OpParams):
    """Replace a region (the background, the subject, a box or a mask) with a colour or an image.

    Edges are feathered and the new content is harmonised to the subject's light.
    """

    region: Region = Field("background", description="What to replace.")
    box: Box | None = Field(None, description="The region when region=box.")
    color: HexColour | None = Field(None, description="Replacement colour #RRGGBB.")
    use_image: bool = Field(False, description="Use the uploaded replacement image (the `replacement` input).")
    prompt: str = Field("", max_length=2000, description="What to put there (diffusion engine; e.g. 'Tokyo skyline at dusk').")
    feather: int = Field(8, ge=0, le=200, description="Edge feather radius in pixels.")
    harmonize: bool = Field(True, description="Match the new content's light and colour to the subject.")


@op("swap", version="1.0.0")
def swap(inputs: OpInputs, params: SwapParams, ctx: OpContext) -> OpResult:
    raise NotImplementedError("to be written")
