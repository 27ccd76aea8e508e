"""The `upscale` op: reach a delivery resolution without unbounded memory.

Classical engine: tiled Lanczos + thresholded unsharp mask (engines/classical/resample.py).
With a spec, the image is scaled to *cover* the spec and centre-cropped in one resampling pass
(the crop is done in source coordinates, so no oversized intermediate exists).
"""

from __future__ import annotations

from pydantic import Field

from pipeline.engines.classical.resample import resample_tiled
from pipeline.errors import BadRequest
from pipeline.ops.base import OpContext, OpInputs, OpParams, OpResult
from pipeline.ops.fields import SpecName
from pipeline.ops.registry import op
from pipeline.specs import get_spec


class UpscaleParams(OpParams):
    """Enlarge to a delivery resolution in tiles (bounded memory), with detail-preserving sharpening."""

    spec: SpecName | None = Field(None, description="Reach this spec's pixel size (cover, then centre crop).")
    scale: float | None = Field(None, ge=1, le=8, description="Or enlarge by this factor.")
    tile: int = Field(1024, ge=256, le=4096, description="Tile size in output pixels.")
    sharpen: float = Field(0.5, ge=0, le=2, description="Unsharp-mask amount after resampling.")
    dpi: int | None = Field(None, ge=10, le=1200, description="DPI to record (default: the spec's).")


SOFT_FACTOR = 4.0  # past this, classical enlargement looks soft whatever the sharpening


@op("upscale", version="1.0.0")
def upscale(inputs: OpInputs, params: UpscaleParams, ctx: OpContext) -> OpResult:
    if ctx.engine == "diffusion":
        from pipeline.engines.diffusion.ops import upscale_op

        return upscale_op(inputs, params, ctx)
    image = inputs.image
    w, h = image.size
    notes: list[str] = []
    spec = get_spec(params.spec) if params.spec else None
    if spec is not None and params.scale is not None:
        raise BadRequest(
            f"`upscale`: give either spec (`{params.spec}`) or scale ({params.scale:g}), not both"
        )
    if spec is None and params.scale is None:
        spec = ctx.spec
    if spec is not None:
        out_w, out_h = spec.size
        cover = max(out_w / w, out_h / h)
        bw, bh = out_w / cover, out_h / cover  # the spec's aspect, as large as fits in the image
        box = ((w - bw) / 2, (h - bh) / 2, (w + bw) / 2, (h + bh) / 2)
        geometry = inputs.geometry.then_crop(box, (out_w, out_h))
        factor = cover
        if bw < w - 0.5 or bh < h - 0.5:
            notes.append(f"centre-cropped to {spec.aspect} for `{spec.name}`")
    elif params.scale is not None:
        out_w, out_h = max(1, round(w * params.scale)), max(1, round(h * params.scale))
        box = (0.0, 0.0, float(w), float(h))
        geometry = inputs.geometry.then_resize((out_w, out_h))
        factor = params.scale
        if (out_w / w, out_h / h) != (params.scale, params.scale):
            notes.append(f"×{params.scale:g} rounded to {out_w}×{out_h} pixels")
    else:
        raise BadRequest("`upscale` needs a `spec` to reach or a `scale` factor")
    if factor > SOFT_FACTOR:
        notes.append(
            f"enlarged ×{factor:.1f} classically: expect softness (the diffusion engine does better)"
        )
    sharpen = params.sharpen if factor > 1 else 0.0  # downscaling already keeps detail; don't add halos
    result = resample_tiled(
        image, box, (out_w, out_h), tile=params.tile, sharpen=sharpen, progress=ctx.progress
    )
    dpi = params.dpi or (spec.dpi if spec else None)
    return OpResult(
        image=result,
        geometry=geometry,
        notes=notes,
        seed=ctx.seed,
        engine="classical",
        record={
            "method": "lanczos-tiled+unsharp",
            "source_box": [round(v, 3) for v in box],
            "factor": round(factor, 4),
            "size": [out_w, out_h],
            "tile": params.tile,
            "sharpen": sharpen,
            "dpi": dpi,
            "spec": spec.name if spec else None,
        },
    )
