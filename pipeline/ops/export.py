"""The `export` op."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pipeline.ops.base import OpContext, OpInputs, OpParams, OpResult
from pipeline.ops.fields import SpecName
from pipeline.ops.registry import op


class ExportParams(OpParams):
    """Encode to the spec: exact pixels, format, byte cap (quality search), sRGB ICC, DPI, provenance XMP."""

    spec: SpecName = Field(description="Channel spec to deliver.")
    format: Literal["auto", "jpeg", "png", "webp"] = Field("auto", description="File format (auto = the spec's).")
    quality: int = Field(90, ge=30, le=100, description="Starting quality; lowered only to meet the byte cap.")
    max_bytes: int | None = Field(None, ge=1000, description="Byte cap overriding the spec's.")


@op("export", version="1.0.0")
def export(inputs: OpInputs, params: ExportParams, ctx: OpContext) -> OpResult:
    raise NotImplementedError("to be written")
