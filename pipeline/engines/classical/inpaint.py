"""Hole filling for the classical engine: OpenCV's Telea inpainting, multi-scale for large holes,
with the image's grain put back so filled patches don't look plastic.

Telea's fast-marching fill is good a few pixels deep and smears into streaks deeper in; a large
hole is therefore filled at a coarse scale first (where it is small), and the full-size fill is
used only near the hole's edge, cross-fading into the coarse fill inside.
"""

from __future__ import annotations

import cv2
import numpy as np
from skimage.restoration import estimate_sigma

TELEA_RADIUS = 3
# Holes deeper than this (px from the nearest kept pixel) are filled coarse-to-fine.
DIRECT_DEPTH = 8
# Depth the coarse level's hole is shrunk to.
COARSE_DEPTH = 6


def inpaint(rgb: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """Fill ``hole`` (bool H×W) of a uint8 RGB image; pixels outside the hole are returned unchanged."""
    if not hole.any():
        return rgb.copy()
    hole_u8 = hole.astype(np.uint8)
    depth = float(cv2.distanceTransform(hole_u8, cv2.DIST_L2, 3).max())
    fine = cv2.inpaint(rgb, hole_u8, TELEA_RADIUS, cv2.INPAINT_TELEA)
    if depth > DIRECT_DEPTH and min(rgb.shape[:2]) >= 16:
        factor = depth / COARSE_DEPTH
        size = (max(8, round(rgb.shape[1] / factor)), max(8, round(rgb.shape[0] / factor)))
        small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
        # Any coverage by the hole makes a coarse pixel a hole: its colour is contaminated.
        small_hole = cv2.resize(hole.astype(np.float32), size, interpolation=cv2.INTER_AREA) > 0
        full_size = (rgb.shape[1], rgb.shape[0])
        coarse = cv2.resize(inpaint(small, small_hole), full_size, interpolation=cv2.INTER_CUBIC)
        # Weight of the coarse fill: 0 at the hole's edge, 1 deeper than 2·DIRECT_DEPTH.
        dist = cv2.distanceTransform(hole_u8, cv2.DIST_L2, 3)
        w = np.clip((dist - DIRECT_DEPTH / 2) / DIRECT_DEPTH, 0.0, 1.0)[..., None]
        fine = np.clip(fine * (1 - w) + coarse.astype(np.float32) * w + 0.5, 0, 255).astype(np.uint8)
    out = rgb.copy()
    out[hole] = fine[hole]
    return out


def grain_sigma(rgb: np.ndarray) -> np.ndarray:
    """Per-channel noise σ (8-bit units): robust wavelet MAD estimate (Donoho–Johnstone)."""
    sigmas = estimate_sigma(rgb.astype(np.float64), channel_axis=-1, average_sigmas=False)
    return np.asarray(sigmas, dtype=np.float64)


def add_grain(rgb: np.ndarray, hole: np.ndarray, sigma: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Add Gaussian grain of per-channel ``sigma`` inside ``hole`` only (luma-correlated like film/sensor
    grain: one shared field scaled per channel, plus a little independent chroma noise)."""
    if not hole.any() or float(sigma.max()) <= 0:
        return rgb.copy()
    count = int(hole.sum())
    shared = rng.standard_normal((count, 1))
    own = rng.standard_normal((count, 3))
    noise = (0.8 * shared + 0.6 * own) * sigma[None, :]  # 0.8² + 0.6² = 1: total σ per channel kept
    out = rgb.copy()
    out[hole] = np.clip(rgb[hole].astype(np.float64) + noise + 0.5, 0, 255).astype(np.uint8)
    return out
