"""The `upscale` op."""

from __future__ import annotations

from pydantic import Field

from pipeline.ops.base import OpContext, OpInputs, OpParams, OpResult
from pipeline.ops.fields import SpecName
from pipeline.ops.registry import op


class UpscaleParams(OpParams):
    """Enlarge to a delivery resolution in tiles (bounded memory), with detail-preserving sharpening."""

    spec: SpecName | None = Field(None, description="Reach this spec's pixel size (cover, then centre crop).")
    scale: float | None = Field(None, ge=1, le=8, description="Or enlarge by this factor.")
    tile: int = Field(1024, ge=256, le=4096, description="Tile size in output pixels.")
    sharpen: float = Field(0.5, ge=0, le=2, description="Unsharp-mask amount after resampling.")
    dpi: int | None = Field(None, ge=10, le=1200, description="DPI to record (default: the spec's).")


@op("upscale", version="1.0.0")
def upscale(inputs: OpInputs, params: UpscaleParams, ctx: OpContext) -> OpResult:
    raise NotImplementedError("to be written")
