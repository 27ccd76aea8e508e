"""The `variant` op."""

from __future__ import annotations

from pydantic import Field

from pipeline.ops.base import OpContext, OpInputs, OpParams, OpResult
from pipeline.ops.fields import SpecName
from pipeline.ops.registry import op


class VariantParams(OpParams):
    """Re-render the master at a spec's size with the same look (img2img at low strength; diffusion only)."""

    spec: SpecName = Field(description="Target channel spec name.")
    strength: float = Field(
        0.3, ge=0.05, le=0.8, description="How far from the master to move (0.2–0.45 keeps its DNA).")
    prompt: str = Field("", max_length=2000, description="Optional guidance text.")


@op("variant", version="1.0.0",
    unavailable={"classical": "`variant` needs the diffusion engine; upload a master instead."})
def variant(inputs: OpInputs, params: VariantParams, ctx: OpContext) -> OpResult:
    # Diffusion only (the registry refuses the classical engine with the message above).
    from pipeline.engines.diffusion.ops import variant_op

    return variant_op(inputs, params, ctx)
