"""The `expand` op."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pipeline.ops.base import OpContext, OpInputs, OpParams, OpResult
from pipeline.ops.fields import SpecName
from pipeline.ops.registry import op


class ExpandParams(OpParams):
    """Outpaint: extend the canvas to a spec's aspect ratio, keeping every master pixel, then resize.

    New areas continue the edges with no seam and carry grain matched to the master.
    """

    spec: SpecName = Field(description="Target channel spec name.")
    align: Literal["center", "subject", "top", "bottom", "left", "right"] = Field(
        "center", description="Where the original sits inside the wider/taller canvas.")
    prompt: str = Field("", max_length=2000, description="What the new area shows (diffusion engine).")
    grain_match: bool = Field(True, description="Add grain to generated areas to match the master.")


@op("expand", version="1.0.0")
def expand(inputs: OpInputs, params: ExpandParams, ctx: OpContext) -> OpResult:
    raise NotImplementedError("to be written")
