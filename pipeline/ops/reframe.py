"""The `reframe` op."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pipeline.engines.classical.crop import crop_window, safe_zone_notes
from pipeline.engines.classical.pyramid import pyramid_for
from pipeline.engines.classical.subject import detect_subject_cached
from pipeline.errors import BadRequest
from pipeline.ops.base import OpContext, OpInputs, OpParams, OpResult
from pipeline.ops.fields import SpecName
from pipeline.ops.registry import op
from pipeline.specs import get_spec


class ReframeParams(OpParams):
    """Crop to a spec's aspect ratio around the subject (faces, then saliency), then resize to the spec.

    Never cuts a detected face; keeps the subject out of the spec's safe-zone insets when it can.
    """

    spec: SpecName = Field(description="Target channel spec name.")
    anchor: Literal["subject", "center"] = Field(
        "subject", description="Centre the crop on the subject or the frame centre.")
    margin: float = Field(
        0.08, ge=0, le=0.5, description="Space kept around the subject, as a fraction of the crop.")


@op("reframe", version="1.0.0")
def reframe(inputs: OpInputs, params: ReframeParams, ctx: OpContext) -> OpResult:
    if ctx.engine == "diffusion":
        from pipeline.engines.diffusion.ops import reframe_op

        return reframe_op(inputs, params, ctx)
    spec = get_spec(params.spec)
    image = inputs.image
    subject = detect_subject_cached(image, ctx.cache)
    box, placement = crop_window(subject, spec.aspect_ratio, params.margin, params.anchor, spec.safe_zone)
    if subject.faces and not placement.kept:
        face = subject.primary_face()
        assert face is not None
        raise BadRequest(
            f"a {spec.aspect} crop of this {image.width}×{image.height} image is {box[2] - box[0]:.0f}×"
            f"{box[3] - box[1]:.0f} px, too small for the main face ({face[2] - face[0]}×{face[3] - face[1]} "
            f"px), so `reframe` would cut it for `{spec.name}`; use `fit`, which widens the canvas instead")
    out = pyramid_for(image, ctx.cache).resample(box, spec.size)
    notes = [*placement.notes, *safe_zone_notes(box, placement.kept, spec.safe_zone, spec.name)]
    scale = spec.width / (box[2] - box[0])
    if scale > 1.01:
        notes.append(f"the crop is {scale:.2f}× smaller than {spec.name} ({spec.width}×{spec.height}); "
                     "resized up with Lanczos")
    record = {
        "crop_box": [round(v, 3) for v in box],
        "anchor": params.anchor,
        "subject": subject.to_record(),
        "kept_faces": [list(f) for f in placement.kept],
        "cut_faces": [list(f) for f in placement.cut],
    }
    return OpResult(out, inputs.geometry.then_crop(box, spec.size), notes, seed=ctx.seed, engine="classical",
                    record=record)
