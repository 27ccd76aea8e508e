"""The `clean` op."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pipeline.ops.base import OpContext, OpInputs, OpParams, OpResult
from pipeline.ops.fields import Box, Region
from pipeline.ops.registry import op


class CleanParams(OpParams):
    """Remove specks, dust and floating pixels automatically, or remove what a box or mask covers."""

    mode: Literal["auto", "box", "mask"] = Field("auto", description="auto: detect specks; box/mask: remove that region.")
    box: Box | None = Field(None, description="Region to remove (mode=box).")
    max_speck_px: int = Field(40, ge=1, le=2000, description="Largest blob area (pixels) treated as a speck.")
    min_contrast: float = Field(0.12, ge=0.02, le=1.0, description="Least contrast (0–1) for a blob to count as a speck.")


@op("clean", version="1.0.0")
def clean(inputs: OpInputs, params: CleanParams, ctx: OpContext) -> OpResult:
    raise NotImplementedError("to be written")
