"""Split an op's input into colour and alpha, and join them back: colour ops never touch alpha."""

from __future__ import annotations

import numpy as np
from PIL import Image


def split_alpha(image: Image.Image) -> tuple[np.ndarray, np.ndarray | None]:
    """(H×W×3 uint8 RGB copy, H×W uint8 alpha or None). Other modes are read as RGB."""
    if image.mode == "RGBA":
        arr = np.array(image)
        return np.ascontiguousarray(arr[..., :3]), arr[..., 3].copy()
    return np.array(image.convert("RGB")), None


def join_alpha(rgb: np.ndarray, alpha: np.ndarray | None, like: Image.Image) -> Image.Image:
    """An image in ``like``'s size with ``rgb`` colour and the original alpha (if there was one)."""
    if rgb.shape[:2] != (like.height, like.width):
        raise ValueError("join_alpha: colour and original image sizes differ")
    if alpha is None:
        return Image.fromarray(np.ascontiguousarray(rgb, dtype=np.uint8), "RGB")
    return Image.fromarray(np.dstack([rgb.astype(np.uint8), alpha]), "RGBA")
