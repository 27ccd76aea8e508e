"""The `expand` op."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pipeline.engines.classical.framing import expand_window
from pipeline.engines.classical.pyramid import pyramid_for
from pipeline.engines.classical.render import render_window
from pipeline.engines.classical.subject import detect_subject_cached
from pipeline.ops.base import OpContext, OpInputs, OpParams, OpResult
from pipeline.ops.fields import SpecName
from pipeline.ops.registry import op
from pipeline.specs import get_spec


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
    if ctx.engine == "diffusion":
        from pipeline.engines.diffusion.ops import expand_op

        return expand_op(inputs, params, ctx)
    spec = get_spec(params.spec)
    image = inputs.image
    subject = detect_subject_cached(image, ctx.cache) if params.align == "subject" else None
    framing = expand_window(image.size, spec.aspect_ratio, params.align, subject)
    rendered = render_window(pyramid_for(image, ctx.cache), framing.box, spec.size, rng=ctx.rng(),
                             grain=params.grain_match)
    share = float(rendered.generated.mean())
    notes = list(framing.notes)
    if share == 0:
        notes.append(f"the image already has the {spec.aspect} aspect: nothing generated, resized only")
    else:
        notes.append(f"canvas extended to {spec.aspect} ({share:.0%} of {spec.name} generated), "
                     f"original placed {params.align}")
    if params.prompt:
        notes.append("the classical engine ignores `prompt`: it continues the edges instead")
    record: dict[str, object] = {
        "canvas_box": [round(v, 3) for v in rendered.box],
        "align": params.align,
        "generated_share": round(share, 4),
        "grain_sigma": None if rendered.grain_sigma is None else [round(v, 3) for v in rendered.grain_sigma],
        "canvas_size": list(rendered.canvas_size),
    }
    if subject is not None:
        record["subject"] = subject.to_record()
    return OpResult(rendered.image, inputs.geometry.then_crop(rendered.box, spec.size), notes, seed=ctx.seed,
                    engine="classical", generated_mask=rendered.generated, record=record)
