"""The `fit` op."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pipeline.ops.base import OpContext, OpInputs, OpParams, OpResult
from pipeline.ops.fields import SpecName
from pipeline.ops.registry import op


class FitParams(OpParams):
    """Make a spec from the master: crop when the subject fits with margin, otherwise expand just enough, then crop.

    Rule: take the largest crop of the target aspect that contains the subject plus `margin`. If none
    exists inside the frame, pad the canvas by the least amount that makes one (never more than
    `max_expand` of the output), then crop. The chosen rule is recorded per variant.
    """

    spec: SpecName = Field(description="Target channel spec name.")
    margin: float = Field(0.08, ge=0, le=0.5, description="Space kept around the subject, as a fraction of the crop.")
    max_expand: float = Field(0.6, ge=0, le=0.9, description="Largest share of the output that may be generated.")
    prefer: Literal["auto", "crop", "expand"] = Field("auto", description="Force crop-only or expand-first, or decide.")
    prompt: str = Field("", max_length=2000, description="What generated areas show (diffusion engine).")


@op("fit", version="1.0.0")
def fit(inputs: OpInputs, params: FitParams, ctx: OpContext) -> OpResult:
    raise NotImplementedError("to be written")
