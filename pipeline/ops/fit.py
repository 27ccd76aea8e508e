"""The `fit` op."""

from __future__ import annotations

import io
from dataclasses import replace
from typing import Literal

import numpy as np
from PIL import Image
from pydantic import Field

from pipeline.audit.fills import FillTolerances, judge_fill
from pipeline.engines.classical.crop import FloatBox, crop_window, safe_zone_notes
from pipeline.engines.classical.edges import edge_structure_cached
from pipeline.engines.classical.fitrule import FitDecision, decide
from pipeline.engines.classical.framing import at_source_scale
from pipeline.engines.classical.layout import plan_layout
from pipeline.engines.classical.pyramid import pyramid_for
from pipeline.engines.classical.render import render_window
from pipeline.engines.classical.subject import FaceBox, Subject, detect_subject_cached
from pipeline.errors import BadRequest
from pipeline.ops.base import OpContext, OpInputs, OpParams, OpResult
from pipeline.ops.fields import SpecName
from pipeline.ops.framed import enlargement_notes, is_cutout, layout_result, packshot_result
from pipeline.ops.registry import op
from pipeline.specs import ChannelSpec, get_spec


class FitParams(OpParams):
    """Make a spec from the master the way a designer would: crop, expand a little, or lay it out with a panel.

    Rule (recorded per variant with its reason): crop whenever a crop of the target aspect keeps the key
    region (the people's heads; the product; the main mass) with `margin`; else expand by the least amount,
    on calm edges only and only as far as the engine honestly continues a photo (classical ≈ 20 %, a fill
    model up to `max_expand`); else — and always for banner-shaped extremes — a layout: the key region on
    one part of the frame and a designed panel (brand colour, border gradient or blurred ambient) for the
    rest, which carries the copy. A cut-out packshot (transparent background) is framed on a designed
    backdrop. With `output="source"` a crop or expansion is drawn at the source image's own scale so that a
    following `upscale` step does the enlarging, with a model on the diffusion engine.
    """  # noqa: E501  (the first line is the tool summary; kept whole)

    spec: SpecName = Field(description="Target channel spec name.")
    margin: float = Field(
        0.08, ge=0, le=0.5, description="Space kept around the key region, as a fraction of the crop.")
    max_expand: float = Field(
        0.6, ge=0, le=0.9, description="Largest share of the output that may be generated (a fill model; "
        "the classical engine stops at about 20 %).")
    prefer: Literal["auto", "crop", "expand"] = Field(
        "auto", description="Force crop-only or expand-first, or decide.")
    panel: Literal["auto", "brand", "border_gradient", "ambient", "white", "transparent"] = Field(
        "auto", description="Fill of a layout's panel (brand colour, border gradient, blurred ambient) or of "
        "a cut-out packshot's backdrop (white, brand, transparent where the format allows); auto = the brand "
        "kit's choice, else brand colour on display banners and a border gradient elsewhere.")
    room: float = Field(
        0.0, ge=0, le=0.5, description="Share of the frame kept clear of the key region (a strip along one "
        "side) for copy and logo; keyart sets it when a `brand` step follows. Without that room: a layout.")
    prompt: str = Field("", max_length=2000, description="What generated areas show (diffusion engine).")
    output: Literal["spec", "source"] = Field(
        "spec",
        description="Pixel size of the result: `spec` = the spec's size; `source` = the window at the source "
        "image's own scale (capped at the spec's size), for a chain where `upscale` to the same spec follows "
        "and does the enlarging. keyart sets `source` itself when an `upscale` step follows.")


# What fit asks of its own continuation before keeping it, judged on the frame as the spec's format
# delivers it: the audit's fill tolerances with a margin on grain and detail, because a byte cap can
# lower the quality further (like brand aiming for 5:1 where WCAG asks 4.5:1).
FIT_FILL = replace(FillTolerances(), grain=(0.6, 1.8), detail=0.5)
EXPORT_QUALITY = 90  # export's starting quality (ExportParams.quality); lowered only to meet a byte cap


@op("fit", version="2.0.0")
def fit(inputs: OpInputs, params: FitParams, ctx: OpContext) -> OpResult:
    if ctx.engine == "diffusion":
        from pipeline.engines.diffusion.ops import fit_op

        return fit_op(inputs, params, ctx)
    spec = get_spec(params.spec)
    image = inputs.image
    subject = detect_subject_cached(image, ctx.cache)
    if is_cutout(inputs):
        return packshot_result(inputs, params, spec, ctx, subject, "classical")
    if params.prefer == "crop":
        return _forced_crop(inputs, params, spec, ctx, subject)
    decision = decide(subject, spec, engine="classical", margin=params.margin, max_expand=params.max_expand,
                      edges=edge_structure_cached(image, ctx.cache), prefer=params.prefer, room=params.room)
    if decision.rule == "layout":
        return layout_result(inputs, decision, params, spec, ctx, subject, "classical")
    result = _window_result(inputs, params, spec, ctx, subject, decision.box, decision.rule, decision.reason)
    if result.generated_mask is None or params.prefer == "expand":
        return result
    # The continuation is drawn: keep it only if it holds up beside the photo it continues (the audit's
    # own seam / smear / repetition measures); otherwise the variant is laid out instead.
    verdict = judge_fill(_as_delivered(result.image, spec), result.generated_mask, tol=FIT_FILL)
    if verdict.passed is not False:
        result.record["fill_check"] = {"passed": verdict.passed, "reason": verdict.reason}
        return result
    plan = plan_layout(subject, spec, params.margin)
    fallback = FitDecision("layout", plan.frame_box(), f"the classical continuation did not hold up "
                           f"({verdict.reason}): a layout — a designed panel instead", layout=plan)
    laid_out = layout_result(inputs, fallback, params, spec, ctx, subject, "classical")
    laid_out.record["fill_check"] = {"passed": False, "reason": verdict.reason}
    return laid_out


def _as_delivered(image: Image.Image, spec: ChannelSpec) -> np.ndarray:
    """The frame after a round trip through the spec's format at export's starting quality: the grain a
    JPEG or WebP keeps is what the audit will see, so that is what the continuation is judged on."""
    rgb = image.convert("RGB")
    if spec.format == "png":
        return np.asarray(rgb)
    buffer = io.BytesIO()
    rgb.save(buffer, format=spec.format.upper(), quality=EXPORT_QUALITY)
    with Image.open(buffer) as decoded:
        return np.asarray(decoded.convert("RGB"))


def _forced_crop(inputs: OpInputs, params: FitParams, spec: ChannelSpec, ctx: OpContext,
                 subject: Subject) -> OpResult:
    """prefer=crop: the largest crop around the subject, even if context (never the main face) is lost."""
    box, placement = crop_window(subject, spec.aspect_ratio, params.margin, "subject", spec.safe_zone)
    main = subject.primary_face()
    if main is not None and main in placement.cut:
        raise BadRequest(f"a crop to `{spec.name}` ({spec.aspect}) would cut the main face of this "
                         f"{inputs.image.width}×{inputs.image.height} image; use prefer=auto so `fit` can "
                         "lay it out")
    return _window_result(inputs, params, spec, ctx, subject, box, "crop",
                          "cropped to the target aspect: forced by prefer=crop", cut=placement.cut)


def _window_result(inputs: OpInputs, params: FitParams, spec: ChannelSpec, ctx: OpContext, subject: Subject,
                   window: FloatBox, rule: str, reason: str, cut: list[FaceBox] | None = None) -> OpResult:
    """A crop or an expansion: the window drawn (and continued where it leaves the image) at its size."""
    image = inputs.image
    box, size, sized = output_window(window, image.size, params, spec)
    rendered = render_window(pyramid_for(image, ctx.cache), box, size, rng=ctx.rng())
    cut = cut or []
    kept = [f for f in subject.faces if f not in cut]
    scale = size[0] / (rendered.box[2] - rendered.box[0]) * (spec.width / size[0])
    notes = [reason, *safe_zone_notes(rendered.box, kept, spec.safe_zone, spec.name), *sized,
             *enlargement_notes(scale, spec, "classical", inputs)]
    if params.prompt and rule != "crop":
        notes.append("the classical engine ignores `prompt`: it continues the edges instead")
    record = {
        "rule": rule,
        "reason": reason,
        "box": [round(v, 3) for v in rendered.box],
        "generated_share": round(float(rendered.generated.mean()), 4),
        "grain_sigma": None if rendered.grain_sigma is None else [round(v, 3) for v in rendered.grain_sigma],
        "subject": subject.to_record(),
        "cut_faces": [list(f) for f in cut],
        "prefer": params.prefer,
        "output": params.output,
        "size": list(size),
        "enlargement": round(scale, 3),
    }
    return OpResult(rendered.image, inputs.geometry.then_crop(rendered.box, size), notes, seed=ctx.seed,
                    engine="classical", record=record,
                    generated_mask=rendered.generated if rendered.generated.any() else None)


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
