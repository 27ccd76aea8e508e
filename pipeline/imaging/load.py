"""The one way an image enters keyart (CLI file, Slack upload, brand logo, mask).

Order matters, each step guarding the next (reference/reliability.md §3):
byte size → magic bytes → (in a sandboxed child process: header dimensions → full decode →
EXIF orientation → sRGB 8-bit). Nothing is decoded before its size is known, only the first
frame of an animation is ever decoded, Pillow's ``DecompressionBombWarning`` is an error, and the
decoders run behind memory, CPU and wall-clock limits (pipeline/imaging/sandbox.py) with their
console output captured. Nothing is written anywhere. Every refusal is a
:class:`~pipeline.errors.BadInput` whose message starts with the file name.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from pipeline.errors import BadInput
from pipeline.imaging import sandbox
from pipeline.imaging.decode import NOTHING_STORED
from pipeline.imaging.formats import accepted, unavailable
from pipeline.imaging.sniff import ALLOWED, Refused, sniff

__all__ = ["NOTHING_STORED", "LoadedImage", "load_image", "read_capped"]


@dataclass
class LoadedImage:
    """A validated image: ``image`` is 8-bit sRGB, RGB or RGBA, with no metadata attached."""

    image: Image.Image
    format: str  # what the bytes were: png, jpeg, tiff, webp, gif, bmp, avif, heif (svg via the brand path)
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
        raise BadInput(
            f"`{label}` isn't an image I can use: it is {kind.what}. {accepted()} {NOTHING_STORED}"
        )
    assert kind in ALLOWED
    if (missing := unavailable(kind)) is not None:
        raise BadInput(f"`{label}` is {missing} {NOTHING_STORED}")
    # Pillow's own bomb threshold applies too: its warning is an error here, so the lower one wins.
    limit = min(max_pixels, Image.MAX_IMAGE_PIXELS or max_pixels)
    decoded = sandbox.pool().decode(data, kind, label, limit)
    return LoadedImage(
        decoded.image, kind.lower(), decoded.original_mode, hashlib.sha256(data).hexdigest(), decoded.notes
    )


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


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f}".removesuffix(".0")


# A master smaller than this on its short side cannot make even a 320×50 banner without inventing
# most of its pixels; one more elongated than this is a strip no channel format resembles.
MIN_MASTER_SIDE = 64
MAX_MASTER_ASPECT = 12.0


def check_master_shape(size: tuple[int, int], label: str) -> None:
    """Refuse (``BadInput``) a master too small or too elongated to make channel variants from."""
    width, height = size
    if min(width, height) < MIN_MASTER_SIDE:
        raise BadInput(
            f"`{label}` is {width}×{height} px: too small to make channel variants from (a master needs at "
            f"least {MIN_MASTER_SIDE} px on its short side; 1000 px or more makes sharp variants). "
            f"{NOTHING_STORED}"
        )
    if max(width / height, height / width) > MAX_MASTER_ASPECT:
        ratio = max(width / height, height / width)
        raise BadInput(
            f"`{label}` is {width}×{height} px, a {ratio:.0f}:1 strip: no channel format is that shape "
            f"(the most elongated, 970×90, is 11:1). Upload the key art itself, not a strip of it. "
            f"{NOTHING_STORED}"
        )
