"""The `fit` op."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pipeline.engines.classical.crop import FloatBox, safe_zone_notes
from pipeline.engines.classical.framing import at_source_scale, fit_window
from pipeline.engines.classical.pyramid import pyramid_for
from pipeline.engines.classical.render import render_window
from pipeline.engines.classical.subject import detect_subject_cached
from pipeline.errors import BadRequest
from pipeline.ops.base import OpContext, OpInputs, OpParams, OpResult
from pipeline.ops.fields import SpecName
from pipeline.ops.registry import op
from pipeline.specs import ChannelSpec, get_spec


class FitParams(OpParams):
    """Make a spec from the master: crop when the subject fits with margin, otherwise expand just enough, then crop.

    Rule: take the largest crop of the target aspect that contains the subject plus `margin`. If none
    exists inside the frame, pad the canvas by the least amount that makes one (never more than
    `max_expand` of the output), then crop. The chosen rule is recorded per variant.
    With `output="source"` the window is drawn at the source image's own scale (smaller than the
    spec) so that a following `upscale` step does the enlarging, with a model on the diffusion engine.
    """  # noqa: E501  (the first line is the tool summary; kept whole)

    spec: SpecName = Field(description="Target channel spec name.")
    margin: float = Field(
        0.08, ge=0, le=0.5, description="Space kept around the subject, as a fraction of the crop.")
    max_expand: float = Field(
        0.6, ge=0, le=0.9, description="Largest share of the output that may be generated.")
    prefer: Literal["auto", "crop", "expand"] = Field(
        "auto", description="Force crop-only or expand-first, or decide.")
    prompt: str = Field("", max_length=2000, description="What generated areas show (diffusion engine).")
    output: Literal["spec", "source"] = Field(
        "spec",
        description="Pixel size of the result: `spec` = the spec's size; `source` = the window at the source "
        "image's own scale (capped at the spec's size), for a chain where `upscale` to the same spec follows "
        "and does the enlarging. keyart sets `source` itself when an `upscale` step follows.")


@op("fit", version="1.0.0")
def fit(inputs: OpInputs, params: FitParams, ctx: OpContext) -> OpResult:
    if ctx.engine == "diffusion":
        from pipeline.engines.diffusion.ops import fit_op

        return fit_op(inputs, params, ctx)
    spec = get_spec(params.spec)
    image = inputs.image
    subject = detect_subject_cached(image, ctx.cache)
    framing = fit_window(subject, spec.aspect_ratio, params.margin, params.max_expand, params.prefer,
                         spec.safe_zone)
    main = subject.primary_face()
    if params.prefer == "crop" and main is not None and main in framing.cut:
        raise BadRequest(f"a crop to `{spec.name}` ({spec.aspect}) would cut the main face of this "
                         f"{image.width}×{image.height} image; use prefer=auto so `fit` can widen the canvas")
    box, size, sized = output_window(framing.box, image.size, params, spec)
    rendered = render_window(pyramid_for(image, ctx.cache), box, size, rng=ctx.rng())
    kept = [f for f in subject.faces if f not in framing.cut]
    notes = [*framing.notes, *safe_zone_notes(rendered.box, kept, spec.safe_zone, spec.name), *sized]
    if params.prompt and framing.rule != "crop":
        notes.append("the classical engine ignores `prompt`: it continues the edges instead")
    record = {
        "rule": framing.rule,
        "box": [round(v, 3) for v in rendered.box],
        "generated_share": round(float(rendered.generated.mean()), 4),
        "grain_sigma": None if rendered.grain_sigma is None else [round(v, 3) for v in rendered.grain_sigma],
        "subject": subject.to_record(),
        "cut_faces": [list(f) for f in framing.cut],
        "prefer": params.prefer,
        "output": params.output,
        "size": list(size),
    }
    return OpResult(rendered.image, inputs.geometry.then_crop(rendered.box, size), notes, seed=ctx.seed,
                    engine="classical", generated_mask=rendered.generated, record=record)


def output_window(box: FloatBox, image_size: tuple[int, int], params: FitParams,
                  spec: ChannelSpec) -> tuple[FloatBox, tuple[int, int], list[str]]:
    """The window to draw and its pixel size (``params.output``), with a note on the choice.

    At the source's scale the window is snapped to whole pixels and drawn 1:1, so the visible part
    is the source's own pixels and the model (or Lanczos) in `upscale` does all of the enlarging.
    """
    if params.output == "spec":
        return box, spec.size, []
    snapped = at_source_scale(box, image_size, spec.size)
    if snapped is None:
        return box, spec.size, [
            f"output=source: the window is at least `{spec.name}`'s {spec.width}×{spec.height} at the "
            "source's scale, so it was drawn at the spec's size (nothing is left to upscale)"
        ]
    window, size = snapped
    return window, size, [
        f"drawn at the source's own scale ({size[0]}×{size[1]}): `upscale` enlarges it "
        f"×{spec.width / size[0]:.2f} to `{spec.name}`'s {spec.width}×{spec.height}"
    ]
