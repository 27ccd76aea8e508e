"""How busy the picture is under a box: gradient energy and luminance spread, from integral images.

Copy and logo read best, and need the least scrim, on calm areas (sky, backdrop, a panel). The
field is computed once per image on a small copy (long side ≤ 320 px), so scoring a box costs
four lookups whatever the image's size.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

WORK_SIDE = 320
_EDGE_HALF = 12.0  # grey levels per working pixel at which gradient energy counts as half busy
_SPREAD_FULL = 50.0  # luminance standard deviation (grey levels) that counts as fully busy


def _integral(a: np.ndarray) -> np.ndarray:
    return np.pad(a.cumsum(0).cumsum(1), ((1, 0), (1, 0)))


class CalmField:
    """Busyness in [0, ~1.5] of any box of an image (0 = flat, ≥ 1 = textured and contrasty)."""

    def __init__(self, image: Image.Image) -> None:
        scale = min(1.0, WORK_SIDE / max(image.size))
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        grey = np.asarray(image.convert("L").resize(size, Image.Resampling.BILINEAR), np.float64)
        gy, gx = np.gradient(grey)
        energy = np.hypot(gx, gy)
        self._energy = _integral(energy / (energy + _EDGE_HALF))
        self._lum = _integral(grey)
        self._lum2 = _integral(grey * grey)
        self._sx, self._sy = size[0] / image.width, size[1] / image.height
        self._size = size

    def _sums(
        self, table: np.ndarray, x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray
    ) -> np.ndarray:
        return table[y1, x1] - table[y0, x1] - table[y1, x0] + table[y0, x0]

    def busy(self, boxes: np.ndarray) -> np.ndarray:
        """Busyness of each box (N×4, image pixels): mean edge energy + half the luminance spread."""
        boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
        x0 = np.clip(np.floor(boxes[:, 0] * self._sx), 0, self._size[0] - 1).astype(int)
        y0 = np.clip(np.floor(boxes[:, 1] * self._sy), 0, self._size[1] - 1).astype(int)
        x1 = np.clip(np.ceil(boxes[:, 2] * self._sx), x0 + 1, self._size[0]).astype(int)
        y1 = np.clip(np.ceil(boxes[:, 3] * self._sy), y0 + 1, self._size[1]).astype(int)
        area = (x1 - x0) * (y1 - y0)
        energy = self._sums(self._energy, x0, y0, x1, y1) / area
        mean = self._sums(self._lum, x0, y0, x1, y1) / area
        var = np.maximum(0.0, self._sums(self._lum2, x0, y0, x1, y1) / area - mean * mean)
        return energy + 0.5 * np.clip(np.sqrt(var) / _SPREAD_FULL, 0.0, 1.0)
