"""The product in a packshot or a scene: the object a crop must never cut, found without a model.

Saliency alone finds the *busiest* part of an object (the motorbike's tank, the launch pad's
lights), not the object: a crop built on it cuts wheels and rockets. GrabCut initialised with a
rectangle just inside the frame learns the background's colours from the border and the object's
from the middle, and returns the whole object when it stands out from its surroundings; its
largest components that touch the salient region are the product. Runs on a ≤ 200 px copy
(~0.1–0.6 s once per master; the batch shares it).
"""

from __future__ import annotations

import cv2
import numpy as np

Box = tuple[int, int, int, int]
WORK = 160  # long side GrabCut runs at
_INSET = 0.04  # the rectangle leaves this share of each side as sure background
_ITERATIONS = 3
_MIN_PART = 0.15  # components smaller than this share of the largest are clutter, not the product
SCENE = 0.6  # a "product" covering more of the frame than this is the scene itself
# A "product" whose pixels fill less of its box than this is scattered texture (stars, confetti,
# foliage highlights), not an object: real ones measure 0.2 (a cat on a chair) to 0.85 (a rocket).
_MIN_FILL = 0.1


def product_box(rgb: np.ndarray, salient: Box | None) -> tuple[Box, float] | None:
    """The product's box in ``rgb``'s pixels and the share of the frame its pixels cover, or None.

    ``salient`` (same pixels) anchors which foreground components belong to the product.
    """
    height, width = rgb.shape[:2]
    if min(height, width) < 16 or float(rgb.std()) < 2.0:
        return None
    scale = min(1.0, WORK / max(height, width))
    small = (
        cv2.resize(
            rgb, (max(8, round(width * scale)), max(8, round(height * scale))), interpolation=cv2.INTER_AREA
        )
        if scale < 1.0
        else rgb
    )
    h, w = small.shape[:2]
    mask = np.zeros((h, w), np.uint8)
    rect = (round(w * _INSET), round(h * _INSET), round(w * (1 - 2 * _INSET)), round(h * (1 - 2 * _INSET)))
    models = (np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64))
    # GrabCut's k-means start is seeded from OpenCV's global RNG: fix it so a master always frames alike.
    cv2.setRNGSeed(0)
    try:
        cv2.grabCut(
            np.ascontiguousarray(small[..., ::-1]), mask, rect, *models, _ITERATIONS, cv2.GC_INIT_WITH_RECT
        )
    except cv2.error:
        return None  # a uniform image: nothing to separate
    foreground = ((mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD)).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(foreground, connectivity=8)
    if count <= 1:
        return None
    areas = stats[1:, cv2.CC_STAT_AREA]
    anchor = None if salient is None else tuple(round(v * scale) for v in salient)
    keep = [
        i + 1
        for i, area in enumerate(areas)
        if area >= _MIN_PART * areas.max() and (anchor is None or _touches(stats[i + 1], anchor))
    ]
    if not keep:
        keep = [int(np.argmax(areas)) + 1]
    chosen = np.isin(labels, keep)
    rows, cols = np.flatnonzero(chosen.any(axis=1)), np.flatnonzero(chosen.any(axis=0))
    if chosen.sum() < _MIN_FILL * (rows[-1] + 1 - rows[0]) * (cols[-1] + 1 - cols[0]):
        return None
    box = (
        int(cols[0] / scale),
        int(rows[0] / scale),
        min(width, int(np.ceil((cols[-1] + 1) / scale))),
        min(height, int(np.ceil((rows[-1] + 1) / scale))),
    )
    return box, float(chosen.mean())


def _touches(stat: np.ndarray, box: tuple[int, ...]) -> bool:
    x, y, w, h = (int(v) for v in stat[:4])
    return x < box[2] and x + w > box[0] and y < box[3] and y + h > box[1]
