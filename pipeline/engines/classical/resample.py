"""Tiled Lanczos resampling with a thresholded unsharp mask, in bounded memory.

An 8K result must not need a 8K float intermediate: the output is a preallocated uint8 array,
filled tile by tile. For each output tile, Pillow resamples exactly the matching source rectangle
(``resize(box=...)`` computes each output pixel's filter weights from its absolute position and
reads the real neighbours outside the box, so tiles meet without seams), over the tile plus a
margin; the unsharp mask runs on that padded tile and the margin is dropped. Peak memory is the
source, the output, and one padded tile.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from PIL import Image
from scipy.ndimage import gaussian_filter

Box = tuple[float, float, float, float]
_TRUNCATE = 3.0  # Gaussian support in sigmas


def sharpen_radius(factor: float) -> float:
    """Unsharp radius in output pixels: detail lost by enlarging ×f lives at about f/2 output px."""
    return max(1.0, 0.5 * factor)


def resample_tiled(
    src: Image.Image,
    box: Box,
    size: tuple[int, int],
    *,
    tile: int = 1024,
    sharpen: float = 0.5,
    threshold: float = 2.0,
    progress: Callable[[float, str], None] | None = None,
) -> Image.Image:
    """Resample the ``box`` of ``src`` (source pixels) to ``size`` with Lanczos, tile by tile.

    ``sharpen`` is the unsharp amount (0 = none; 1 = 100 %). Detail below ``threshold`` levels
    (flat areas, fine grain) is left alone, so noise is not amplified. Output mode equals the input's.
    """
    if src.mode not in ("RGB", "RGBA", "L"):
        raise ValueError(f"resample_tiled needs RGB, RGBA or L, not {src.mode}")
    width, height = size
    sx, sy = (box[2] - box[0]) / width, (box[3] - box[1]) / height  # source px per output px
    factor = 1.0 / min(sx, sy)
    radius = sharpen_radius(factor)
    margin = math.ceil(_TRUNCATE * radius) + 4 if sharpen > 0 else 0  # blur support: padded tiles agree
    has_alpha = src.mode == "RGBA"
    # Lanczos on straight alpha bleeds transparent pixels' colour into edges: resample premultiplied,
    # converting the source once (Image.resize would convert it again for every tile).
    work = src.convert("RGBa") if has_alpha else src
    bands = len(src.getbands())
    out = np.empty((height, width, bands) if bands > 1 else (height, width), dtype=np.uint8)
    tiles = [(x, y) for y in range(0, height, tile) for x in range(0, width, tile)]
    for done, (x0, y0) in enumerate(tiles):
        x1, y1 = min(x0 + tile, width), min(y0 + tile, height)
        px0, py0 = max(0, x0 - margin), max(0, y0 - margin)
        px1, py1 = min(width, x1 + margin), min(height, y1 + margin)
        tile_box = (box[0] + px0 * sx, box[1] + py0 * sy, box[0] + px1 * sx, box[1] + py1 * sy)
        piece = work.resize((px1 - px0, py1 - py0), Image.Resampling.LANCZOS, box=tile_box)
        if has_alpha:
            piece = piece.convert("RGBA")
        if sharpen > 0:
            piece = _sharpen(piece, radius, sharpen, threshold)
        out[y0:y1, x0:x1] = np.asarray(piece)[y0 - py0 : y1 - py0, x0 - px0 : x1 - px0]
        if progress:
            progress((done + 1) / len(tiles), f"resampled tile {done + 1}/{len(tiles)}")
    return Image.fromarray(out, src.mode)


def _sharpen(piece: Image.Image, radius: float, amount: float, threshold: float) -> Image.Image:
    """Unsharp mask with *soft* coring: gain ramps from 0 at ``threshold`` to 1 at 3× it.

    A hard threshold (PIL's UnsharpMask) is discontinuous: a one-level difference in the
    resampled input can switch sharpening on or off and make tiles disagree by several levels.
    Alpha is never sharpened (halos on a logo's edge).
    """
    pixels = np.asarray(piece).astype(np.float32)
    colour = pixels[..., :3] if pixels.ndim == 3 else pixels
    sigma = (radius, radius, 0) if colour.ndim == 3 else radius
    detail = colour - gaussian_filter(colour, sigma=sigma, mode="nearest", truncate=_TRUNCATE)
    gain = np.clip((np.abs(detail) - threshold) / (2 * threshold), 0, 1)
    colour += amount * detail * gain  # in place on the float copy; alpha (band 4) untouched
    return Image.fromarray(np.clip(np.rint(pixels), 0, 255).astype(np.uint8))
