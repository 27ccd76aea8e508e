"""The `export` op: encode the final pixels exactly as the channel wants them.

Exact spec pixels (export never resizes: a wrong size is a plan error), the spec's format,
the byte cap met by a quality search, sRGB ICC embedded, DPI set, EXIF stripped, keyart's
provenance plus the IPTC digital-source type in XMP (pipeline/imaging/provenance.py), and signed
Content Credentials (C2PA) counted inside the byte cap (pipeline/credentials/sealing.py).
The result carries the encoded bytes *and* the decoded pixels, so the audit sees what ships.
"""

from __future__ import annotations

import io
from typing import Literal

import numpy as np
from PIL import Image
from pydantic import Field

from pipeline.credentials.manifest import synthesized_pixels
from pipeline.credentials.sealing import seal_export
from pipeline.engines.classical import encode as enc
from pipeline.errors import BadRequest
from pipeline.imaging.colour import srgb_icc_bytes
from pipeline.imaging.provenance import build_xmp, digital_source_type, op_chain, read_provenance
from pipeline.ops.base import OpContext, OpInputs, OpParams, OpResult
from pipeline.ops.fields import SpecName
from pipeline.ops.registry import op
from pipeline.specs import get_spec

__all__ = ["ExportParams", "export", "read_provenance"]


class ExportParams(OpParams):
    """Encode to the spec: exact pixels, format, byte cap (quality search), sRGB ICC, DPI, provenance XMP."""

    spec: SpecName = Field(description="Channel spec to deliver.")
    format: Literal["auto", "jpeg", "png", "webp"] = Field(
        "auto", description="File format (auto = the spec's)."
    )
    quality: int = Field(
        90, ge=30, le=100, description="Starting quality; lowered only to meet the byte cap."
    )
    max_bytes: int | None = Field(None, ge=1000, description="Byte cap overriding the spec's.")


TOOL = "keyart export 1.0.0"


@op("export", version="1.0.0")
def export(inputs: OpInputs, params: ExportParams, ctx: OpContext) -> OpResult:
    spec = get_spec(params.spec)
    image = inputs.image
    if image.size != spec.size:
        raise BadRequest(
            f"`export` delivers `{spec.name}` at exactly {spec.width}×{spec.height}, but the image "
            f"is {image.width}×{image.height}; fit or upscale it first (export never resizes)"
        )
    fmt = spec.format if params.format == "auto" else params.format
    cap = params.max_bytes or spec.max_bytes
    notes: list[str] = []
    if image.mode not in ("RGB", "RGBA"):
        raise BadRequest(f"`export` needs RGB or RGBA pixels, not {image.mode}")
    if image.mode == "RGBA":
        image = clear_hidden(image)
    if fmt == "jpeg" and image.mode == "RGBA":
        if image.getchannel("A").getextrema() != (255, 255):
            notes.append("JPEG has no transparency: flattened onto white")
        flat = Image.new("RGB", image.size, (255, 255, 255))
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    provenance = {**ctx.provenance, "spec": spec.name}
    chain = op_chain(provenance.get("ops"))
    synthesized = ctx.credentials is not None and synthesized_pixels(ctx.credentials.production)
    source_type = provenance.get("digital_source_type") or digital_source_type(
        chain, _diffusion(ctx), synthesized=synthesized
    )
    xmp = build_xmp(provenance, source_type=source_type, dpi=spec.dpi, tool=TOOL)
    icc = srgb_icc_bytes()

    def encode(budget: int | None) -> enc.Encoded | None:
        if fmt == "jpeg":
            return enc.fit_jpeg(image, params.quality, budget, icc=icc, dpi=spec.dpi, xmp=xmp)
        if fmt == "webp":
            return enc.fit_webp(image, params.quality, budget, icc=icc, xmp=xmp)
        return enc.fit_png(image, budget, icc=icc, dpi=spec.dpi, xmp=xmp)

    if fmt == "webp":
        notes.append("WebP has no DPI field: the DPI is recorded in the XMP only")
    # Content Credentials (C2PA): signed inside the byte cap, or left out with a note.
    result, sealing = seal_export(
        encode, cap, ctx.credentials, spec=spec.name, fmt=fmt, source_type=source_type
    )
    kb = f"{(cap or 0) / 1000:g} KB"
    if result is None:
        floor = "as a 256-colour PNG" if fmt == "png" else f"even at quality {enc.MIN_QUALITY}"
        raise BadRequest(
            f"`export`: `{spec.name}` cannot get under {kb} as {fmt.upper()} {floor}; "
            "simplify the image, or choose another format"
        )
    if cap and result.quality is not None and result.quality < params.quality:
        notes.append(f"quality lowered from {params.quality} to {result.quality} to meet the {kb} cap")
    if result.quantized:
        notes.append(f"reduced to 256 colours to meet the {kb} PNG cap")
    notes += sealing.notes
    decoded = Image.open(io.BytesIO(result.data))
    decoded.load()
    final = decoded.convert("RGBA" if "A" in decoded.getbands() or "transparency" in decoded.info else "RGB")
    final.info = {}
    return OpResult(
        image=final,
        geometry=inputs.geometry,
        notes=notes,
        seed=ctx.seed,
        engine="classical",
        encoded=result.data,
        format=result.format,
        record={
            "format": result.format,
            "quality": result.quality,
            "subsampling": result.subsampling,
            "quantized": result.quantized,
            "bytes": len(result.data),
            "max_bytes": cap,
            "dpi": spec.dpi,
            "icc": "sRGB IEC61966-2.1 (littleCMS built-in)",
            "digital_source_type": source_type,
            "credentials": sealing.record,
            "size": list(spec.size),
        },
    )


def clear_hidden(image: Image.Image) -> Image.Image:
    """``image`` with the colour under fully transparent pixels set to black: a cut-out's hidden pixels
    (the studio floor, a retoucher's leftovers) never ship inside a delivered PNG or WebP."""
    pixels = np.asarray(image).copy()
    hidden = pixels[..., 3] == 0
    if not hidden.any() or not pixels[hidden, :3].any():
        return image
    pixels[hidden, :3] = 0
    return Image.fromarray(pixels, "RGBA")


def _diffusion(ctx: OpContext) -> bool:
    """Whether a generative model touched the pixels: the provenance says so, else the engine used.

    When unsure we claim it: under-declaring AI involvement is the error that matters.
    """
    flag = str(ctx.provenance.get("diffusion", "")).lower()
    if flag in ("true", "false"):
        return flag == "true"
    return "diffusion" in str(ctx.provenance.get("engines", "")) or ctx.engine == "diffusion"
