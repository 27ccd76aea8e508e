"""Designed panels beside a layout's photo, and the designed backdrop of a cut-out packshot.

Fills (Cloudinary's content-aware padding is the anchor: ``b_auto:border``, ``border_gradient``,
``b_blurred``; reference/layout_and_fill.md):

* ``brand`` — the kit's accent colour, flat: the classic display-ad colour block;
* ``border_gradient`` — from the photo's own colour along the seam to a deeper tone of it, so the
  panel reads as part of the picture's light without pretending to be photo;
* ``ambient`` — the photo continued out of focus: the master heavily blurred, carried on past the
  seam, dimmed a little so copy stays legible;
* ``white`` — a plain studio white (packshots).

Every fill gets a faint seeded grain of the photo's own level, so large flat areas do not band
after JPEG encoding and sit with the photo's texture.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np
from skimage.color import lab2rgb, rgb2lab

Fill = Literal["brand", "border_gradient", "ambient", "white"]
IntBox = tuple[int, int, int, int]
_SEAM_BAND = 0.04  # share of the photo's extent sampled for its seam colour
_DEEPEN_L = 0.55  # the far end of a border gradient: L* scaled by this …
_DEEPEN_C = 0.8  # … and chroma by this
COPY_CONTRAST = 6.0  # the deep end of a gradient panel against the kit's copy colour (WCAG AA is 4.5)
RAMP_REACH = 0.6  # a gradient panel reaches its deep tone this far from the seam, and stays there
_AMBIENT_SIGMA = 0.05  # blur of the ambient fill, as a share of the frame's long side
_AMBIENT_DIM = 0.8  # its brightness, relative to the photo
_GRAIN_MAX = 2.0  # grey levels: the panel's grain never exceeds this, however grainy the photo


@dataclass(frozen=True)
class Panel:
    pixels: np.ndarray  # uint8 RGB, the panel box's size
    kind: Fill
    colours: list[str]  # the designed colours (#RRGGBB), for the record and the audit


def hex_of(rgb: np.ndarray | tuple[int, ...]) -> str:
    r, g, b = (round(float(v)) for v in rgb)
    return f"#{r:02X}{g:02X}{b:02X}"


def rgb_of(colour: str) -> np.ndarray:
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], np.float32)


def seam_colour(photo: np.ndarray, side: str) -> np.ndarray:
    """The photo's median colour along the edge that meets the panel (``side`` = where the photo sits)."""
    h, w = photo.shape[:2]
    bw, bh = max(1, round(w * _SEAM_BAND)), max(1, round(h * _SEAM_BAND))
    band = {"left": photo[:, w - bw :], "right": photo[:, :bw], "top": photo[h - bh :], "bottom": photo[:bh]}[
        side
    ]
    return np.median(band.reshape(-1, 3).astype(np.float32), axis=0)


def deeper(colour: np.ndarray, copy_colour: str | None = None) -> np.ndarray:
    """A deeper tone of ``colour`` (same hue, darker, a little less saturated, in CIELAB) that the copy
    reads on: its L* keeps going down (or, for dark copy, up) until the WCAG contrast with
    ``copy_colour`` (white when unknown) reaches :data:`COPY_CONTRAST`."""
    lab = rgb2lab(colour.reshape(1, 1, 3).astype(np.float64) / 255.0)
    lab[..., 0] = np.maximum(lab[..., 0] * _DEEPEN_L, 8.0)
    lab[..., 1:] *= _DEEPEN_C
    ink = rgb_of(copy_colour or "#FFFFFF")
    light_copy = _luminance(ink) > 0.18
    for _ in range(40):
        rgb = np.clip(lab2rgb(lab), 0, 1).reshape(3) * 255
        if _contrast(_luminance(ink), _luminance(rgb)) >= COPY_CONTRAST:
            break
        lab[..., 0] = lab[..., 0] - 2.5 if light_copy else lab[..., 0] + 2.5
        lab[..., 0] = np.clip(lab[..., 0], 0.0, 100.0)
    return (np.clip(lab2rgb(lab), 0, 1) * 255).reshape(3).astype(np.float32)


def _luminance(rgb: np.ndarray) -> float:
    c = np.asarray(rgb, np.float64) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(linear @ np.array([0.2126, 0.7152, 0.0722]))


def _contrast(a: float, b: float) -> float:
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def gradient(size: tuple[int, int], start: np.ndarray, end: np.ndarray, towards: str,
             reach: float = RAMP_REACH) -> np.ndarray:
    """A smooth two-colour ramp filling ``size`` (w, h): ``start`` at the seam, ``end`` ``towards`` far,
    reached at ``reach`` of the way and held beyond (a calm, even field for the copy)."""
    w, h = size
    n = w if towards in ("left", "right") else h
    t = np.minimum((np.arange(n, dtype=np.float32) + 0.5) / max(n * reach, 1), 1.0)
    if towards in ("left", "top"):
        t = t[::-1]
    t = t * t * (3 - 2 * t)  # smoothstep: no visible band where the ramp starts or ends
    ramp = start[None, :] * (1 - t[:, None]) + end[None, :] * t[:, None]
    if towards in ("left", "right"):
        return np.broadcast_to(ramp[None, :, :], (h, w, 3)).astype(np.float32)
    return np.broadcast_to(ramp[:, None, :], (h, w, 3)).astype(np.float32)


def ambient(
    master_small: np.ndarray,
    frame_box: tuple[float, float, float, float],
    master_size: tuple[int, int],
    panel: IntBox,
    frame_size: tuple[int, int],
) -> np.ndarray:
    """The master out of focus, mapped through the frame (``frame_box`` in master pixels) onto ``panel``
    and mirrored past its edges: the photo seen through frosted glass."""
    mh, mw = master_small.shape[:2]
    # The blur is a share of the *output* frame, converted to the small master's pixels.
    small_per_output = (frame_box[2] - frame_box[0]) / frame_size[0] * mw / master_size[0]
    sigma = _AMBIENT_SIGMA * max(frame_size) * small_per_output
    blurred = cv2.GaussianBlur(
        master_small.astype(np.float32), (0, 0), sigmaX=max(2.0, sigma), borderType=cv2.BORDER_REFLECT_101
    )
    x0, y0, x1, y1 = panel
    fw, fh = frame_size
    xs = frame_box[0] + (np.arange(x0, x1) + 0.5) * (frame_box[2] - frame_box[0]) / fw
    ys = frame_box[1] + (np.arange(y0, y1) + 0.5) * (frame_box[3] - frame_box[1]) / fh
    u = _mirror(xs * mw / master_size[0], mw)
    v = _mirror(ys * mh / master_size[1], mh)
    grid_x, grid_y = np.meshgrid(u.astype(np.float32), v.astype(np.float32))
    out = cv2.remap(blurred, grid_x, grid_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)
    return out * _AMBIENT_DIM


def _mirror(coords: np.ndarray, n: int) -> np.ndarray:
    """Reflect coordinates into [0, n − 1] as often as needed (a panel may be wider than the master)."""
    period = 2.0 * max(n - 1, 1)
    c = np.mod(coords, period)
    return np.where(c > n - 1, period - c, c)


def with_grain(pixels: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """``pixels`` (float RGB) plus seeded monochrome grain of ``sigma`` (capped), as uint8."""
    sigma = float(min(max(sigma, 0.0), _GRAIN_MAX))
    if sigma > 0:
        noise = rng.normal(0.0, sigma, pixels.shape[:2]).astype(np.float32)[..., None]
        pixels = pixels + noise
    return np.clip(np.rint(pixels), 0, 255).astype(np.uint8)


def feather_weights(length: int, width: int) -> np.ndarray:
    """Blend weights (1 = panel) over the last ``width`` of ``length`` pixels of a photo, towards the seam."""
    weights = np.zeros(length, np.float32)
    if width > 0:
        t = (np.arange(width, dtype=np.float32) + 0.5) / width
        weights[length - width :] = t * t * (3 - 2 * t)
    return weights
