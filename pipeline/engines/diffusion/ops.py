"""The diffusion engine's op bodies: ``<name>_op(inputs, params, ctx) -> OpResult``.

``pipeline/ops/<name>.py`` dispatches here when ``ctx.engine == "diffusion"``. The warm model set
comes from ``ctx.diffusion`` or, when that is None, the process's set for ``ctx.settings``.
Framing decisions (crop windows, expand canvases, masks) are the classical engine's, so both
engines frame a variant identically; diffusion only paints what has to be invented.

``generate`` returns N candidates: ``result.image`` is the first; ``record["seeds"]`` lists every
seed and ``record["candidates"]`` holds ``{"seed": int, "image": PIL.Image}`` for all N (the
executor stores each image as its own asset and must replace the images by references before it
serialises the record).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PIL import Image

from pipeline.engines.classical.crop import crop_window
from pipeline.engines.classical.pyramid import pyramid_for
from pipeline.engines.classical.rgba import join_alpha, split_alpha
from pipeline.engines.classical.subject import detect_subject_cached
from pipeline.engines.diffusion.ops_edit import clean_op, expand_op, fit_op, run_classical, swap_op
from pipeline.engines.diffusion.runner import call, generators, size_multiple, steps_for_strength
from pipeline.engines.diffusion.sizes import from_work, plan_work, to_work
from pipeline.engines.diffusion.upscaling import model_upscale
from pipeline.engines.diffusion.warm import from_context
from pipeline.errors import BadRequest
from pipeline.ops.base import Geometry, OpContext, OpInputs, OpResult
from pipeline.specs import get_spec

if TYPE_CHECKING:
    from pipeline.ops.generate import GenerateParams
    from pipeline.ops.reframe import ReframeParams
    from pipeline.ops.upscale import UpscaleParams
    from pipeline.ops.variant import VariantParams

__all__ = [
    "clean_op",
    "expand_op",
    "fit_op",
    "generate_op",
    "reframe_op",
    "swap_op",
    "upscale_op",
    "variant_op",
]

# Candidates are rendered one per call, each from its own seed: a batch's numerics differ from a
# single image's, and "re-roll candidate 3" must reproduce it exactly from its recorded seed
# (same seed, different batch size → different image: diffusers#2659, ComfyUI#2799).
GENERATE_BATCH = 1
ASPECT_TOLERANCE = 0.005


def generate_op(inputs: OpInputs, params: GenerateParams, ctx: OpContext) -> OpResult:
    """``count`` text-to-image candidates with seeds ``ctx.seed + i``."""
    warm = from_context(ctx)
    pipe = warm.text2img()
    size = (params.width, params.height)
    plan = plan_work(size, size_multiple(pipe), warm.config.max_pixels)
    steps = warm.config.default_steps(warm.config.generate)
    seeds = [ctx.seed + i for i in range(params.count)]
    candidates: list[dict[str, Any]] = []
    for start in range(0, len(seeds), GENERATE_BATCH):
        chunk = seeds[start : start + GENERATE_BATCH]
        images = call(
            pipe,
            ctx,
            f"candidates {start + 1}–{start + len(chunk)} of {len(seeds)}",
            steps=steps,
            prompt=params.prompt,
            negative_prompt=params.negative_prompt or None,
            height=plan.padded[1],
            width=plan.padded[0],
            num_images_per_prompt=len(chunk),
            generator=generators(chunk),
        )
        candidates += [
            {"seed": s, "image": Image.fromarray(from_work(im, plan))}
            for s, im in zip(chunk, images, strict=True)
        ]
    notes = list(plan.notes)
    if params.negative_prompt and type(pipe).__name__.startswith("Flux"):
        notes.append("FLUX takes no negative prompt without true CFG; `negative_prompt` was not used")
    record = {
        "seeds": seeds,
        "candidates": candidates,
        "prompt": params.prompt,
        "negative_prompt": params.negative_prompt,
        "model": warm.config.generate,
        "pipeline": type(pipe).__name__,
        "steps": steps,
        "batch_size": GENERATE_BATCH,
        "work": plan.to_json(),
    }
    return OpResult(
        candidates[0]["image"],
        Geometry.identity(size),
        notes,
        seed=seeds[0],
        engine="diffusion",
        model=warm.config.generate,
        record=record,
    )


def variant_op(inputs: OpInputs, params: VariantParams, ctx: OpContext) -> OpResult:
    """Re-render the image at the spec's size: subject-aware crop to its aspect, then img2img."""
    spec = get_spec(params.spec)
    image = inputs.image
    box: tuple[float, float, float, float] = (0.0, 0.0, float(image.width), float(image.height))
    record: dict[str, Any] = {}
    if abs(image.width / image.height / spec.aspect_ratio - 1) > ASPECT_TOLERANCE:
        subject = detect_subject_cached(image, ctx.cache)
        box, _ = crop_window(subject, spec.aspect_ratio, anchor="subject", safe_zone=spec.safe_zone)
        record["subject"] = subject.to_record()
    init_rgb, alpha = split_alpha(pyramid_for(image, ctx.cache).resample(box, spec.size))
    warm = from_context(ctx)
    pipe = warm.img2img()
    plan = plan_work(spec.size, size_multiple(pipe), warm.config.max_pixels)
    steps, raised = steps_for_strength(warm.config.default_steps(warm.config.generate), params.strength)
    images = call(
        pipe,
        ctx,
        "variant",
        steps=steps,
        prompt=params.prompt,
        image=Image.fromarray(to_work(init_rgb, plan)),
        strength=params.strength,
        height=plan.padded[1],
        width=plan.padded[0],
        generator=generators([ctx.seed]),
        **(image_prompt := warm.ip_adapter_kwargs(pipe, inputs.master)),
    )
    out = join_alpha(
        from_work(images[0], plan), alpha, Image.new("RGBA" if alpha is not None else "RGB", spec.size)
    )
    notes = [*plan.notes, *([raised] if raised else [])]
    record.update(
        crop_box=[round(v, 3) for v in box],
        strength=params.strength,
        prompt=params.prompt,
        steps=steps,
        model=warm.config.generate,
        pipeline=type(pipe).__name__,
        work=plan.to_json(),
        ip_adapter=bool(image_prompt),
    )
    return OpResult(
        out,
        inputs.geometry.then_crop(box, spec.size),
        notes,
        seed=ctx.seed,
        engine="diffusion",
        model=warm.config.generate,
        record=record,
    )


def reframe_op(inputs: OpInputs, params: ReframeParams, ctx: OpContext) -> OpResult:
    """A crop invents no pixels: the classical subject-aware crop is the diffusion engine's too."""
    from pipeline.ops.reframe import reframe

    return run_classical(reframe, inputs, params, ctx, "reframe only crops")


def upscale_op(inputs: OpInputs, params: UpscaleParams, ctx: OpContext) -> OpResult:
    """Model upscale (tiled), then one Lanczos pass to the exact spec size or factor."""
    from pipeline.engines.classical.resample import resample_tiled
    from pipeline.ops.upscale import upscale

    image = inputs.image
    w, h = image.size
    spec = get_spec(params.spec) if params.spec else None
    if spec is not None and params.scale is not None:
        raise BadRequest(
            f"`upscale`: give either spec (`{params.spec}`) or scale ({params.scale:g}), not both"
        )
    spec = spec if spec is not None or params.scale is not None else ctx.spec
    if spec is not None:
        out_w, out_h = spec.size
        cover = max(out_w / w, out_h / h)
        bw, bh = out_w / cover, out_h / cover
        box = ((w - bw) / 2, (h - bh) / 2, (w + bw) / 2, (h + bh) / 2)
        geometry, factor = inputs.geometry.then_crop(box, (out_w, out_h)), cover
    elif params.scale is not None:
        out_w, out_h = max(1, round(w * params.scale)), max(1, round(h * params.scale))
        box, factor = (0.0, 0.0, float(w), float(h)), params.scale
        geometry = inputs.geometry.then_resize((out_w, out_h))
    else:
        raise BadRequest("`upscale` needs a `spec` to reach or a `scale` factor")
    if factor <= 1.0:
        return run_classical(upscale, inputs, params, ctx, f"×{factor:.2f} is no enlargement")
    rgb, alpha = split_alpha(image)
    warm = from_context(ctx)
    up, record, notes = model_upscale(rgb, factor, params.tile, ctx, warm)
    s = up.shape[1] / w
    big = join_alpha(
        up,
        None if alpha is None else _resize(alpha, up.shape[1::-1]),
        Image.new("RGBA" if alpha is not None else "RGB", up.shape[1::-1]),
    )
    # Sharpening is for Lanczos enlargement; a model's output only needs it when Lanczos still enlarges.
    sharpen = params.sharpen if up.shape[1] < out_w else 0.0
    big_box = (box[0] * s, box[1] * s, box[2] * s, box[3] * s)
    out = resample_tiled(
        big,
        big_box,
        (out_w, out_h),
        tile=params.tile,
        sharpen=sharpen,
        progress=lambda f, m: ctx.progress(0.9 + 0.1 * f, m),
    )
    record.update(
        source_box=[round(v, 3) for v in box],
        factor=round(factor, 4),
        size=[out_w, out_h],
        sharpen=sharpen,
        dpi=params.dpi or (spec.dpi if spec else None),
        spec=spec.name if spec else None,
    )
    return OpResult(
        out, geometry, notes, seed=ctx.seed, engine="diffusion", model=warm.config.upscaler, record=record
    )


def _resize(alpha: Any, size: tuple[int, int]) -> Any:
    import numpy as np

    return np.asarray(Image.fromarray(alpha).resize(size, Image.Resampling.LANCZOS))
