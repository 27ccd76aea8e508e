"""Compositing new content into a region: cover-fit, light/colour harmonisation, light wrap, blend.

Harmonisation is a Reinhard-style mean/std transfer in CIELAB at reduced strength, towards the
original pixels just inside the region's edge (for a background swap: the wall the subject was
lit against), so the new content keeps its character but shares the scene's exposure and white
balance. Everything outside the (feathered) mask is copied bit for bit.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image, ImageOps
from skimage.color import rgb2lab

from pipeline.engines.classical.colour import encode_u8, lab_to_linear

# Default share of the way the replacement's LAB mean/std move towards the reference.
HARMONIZE_STRENGTH = 0.5


def cover(image: Image.Image, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray | None]:
    """Scale ``image`` to cover ``size`` and centre-crop: (RGB uint8, alpha 0–1 or None)."""
    fitted = ImageOps.fit(image.convert("RGBA"), size, Image.Resampling.LANCZOS, centering=(0.5, 0.5))
    arr = np.asarray(fitted)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    alpha = arr[..., 3].astype(np.float32) / 255.0 if has_alpha else None
    return np.ascontiguousarray(arr[..., :3]), alpha


def reference_ring(region: np.ndarray, width: int) -> np.ndarray:
    """Pixels of ``region`` (hard, bool) within ``width`` px of the kept part; the whole region if none."""
    kept = (~region).astype(np.uint8)
    if not kept.any():
        return region
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * width + 1, 2 * width + 1))
    ring = region & (cv2.dilate(kept, kernel) > 0)
    return ring if ring.sum() >= 64 else region


def lab_stats(rgb: np.ndarray, where: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and std of L*, a*, b* over ``where``."""
    lab = rgb2lab(rgb[where].reshape(-1, 1, 3))
    flat = lab.reshape(-1, 3)
    return flat.mean(axis=0), flat.std(axis=0)


def transfer_lab(
    rgb: np.ndarray, where: np.ndarray, ref_mean: np.ndarray, ref_std: np.ndarray, strength: float
) -> tuple[np.ndarray, dict[str, list[float]]]:
    """Move ``rgb``'s LAB mean/std over ``where`` a ``strength`` share of the way to the reference."""
    src_mean, src_std = lab_stats(rgb, where)
    # Scale std towards the reference in log space (a multiplicative quantity); never amplify by > 2.
    target_std = np.exp((1 - strength) * np.log(src_std + 1e-6) + strength * np.log(ref_std + 1e-6))
    gain = np.clip(target_std / (src_std + 1e-6), 0.5, 2.0)
    target_mean = src_mean + strength * (ref_mean - src_mean)
    lab = rgb2lab(rgb)
    lab = (lab - src_mean) * gain + target_mean
    lab[..., 0] = np.clip(lab[..., 0], 0, 100)
    out = encode_u8(lab_to_linear(lab))
    info = {"source_mean": _r(src_mean), "source_std": _r(src_std)}
    info.update(target_mean=_r(target_mean), gain=_r(gain))
    return out, info


def spill(new: np.ndarray, region: np.ndarray, radius: int) -> np.ndarray:
    """Light wrap source: the new content's colour blurred outward over ``radius`` px (normalised, so
    the kept side's pixels see only the new content's light, not black)."""
    k = 2 * max(1, radius) + 1
    weight = cv2.GaussianBlur(region.astype(np.float32), (k, k), 0)
    light = cv2.GaussianBlur(new.astype(np.float32) * region[..., None], (k, k), 0)
    return np.asarray(light / np.maximum(weight, 1e-3)[..., None])


def blend(base: np.ndarray, new: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """``base`` + ``weight``·(``new`` − ``base``), rounded; pixels with weight 0 are copied exactly."""
    w = weight[..., None].astype(np.float64)
    mixed = base.astype(np.float64) + w * (new.astype(np.float64) - base)
    out = np.clip(mixed + 0.5, 0, 255).astype(np.uint8)
    keep = weight <= 0
    out[keep] = base[keep]
    return out


def _r(values: np.ndarray) -> list[float]:
    return [round(float(v), 3) for v in values]
