"""The `reframe` op."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pipeline.ops.base import OpContext, OpInputs, OpParams, OpResult
from pipeline.ops.fields import SpecName
from pipeline.ops.registry import op


class ReframeParams(OpParams):
    """Crop to a spec's aspect ratio around the subject (faces, then saliency), then resize to the spec.

    Never cuts a detected face; keeps the subject out of the spec's safe-zone insets when it can.
    """

    spec: SpecName = Field(description="Target channel spec name.")
    anchor: Literal["subject", "center"] = Field("subject", description="Centre the crop on the subject or the frame centre.")
    margin: float = Field(0.08, ge=0, le=0.5, description="Space kept around the subject, as a fraction of the crop.")


@op("reframe", version="1.0.0")
def reframe(inputs: OpInputs, params: ReframeParams, ctx: OpContext) -> OpResult:
    raise NotImplementedError("to be written")
