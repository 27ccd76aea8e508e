"""Encoding to a byte budget: JPEG/WebP quality search, PNG optimise-then-quantise, and the same
search with a signed manifest counted in the budget (``fit_sealed``).

Every file gets the sRGB ICC profile, a DPI, the given XMP packet and *no* EXIF (uploads'
EXIF/GPS never leaks into deliveries: we pass ``exif=b""`` and encode a copy whose ``info``
is empty, since Pillow's PNG writer falls back to ``im.info`` for the profile).

JPEG chroma: 4:2:0 halves colour resolution, which smears red text and logo edges on small
banners. So: small banners (≤ ``SMALL_PX`` pixels, all IAB units) keep 4:4:4 whenever that
meets the cap at quality ≥ ``SMALL_444_MIN_QUALITY``; larger images use 4:4:4 from quality 90
up (where 4:2:0 would waste the quality asked for) and 4:2:0 below.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from PIL import Image, ImageFile, PngImagePlugin

MIN_QUALITY = 30
SMALL_PX = 350_000
SMALL_444_MIN_QUALITY = 60
HIGH_QUALITY_444 = 90


@dataclass
class Encoded:
    data: bytes
    format: str
    quality: int | None
    subsampling: str | None = None
    quantized: bool = False
    notes: list[str] = field(default_factory=list)
    sealed_bytes: int = 0  # bytes the embedded, signed manifest adds (fit_sealed)
    reserved_bytes: int = 0  # bytes kept free under the cap for a later countersignature


@dataclass(frozen=True)
class Sealed:
    data: bytes  # the encoding with its manifest embedded and signed
    reserve: int = 0  # bytes to keep free under the cap (e.g. for an approval added later)


def _clean(image: Image.Image) -> Image.Image:
    out = image.copy()
    out.info = {}
    return out


_MAXBLOCK_LOCK = threading.Lock()


def encode_jpeg(
    image: Image.Image, quality: int, subsampling: str, *, icc: bytes, dpi: int, xmp: bytes
) -> bytes:
    buf = io.BytesIO()
    # A progressive/optimised JPEG is produced in one buffer that Pillow sizes at ~1 byte per pixel;
    # grainy 4:4:4 images need more ("Suspension not allowed here"). Pillow takes the larger of that
    # guess and ImageFile.MAXBLOCK, so raise MAXBLOCK for the duration (only ever upwards).
    need = 3 * image.width * image.height + len(icc) + len(xmp) + 65536
    with _MAXBLOCK_LOCK:
        previous = ImageFile.MAXBLOCK
        ImageFile.MAXBLOCK = max(previous, need)
        try:
            _clean(image).save(
                buf,
                "JPEG",
                quality=quality,
                subsampling=subsampling,
                progressive=True,
                optimize=True,
                icc_profile=icc,
                dpi=(dpi, dpi),
                exif=b"",
                xmp=xmp,
            )
        finally:
            ImageFile.MAXBLOCK = previous
    return buf.getvalue()


def encode_webp(image: Image.Image, quality: int, *, icc: bytes, xmp: bytes) -> bytes:
    buf = io.BytesIO()
    _clean(image).save(buf, "WEBP", quality=quality, method=4, icc_profile=icc, exif=b"", xmp=xmp)
    return buf.getvalue()


def encode_png(image: Image.Image, *, icc: bytes, dpi: int, xmp: bytes) -> bytes:
    meta = PngImagePlugin.PngInfo()
    meta.add_itxt("XML:com.adobe.xmp", xmp.decode("utf-8"), zip=False)  # the key Adobe's XMP spec names
    buf = io.BytesIO()
    _clean(image).save(buf, "PNG", optimize=True, icc_profile=icc, dpi=(dpi, dpi), pnginfo=meta)
    return buf.getvalue()


def search_quality(
    encode_at: Callable[[int], bytes], low: int, high: int, cap: int
) -> tuple[int, bytes] | None:
    """Highest quality in [low, high] whose encoding fits ``cap`` bytes (binary search; size ~ monotonic)."""
    data = encode_at(high)
    if len(data) <= cap:
        return high, data
    best = None
    high -= 1
    while low <= high:
        mid = (low + high) // 2
        data = encode_at(mid)
        if len(data) <= cap:
            best, low = (mid, data), mid + 1
        else:
            high = mid - 1
    return best


def fit_jpeg(
    image: Image.Image, quality: int, cap: int | None, *, icc: bytes, dpi: int, xmp: bytes
) -> Encoded | None:
    """The best JPEG under ``cap`` (None = no cap), or None if even quality 30 is too big."""

    def at(sub: str) -> Callable[[int], bytes]:
        return lambda q: encode_jpeg(image, q, sub, icc=icc, dpi=dpi, xmp=xmp)

    def auto(q: int) -> bytes:
        return at("4:4:4" if q >= HIGH_QUALITY_444 else "4:2:0")(q)

    if image.width * image.height <= SMALL_PX and quality >= SMALL_444_MIN_QUALITY:
        found = search_quality(at("4:4:4"), SMALL_444_MIN_QUALITY, quality, cap or 1 << 62)
        if found:
            return Encoded(found[1], "jpeg", found[0], "4:4:4")
    found = search_quality(auto, MIN_QUALITY, quality, cap or 1 << 62)
    if not found:
        return None
    return Encoded(found[1], "jpeg", found[0], "4:4:4" if found[0] >= HIGH_QUALITY_444 else "4:2:0")


def fit_webp(image: Image.Image, quality: int, cap: int | None, *, icc: bytes, xmp: bytes) -> Encoded | None:
    found = search_quality(
        lambda q: encode_webp(image, q, icc=icc, xmp=xmp), MIN_QUALITY, quality, cap or 1 << 62
    )
    return Encoded(found[1], "webp", found[0]) if found else None


def fit_png(image: Image.Image, cap: int | None, *, icc: bytes, dpi: int, xmp: bytes) -> Encoded | None:
    """Lossless PNG; over the cap, a 256-colour palette version (dithered); None if still over."""
    data = encode_png(image, icc=icc, dpi=dpi, xmp=xmp)
    if cap is None or len(data) <= cap:
        return Encoded(data, "png", None)
    # Median cut gives better palettes for RGB; only fast octree supports RGBA without libimagequant.
    method = Image.Quantize.FASTOCTREE if image.mode == "RGBA" else Image.Quantize.MEDIANCUT
    palette = image.quantize(256, method=method, dither=Image.Dither.FLOYDSTEINBERG)
    data = encode_png(palette, icc=icc, dpi=dpi, xmp=xmp)
    if len(data) > cap:
        return None
    return Encoded(data, "png", None, quantized=True)


def fit_sealed(
    fit: Callable[[int | None], Encoded | None],
    cap: int | None,
    seal: Callable[[bytes], Sealed],
    *,
    tries: int = 4,
) -> Encoded | None:
    """The best encoding whose sealed form (plus its reserve) fits ``cap``; ``data`` is the sealed bytes.

    ``fit(budget)`` is one of the searches above. The manifest's size hardly depends on the pixels,
    so: search under the cap, seal, and if the sealed file is over, search again with the budget
    lowered by the excess. None when even the smallest encoding cannot carry the manifest.
    """
    budget = cap
    for _ in range(tries):
        found = fit(budget)
        if found is None:
            return None
        sealed = seal(found.data)
        excess = 0 if cap is None else len(sealed.data) + sealed.reserve - cap
        if excess <= 0:
            return replace(
                found,
                data=sealed.data,
                sealed_bytes=len(sealed.data) - len(found.data),
                reserved_bytes=sealed.reserve,
            )
        budget = len(found.data) - excess
        if budget < 1:
            return None
    return None
