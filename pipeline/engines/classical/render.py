"""Render a window of an image at an exact output size, generating whatever lies outside the image.

Shared by reframe (window inside the image: a pyramid resample), expand and fit (window reaching
outside: resample the visible part, then outpaint). When the output is smaller than the window,
the canvas is built directly at output size, so a 4096² master never becomes a 9000-px canvas.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

from pipeline.engines.classical.outpaint import estimate_grain, expand_canvas, fine_detail
from pipeline.engines.classical.pyramid import FloatBox, Pyramid

_EPS = 1e-6


@dataclass(frozen=True)
class Rendered:
    image: Image.Image
    box: FloatBox  # the window actually drawn (image pixels), after rounding to whole canvas pixels
    generated: np.ndarray  # float32 0/1 at output size, 1 = generated
    grain_sigma: list[float] | None  # per-channel σ added to generated pixels (None: nothing generated)
    canvas_size: tuple[int, int]  # where the original was composited (= output size unless upscaled)


def _inside(box: FloatBox, size: tuple[int, int]) -> bool:
    return box[0] >= -_EPS and box[1] >= -_EPS and box[2] <= size[0] + _EPS and box[3] <= size[1] + _EPS


def render_window(pyramid: Pyramid, box: FloatBox, size: tuple[int, int], *, rng: np.random.Generator,
                  grain: bool = True) -> Rendered:
    """Draw ``box`` of the pyramid's image at exactly ``size``; outside the image is outpainted."""
    width, height = pyramid.size
    if _inside(box, pyramid.size):
        clipped = (max(box[0], 0.0), max(box[1], 0.0), min(box[2], float(width)), min(box[3], float(height)))
        return Rendered(pyramid.resample(clipped, size), clipped, np.zeros((size[1], size[0]), np.float32),
                        None, size)
    if size[0] / (box[2] - box[0]) < 1.0:
        return _render_at_output_scale(pyramid, box, size, rng, grain)
    # Upscaling: outpaint at the image's own scale (whole pixels), then Lanczos up to the spec.
    # Round the origin and the lengths (not each edge): the aspect ratio is then off by ≤ ½ px per side.
    w, h = max(1, _round(box[2] - box[0])), max(1, _round(box[3] - box[1]))
    x0, y0 = _round(box[0]), _round(box[1])
    # An axis the window did not pad must not gain a generated row or column from rounding.
    if box[0] >= -_EPS and box[2] <= width + _EPS:
        x0 = min(max(x0, 0), width - w)
    if box[1] >= -_EPS and box[3] <= height + _EPS:
        y0 = min(max(y0, 0), height - h)
    ibox = (x0, y0, x0 + w, y0 + h)
    src = np.asarray(pyramid.level(0))
    sigma = estimate_grain(src) if grain else None
    canvas, _ = expand_canvas(src, ibox, rng=rng, grain=grain, sigma=sigma)
    out = Image.fromarray(canvas)
    if out.size != size:
        out = out.resize(size, Image.Resampling.LANCZOS)
    fbox = tuple(float(v) for v in ibox)
    return Rendered(out, fbox, _generated_mask(fbox, pyramid.size, size),  # type: ignore[arg-type]
                    None if sigma is None else sigma.tolist(), (canvas.shape[1], canvas.shape[0]))


@dataclass(frozen=True)
class Placement:
    """A window drawn at output size: its visible part, where that lands, and the exact window drawn."""

    visible: FloatBox  # the part of the window inside the image (image pixels)
    rect: tuple[int, int, int, int]  # where the visible part lands in the output, in whole pixels
    drawn: FloatBox  # the window actually drawn once ``rect`` is rounded (image pixels)


def place_window(box: FloatBox, image_size: tuple[int, int], size: tuple[int, int]) -> Placement:
    """Where ``box`` of an image of ``image_size``, drawn at ``size``, puts the image's own pixels."""
    x0, y0, x1, y1 = box
    width, height = image_size
    ix0, iy0, ix1, iy1 = max(x0, 0.0), max(y0, 0.0), min(x1, float(width)), min(y1, float(height))
    # Where the visible part lands in the output, in whole pixels (at least one).
    ox0, oy0 = round((ix0 - x0) * size[0] / (x1 - x0)), round((iy0 - y0) * size[1] / (y1 - y0))
    ox1 = max(ox0 + 1, round((ix1 - x0) * size[0] / (x1 - x0)))
    oy1 = max(oy0 + 1, round((iy1 - y0) * size[1] / (y1 - y0)))
    # The exact window drawn: the visible part maps onto [ox0, ox1) × [oy0, oy1) of the output.
    sx, sy = (ox1 - ox0) / (ix1 - ix0), (oy1 - oy0) / (iy1 - iy0)
    drawn = (ix0 - ox0 / sx, iy0 - oy0 / sy, ix0 + (size[0] - ox0) / sx, iy0 + (size[1] - oy0) / sy)
    return Placement((ix0, iy0, ix1, iy1), (ox0, oy0, ox1, oy1), drawn)


def _render_at_output_scale(pyramid: Pyramid, box: FloatBox, size: tuple[int, int],
                            rng: np.random.Generator, grain: bool) -> Rendered:
    placed = place_window(box, pyramid.size, size)
    ox0, oy0, ox1, oy1 = placed.rect
    part = np.asarray(pyramid.resample(placed.visible, (ox1 - ox0, oy1 - oy0)))
    # Downscaled, the master's fine texture is its grain at this scale: match that, not just noise.
    sigma = np.maximum(estimate_grain(part), fine_detail(part)) if grain else None
    canvas, generated = expand_canvas(part, (-ox0, -oy0, size[0] - ox0, size[1] - oy0), rng=rng, grain=grain,
                                      sigma=sigma)
    return Rendered(Image.fromarray(canvas), placed.drawn, generated.astype(np.float32),
                    None if sigma is None else sigma.tolist(), size)


def _round(value: float) -> int:
    return math.floor(value + 0.5)  # half up, unlike round()'s half-to-even: boxes stay the same width


def _generated_mask(box: FloatBox, image_size: tuple[int, int], size: tuple[int, int]) -> np.ndarray:
    """1 where an output pixel's centre maps outside the image."""
    x0, y0, x1, y1 = box
    xs = x0 + (np.arange(size[0]) + 0.5) * (x1 - x0) / size[0]
    ys = y0 + (np.arange(size[1]) + 0.5) * (y1 - y0) / size[1]
    inside = ((ys >= 0) & (ys < image_size[1]))[:, None] & ((xs >= 0) & (xs < image_size[0]))[None, :]
    return (~inside).astype(np.float32)
