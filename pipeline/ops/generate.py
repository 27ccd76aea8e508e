"""The `generate` op."""

from __future__ import annotations

from pydantic import Field

from pipeline.ops.base import OpContext, OpInputs, OpParams, OpResult
from pipeline.ops.registry import op


class GenerateParams(OpParams):
    """Generate master candidates from a text brief (diffusion engine only).

    Makes `count` images with consecutive seeds; each is posted for approval as a candidate.
    """

    prompt: str = Field(min_length=1, max_length=2000, description="What the key art shows.")
    count: int = Field(4, ge=1, le=8, description="How many candidates to generate.")
    width: int = Field(1024, ge=256, le=2048, description="Candidate width in pixels.")
    height: int = Field(1024, ge=256, le=2048, description="Candidate height in pixels.")
    negative_prompt: str = Field("", max_length=1000, description="What to avoid.")


@op("generate", version="1.0.0",
    unavailable={"classical": "`generate` needs the diffusion engine; upload a master instead."})
def generate(inputs: OpInputs, params: GenerateParams, ctx: OpContext) -> OpResult:
    # Diffusion only (the registry refuses the classical engine with the message above).
    from pipeline.engines.diffusion.ops import generate_op

    return generate_op(inputs, params, ctx)
