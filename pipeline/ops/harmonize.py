"""The `harmonize` op."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pipeline.ops.base import OpContext, OpInputs, OpParams, OpResult
from pipeline.ops.registry import op


class HarmonizeParams(OpParams):
    """Match a variant's black and white points and white balance to the (aligned) master."""

    strength: float = Field(1.0, ge=0, le=1, description="0 = unchanged, 1 = full match.")
    match: Literal["levels", "white_balance", "both"] = Field("both", description="What to match.")


@op("harmonize", version="1.0.0")
def harmonize(inputs: OpInputs, params: HarmonizeParams, ctx: OpContext) -> OpResult:
    raise NotImplementedError("to be written")
