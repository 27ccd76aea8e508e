"""The one way an image enters keyart (CLI file, Slack upload, brand logo, mask).

Order matters, each step guarding the next (reference/reliability.md §3):
byte size → magic bytes → header dimensions → full decode → EXIF orientation → sRGB 8-bit.
Nothing is decoded before its size is known, only the first frame of an animation is ever
decoded, and Pillow's ``DecompressionBombWarning`` is an error here. Nothing is written anywhere.
Every refusal is a :class:`~pipeline.errors.BadInput` whose message starts with the file name.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from pipeline.errors import BadInput
from pipeline.imaging.colour import UnsupportedMode, to_srgb
from pipeline.imaging.sniff import ALLOWED, LABELS, Refused, sniff

NOTHING_STORED = "Nothing was stored."
_ACCEPTED = "Use PNG, JPEG, TIFF, WebP, GIF or BMP."
# What a broken file makes Pillow's decoders raise (struct.error: short headers; SyntaxError: bad markers).
_DECODE_ERRORS = (
    UnidentifiedImageError,
    OSError,
    SyntaxError,
    ValueError,
    struct.error,
    EOFError,
    IndexError,
)


@dataclass
class LoadedImage:
    """A validated image: ``image`` is 8-bit sRGB, RGB or RGBA, with no metadata attached."""

    image: Image.Image
    format: str  # what the bytes were: png, jpeg, tiff, webp, gif, bmp (svg via the brand path)
    original_mode: str  # Pillow mode as decoded, before conversion (CMYK, I;16, P, …)
    sha256: str  # of the original bytes
    notes: list[str] = field(default_factory=list)

    @property
    def size(self) -> tuple[int, int]:
        return self.image.size


def load_image(
    source: bytes | Path, *, name: str = "", max_bytes: int, max_pixels: int = 90_000_000
) -> LoadedImage:
    """Validate and decode ``source`` into sRGB; raise BadInput naming ``name`` on any refusal."""
    label = name or (source.name if isinstance(source, Path) else "upload")
    data = read_capped(source, label, max_bytes)
    kind = sniff(data[:1024])
    if isinstance(kind, Refused):
        raise BadInput(f"`{label}` isn't an image I can use: it is {kind.what}. {_ACCEPTED} {NOTHING_STORED}")
    assert kind in ALLOWED
    # Pillow's own bomb threshold applies too: its warning is an error here, so the lower one wins.
    limit = min(max_pixels, Image.MAX_IMAGE_PIXELS or max_pixels)
    image, notes, original_mode = _decode(data, kind, label, limit)
    return LoadedImage(image, kind.lower(), original_mode, hashlib.sha256(data).hexdigest(), notes)


def read_capped(source: bytes | Path, label: str, max_bytes: int) -> bytes:
    """The bytes of ``source``, refusing empty or over-``max_bytes`` input before reading it all."""
    if isinstance(source, Path):
        try:
            size = source.stat().st_size
            if size <= max_bytes:
                with source.open("rb") as fh:
                    data = fh.read(max_bytes + 1)  # the file may have grown since stat()
                size = len(data)
        except FileNotFoundError:
            raise BadInput(f"`{label}` doesn't exist.") from None
        except IsADirectoryError:
            raise BadInput(f"`{label}` is a folder, not an image file.") from None
        except OSError as exc:
            raise BadInput(f"`{label}` could not be read ({exc.strerror or exc}).") from None
    else:
        data, size = source, len(source)
    if size > max_bytes:
        raise BadInput(
            f"`{label}` is {_mb(size)} MB; the limit is {_mb(max_bytes)} MB. "
            f"Export it smaller and upload again. {NOTHING_STORED}"
        )
    if size == 0:
        raise BadInput(f"`{label}` is empty (0 bytes). {NOTHING_STORED}")
    return data


def _decode(data: bytes, kind: str, label: str, limit: int) -> tuple[Image.Image, list[str], str]:
    notes: list[str] = []
    corrupt = f"`{label}` is truncated or corrupt: it says it is a {LABELS[kind]} but could not be decoded."
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            im = Image.open(io.BytesIO(data), formats=[kind])  # reads the header only
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            raise BadInput(_too_many_pixels(label, _pixels_from(exc), limit)) from None
        except _DECODE_ERRORS:
            raise BadInput(f"{corrupt} {NOTHING_STORED}") from None
        width, height = im.size
        if width * height > limit:
            raise BadInput(_too_many_pixels(label, width * height, limit))
        if width < 1 or height < 1:
            raise BadInput(f"{corrupt} {NOTHING_STORED}")
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
            raise BadInput(_too_many_pixels(label, _pixels_from(exc), limit)) from None
        except _DECODE_ERRORS:
            raise BadInput(f"{corrupt} {NOTHING_STORED}") from None
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
    return out, notes + colour_notes, original_mode


def _upright(im: Image.Image, notes: list[str]) -> Image.Image:
    """Apply the EXIF orientation (cameras store portrait photos sideways plus a tag)."""
    try:
        orientation = im.getexif().get(0x0112, 1)
        if orientation in (2, 3, 4, 5, 6, 7, 8):
            upright = ImageOps.exif_transpose(im)
            notes.append(f"turned upright using its EXIF orientation ({orientation})")
            return upright
    except _DECODE_ERRORS:
        notes.append("its EXIF data is unreadable; orientation left as stored")
    return im


def _pixels_from(exc: Exception) -> int | None:
    match = re.search(r"\((\d+) pixels\)", str(exc))
    return int(match.group(1)) if match else None


def _too_many_pixels(label: str, pixels: int | None, limit: int) -> str:
    size = f"is {_megapixels(pixels)} megapixels" if pixels else "has too many pixels"
    return (
        f"`{label}`: that image {size}; the limit is {_megapixels(limit)}. "
        f"Export it smaller and upload again. {NOTHING_STORED}"
    )


def _megapixels(pixels: int) -> str:
    mp = pixels / 1e6
    return f"{mp:.0f}" if mp >= 10 else f"{mp:.1f}"


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f}".removesuffix(".0")
