"""Bytes of a sniffed format → 8-bit sRGB pixels: the part of loading that runs the decoders.

This runs inside the decoding child process (pipeline/imaging/decoder_child.py), behind its
address-space and CPU-time limits; nothing here should be called on untrusted bytes in a
long-lived process. Steps, each guarding the next: header dimensions → full decode of frame 0 →
EXIF orientation → sRGB 8-bit. Pillow's ``DecompressionBombWarning`` is an error here.
"""

from __future__ import annotations

import io
import re
import struct
import warnings
from dataclasses import dataclass, field

from PIL import Image, ImageOps, UnidentifiedImageError

from pipeline.errors import BadInput
from pipeline.imaging.colour import UnsupportedMode, to_srgb
from pipeline.imaging.sniff import LABELS

NOTHING_STORED = "Nothing was stored."
# What a broken file makes Pillow's decoders raise (struct.error: short headers; SyntaxError: bad markers).
DECODE_ERRORS = (
    UnidentifiedImageError,
    OSError,
    SyntaxError,
    ValueError,
    struct.error,
    EOFError,
    IndexError,
)


@dataclass
class Decoded:
    image: Image.Image  # 8-bit sRGB, RGB or RGBA, no metadata
    original_mode: str  # Pillow mode as decoded, before conversion (CMYK, I;16, P, …)
    notes: list[str] = field(default_factory=list)


def corrupt_message(label: str, kind: str) -> str:
    return f"`{label}` is truncated or corrupt: it says it is a {LABELS[kind]} but could not be decoded."


def decode(data: bytes, kind: str, label: str, limit: int) -> Decoded:
    """Decode frame 0 of ``data`` (a ``kind`` file) to sRGB; ``BadInput`` naming ``label`` if refused."""
    notes: list[str] = []
    corrupt = f"{corrupt_message(label, kind)} {NOTHING_STORED}"
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            im = Image.open(io.BytesIO(data), formats=[kind])  # reads the header only
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            raise BadInput(too_many_pixels(label, _pixels_from(exc), limit)) from None
        except DECODE_ERRORS:
            raise BadInput(corrupt) from None
        width, height = im.size
        if width * height > limit:
            raise BadInput(too_many_pixels(label, width * height, limit))
        if width < 1 or height < 1:
            raise BadInput(corrupt)
        try:
            # Only frame 0 is ever decoded; `is_animated` peeks at frame 1's header, nothing more.
            if getattr(im, "is_animated", False):
                what = (
                    "a multi-page TIFF: used the first page"
                    if kind == "TIFF"
                    else f"an animated {LABELS[kind]}: used the first frame"
                )
                notes.append(f"`{label}` is {what}")
                im.seek(0)
            if im.mode in ("RGB", "RGBA") and any(";16" in str(tile.args) for tile in im.tile):
                notes.append("16-bit colour reduced to 8-bit")
            icc = im.info.get("icc_profile")
            im.load()
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            raise BadInput(too_many_pixels(label, _pixels_from(exc), limit)) from None
        except DECODE_ERRORS:
            raise BadInput(corrupt) from None
    original_mode = im.mode
    upright = _upright(im, notes)
    try:
        out, colour_notes = to_srgb(upright, icc if isinstance(icc, bytes) else None)
    except UnsupportedMode as exc:
        raise BadInput(
            f"`{label}` uses the pixel mode {exc}, which I can't convert to sRGB. "
            f"Export it as 8-bit RGB. {NOTHING_STORED}"
        ) from None
    im.close()
    return Decoded(out, original_mode, notes + colour_notes)


def _upright(im: Image.Image, notes: list[str]) -> Image.Image:
    """Apply the EXIF orientation (cameras store portrait photos sideways plus a tag).

    HEIC decoders apply the file's own rotation and report orientation 1, so this never turns
    a phone photo twice.
    """
    try:
        orientation = im.getexif().get(0x0112, 1)
        if orientation in (2, 3, 4, 5, 6, 7, 8):
            upright = ImageOps.exif_transpose(im)
            notes.append(f"turned upright using its EXIF orientation ({orientation})")
            return upright
    except DECODE_ERRORS:
        notes.append("its EXIF data is unreadable; orientation left as stored")
    return im


def _pixels_from(exc: Exception) -> int | None:
    match = re.search(r"\((\d+) pixels\)", str(exc))
    return int(match.group(1)) if match else None


def too_many_pixels(label: str, pixels: int | None, limit: int) -> str:
    size = f"is {_megapixels(pixels)} megapixels" if pixels else "has too many pixels"
    return (
        f"`{label}`: that image {size}; the limit is {_megapixels(limit)}. "
        f"Export it smaller and upload again. {NOTHING_STORED}"
    )


def _megapixels(pixels: int) -> str:
    mp = pixels / 1e6
    return f"{mp:.0f}" if mp >= 10 else f"{mp:.1f}"
