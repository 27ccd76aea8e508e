"""How much structure each edge of an image has: where continuing the photo is plausible.

A calm edge (sky, studio backdrop, wall, floor) can be carried past the frame without a model; a
busy one (shelves, foliage, a flag, a crowd) cannot — continuing it invents a smear. The measure is
the mean Sobel gradient magnitude (grey levels per pixel) in a band along each side of a ≤ 256 px
copy: calm backdrops measure 1–4, textured surfaces 5–9, clutter 10 and more (six real photos).
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
from PIL import Image

WORK = 256
BAND = 0.06  # share of the image's extent normal to the side
CACHE_KEY = "classical.edges"


def edge_structure(image: Image.Image) -> dict[str, float]:
    """Mean gradient magnitude along the left, right, top and bottom edges (and ``all``: the whole image)."""
    small = image.convert("L")
    scale = WORK / max(small.size)
    if scale < 1:
        size = (max(3, round(small.width * scale)), max(3, round(small.height * scale)))
        small = small.resize(size, Image.Resampling.BOX)
    grey = np.asarray(small, np.float32)
    gx = cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3) / 8
    gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3) / 8
    magnitude = np.hypot(gx, gy)[1:-1, 1:-1]  # the outermost ring only sees the border padding
    h, w = magnitude.shape
    bw, bh = max(2, round(BAND * w)), max(2, round(BAND * h))
    bands = {
        "left": magnitude[:, :bw],
        "right": magnitude[:, -bw:],
        "top": magnitude[:bh],
        "bottom": magnitude[-bh:],
        "all": magnitude,
    }
    return {side: round(float(band.mean()), 3) for side, band in bands.items()}


def edge_structure_cached(image: Image.Image, cache: dict[str, Any]) -> dict[str, float]:
    """:func:`edge_structure`, shared by the batch (keyed like the subject cache)."""
    store: dict[tuple[int, tuple[int, int]], tuple[Image.Image, dict[str, float]]] = cache.setdefault(
        CACHE_KEY, {}
    )
    key = (id(image), image.size)
    hit = store.get(key)
    if hit is not None and hit[0] is image:
        return hit[1]
    found = edge_structure(image)
    store[key] = (image, found)
    return found
