"""How a variant was encoded, and encoding the aligned reference the same way.

Lossy export removes grain (JPEG q90 halves the wavelet σ, audit_specs.md §1b), so the texture
check compares the variant with the aligned master *encoded like the variant*: a JPEG with the
variant's own quantisation tables and chroma subsampling, a WebP at the quality whose VP8
quantisers match the variant's. The encoding is read from the file header (or given by lineage);
nothing here is a guess widened into a tolerance.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
from PIL import Image, JpegImagePlugin

from pipeline.audit import vp8

# IJG Annex K luminance table (natural order, as Pillow reports ``quantization``).
_IJG_LUMA = np.array(
    [
        16,
        11,
        10,
        16,
        24,
        40,
        51,
        61,
        12,
        12,
        14,
        19,
        26,
        58,
        60,
        55,
        14,
        13,
        16,
        24,
        40,
        57,
        69,
        56,
        14,
        17,
        22,
        29,
        51,
        87,
        80,
        62,
        18,
        22,
        37,
        56,
        68,
        109,
        103,
        77,
        24,
        35,
        55,
        64,
        81,
        104,
        113,
        92,
        49,
        64,
        78,
        87,
        103,
        121,
        120,
        101,
        72,
        92,
        95,
        98,
        112,
        100,
        103,
        99,
    ],
    dtype=np.float64,
)


@dataclass(frozen=True)
class Encoding:
    """A file's encoding as far as the audit needs it."""

    format: str  # "jpeg" | "webp" | "png" | other Pillow format name, lower case
    lossy: bool
    quality: int | None = None  # JPEG: IJG-equivalent estimate; WebP: resolved against the reference
    qtables: tuple[tuple[int, ...], ...] | None = None  # JPEG quantisation tables (natural order)
    subsampling: int | None = None  # Pillow code: 0 = 4:4:4, 1 = 4:2:2, 2 = 4:2:0
    vp8_quantizers: tuple[int, ...] | None = None  # WebP lossy: per-segment quantiser indices
    source: str = "file"  # "file" (read from the header) | "lineage" (stated by the export op)
    notes: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "format": self.format,
            "lossy": self.lossy,
            "quality": self.quality,
            "source": self.source,
        }
        if self.subsampling is not None:
            data["subsampling"] = {0: "4:4:4", 1: "4:2:2", 2: "4:2:0"}.get(self.subsampling, "other")
        if self.vp8_quantizers is not None:
            data["vp8_quantizers"] = list(self.vp8_quantizers)
        if self.notes:
            data["notes"] = list(self.notes)
        return data


LOSSLESS = Encoding("png", lossy=False)


def jpeg_quality(qtables: tuple[tuple[int, ...], ...]) -> int:
    """IJG-equivalent quality of a luminance table (inverse of libjpeg's quality scaling)."""
    table = np.asarray(qtables[0], dtype=np.float64)
    usable = (table > 1) & (table < 255)  # clamped entries carry no information
    scale = float(np.mean(table[usable] * 100.0 / _IJG_LUMA[usable])) if usable.any() else 1.0
    quality = (200.0 - scale) / 2.0 if scale <= 100.0 else 5000.0 / scale
    return int(np.clip(round(quality), 1, 100))


def probe(data: bytes) -> Encoding:
    """Read the encoding from a file's bytes (headers only; pixels are not decoded)."""
    with Image.open(io.BytesIO(data)) as img:
        fmt = (img.format or "unknown").lower()
        if fmt == "jpeg":
            assert isinstance(img, JpegImagePlugin.JpegImageFile)
            tables = tuple(tuple(int(v) for v in img.quantization[k]) for k in sorted(img.quantization))
            return Encoding("jpeg", True, jpeg_quality(tables), tables, JpegImagePlugin.get_sampling(img))
    if fmt == "webp":
        quants = vp8.segment_quantizers(data)
        if quants is None:
            return Encoding("webp", lossy=False)
        return Encoding("webp", True, vp8_quantizers=quants)
    return Encoding(fmt, lossy=False)


def encoding_of(image: Image.Image) -> Encoding:
    """What an opened image still tells: a JPEG keeps its tables; a WebP does not keep its
    quantisers, so keyart's export default (q90) is assumed and said; anything else is lossless.
    Pass ``probe(file_bytes)`` as the item's encoding to avoid the assumption."""
    fmt = (image.format or "").upper()
    if fmt == "JPEG" and isinstance(image, JpegImagePlugin.JpegImageFile) and image.quantization:
        tables = tuple(tuple(int(v) for v in image.quantization[k]) for k in sorted(image.quantization))
        return Encoding("jpeg", True, jpeg_quality(tables), tables, JpegImagePlugin.get_sampling(image))
    if fmt == "WEBP":
        note = "WebP quality unknown (no file bytes given): assumed keyart's export default 90"
        return Encoding("webp", True, 90, notes=(note,))
    return LOSSLESS


def from_lineage(fmt: str, quality: int | None) -> Encoding:
    """What the export op recorded (its ``record["format"]`` and ``record["quality"]``)."""
    fmt = "jpeg" if fmt.lower() in ("jpg", "jpeg") else fmt.lower()
    return Encoding(fmt, fmt in ("jpeg", "webp"), quality, source="lineage")


def encode_as(image: Image.Image, fmt: str, **options: Any) -> tuple[Image.Image, bytes]:
    """``image`` saved as ``fmt`` with ``options`` and decoded again; also the file's bytes."""
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, fmt.upper(), **options)
    data = buffer.getvalue()
    decoded = Image.open(io.BytesIO(data))
    decoded.load()
    return decoded.convert("RGB"), data


@cache
def _webp_quality_table() -> dict[int, tuple[int, ...]]:
    """Qualities by libwebp's first-segment quantiser, which does not depend on content.

    Measured: at q 30/60/85/90 the first segment reads 68/45/20/12 on astronaut, chelsea, coffee,
    rocket and a flat grey alike; the other segments shift with content.
    """
    rng = np.random.default_rng(0)
    ramp = np.linspace(0, 255, 96)[None, :, None] * np.ones((96, 1, 3))
    probe_image = Image.fromarray(
        np.clip(ramp + rng.normal(0, 12, (96, 96, 3)) * (ramp > 128), 0, 255).astype(np.uint8)
    )
    table: dict[int, list[int]] = {}
    for quality in range(101):
        quants = vp8.segment_quantizers(encode_as(probe_image, "webp", quality=quality)[1])
        if quants and len(quants) > 1:
            table.setdefault(quants[0], []).append(quality)
    return {q: tuple(v) for q, v in table.items()}


def _webp_quality_for(reference: Image.Image, target: tuple[int, ...]) -> int:
    """The WebP quality that reproduces the variant's quantisers: the table narrows it to the one
    or two qualities with the same first segment; the reference's own encodes pick among those.
    Without segments (tiny or flat images), a bisection on the reference itself."""
    table = _webp_quality_table()
    if len(target) > 1:
        candidates = table[min(table, key=lambda q: abs(q - target[0]))]
        if len(candidates) == 1:
            return candidates[0]

        def mismatch(quality: int) -> int:
            got = vp8.segment_quantizers(encode_as(reference, "webp", quality=quality)[1]) or ()
            return sum(abs(a - b) for a, b in zip(got, target, strict=False)) + 128 * abs(
                len(got) - len(target)
            )

        return min(candidates, key=mismatch)
    lo, hi, best, best_err = 0, 100, 90, float("inf")
    while lo <= hi:
        mid = (lo + hi) // 2
        got = vp8.segment_quantizers(encode_as(reference, "webp", quality=mid)[1]) or (0,)
        mean = float(np.mean(got))
        if abs(mean - target[0]) < best_err:
            best, best_err = mid, abs(mean - target[0])
        if mean == target[0]:
            break
        lo, hi = (mid + 1, hi) if mean > target[0] else (lo, mid - 1)
    return best


def encode_like(reference: Image.Image, encoding: Encoding) -> tuple[Image.Image, Encoding]:
    """``reference`` passed through the variant's encoder settings; also returns the resolved encoding."""
    if not encoding.lossy:
        return reference, encoding
    if encoding.format == "jpeg":
        if encoding.qtables is not None:
            options: dict[str, Any] = {"qtables": [list(t) for t in encoding.qtables]}
            if encoding.subsampling is not None and encoding.subsampling >= 0:
                options["subsampling"] = encoding.subsampling
        else:
            options = {"quality": encoding.quality or 90}
        return encode_as(reference, "jpeg", **options)[0], encoding
    if encoding.format == "webp":
        quality = encoding.quality
        if quality is None and encoding.vp8_quantizers:
            quality = _webp_quality_for(reference, encoding.vp8_quantizers)
            encoding = Encoding(**{**encoding.__dict__, "quality": quality})
        return encode_as(reference, "webp", quality=quality or 90)[0], encoding
    return reference, encoding
