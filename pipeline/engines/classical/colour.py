"""Colour maths shared by the region ops: sRGB ↔ linear, Y, L*, Lab → sRGB, grey-world CCT.

Definitions follow reference/audit_specs.md §1a/§1d: Y from *linearised* sRGB (Rec.709 weights),
L* = 116·∛Y − 16 (linear below 216/24389), CCT by McCamy 1992 on the grey-world xy.
The inverse Lab → sRGB is written out here because skimage's ``lab2rgb`` clips silently and warns
on out-of-gamut input; the ops need to know *which* pixels leave the gamut to map them back.
"""

from __future__ import annotations

import numpy as np

# sRGB (D65) linear RGB → XYZ and back (IEC 61966-2-1).
RGB_TO_XYZ = np.array(
    [[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750], [0.0193339, 0.1191920, 0.9503041]]
)
XYZ_TO_RGB = np.linalg.inv(RGB_TO_XYZ)
D65 = np.array([0.95047, 1.0, 1.08883])
Y_WEIGHTS = np.array([0.2126, 0.7152, 0.0722])
_EPS = 216 / 24389
_KAPPA = 24389 / 27


def to_linear(srgb: np.ndarray) -> np.ndarray:
    """Encoded sRGB in [0, 1] → linear light."""
    srgb = np.asarray(srgb, dtype=np.float64)
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


_LINEAR_LUT = to_linear(np.arange(256) / 255.0)


def linear_u8(rgb_u8: np.ndarray) -> np.ndarray:
    """uint8 sRGB → linear light (float64), by table: 2 MP images are converted in milliseconds."""
    return np.asarray(_LINEAR_LUT[np.asarray(rgb_u8, dtype=np.uint8)])


def to_srgb(linear: np.ndarray) -> np.ndarray:
    """Linear light → encoded sRGB (not clipped; negative input stays linear)."""
    linear = np.asarray(linear, dtype=np.float64)
    out = linear * 12.92
    high = linear > 0.0031308
    out[high] = 1.055 * np.power(linear[high], 1 / 2.4) - 0.055
    return out


def encode_u8(linear: np.ndarray) -> np.ndarray:
    """Linear light → uint8 sRGB, clipped and rounded."""
    return np.clip(to_srgb(np.clip(linear, 0, 1)) * 255 + 0.5, 0, 255).astype(np.uint8)


def luminance(linear_rgb: np.ndarray) -> np.ndarray:
    """Relative luminance Y of linear RGB (…, 3)."""
    return np.asarray(linear_rgb @ Y_WEIGHTS)


def lstar_from_y(y: np.ndarray) -> np.ndarray:
    y = np.asarray(y, dtype=np.float64)
    return np.where(y > _EPS, 116 * np.cbrt(np.maximum(y, _EPS)) - 16, _KAPPA * y)


def y_from_lstar(lstar: np.ndarray) -> np.ndarray:
    lstar = np.asarray(lstar, dtype=np.float64)
    return np.where(lstar > 8.0, ((lstar + 16) / 116) ** 3, lstar / _KAPPA)


def lstar(rgb_u8: np.ndarray) -> np.ndarray:
    """L* (0–100) of a uint8 RGB array."""
    return lstar_from_y(luminance(linear_u8(rgb_u8)))


def lab_to_linear(lab: np.ndarray) -> np.ndarray:
    """CIELAB (D65) → linear sRGB, unclipped (values outside [0, 1] are out of gamut)."""
    lab = np.asarray(lab, dtype=np.float64)
    fy = (lab[..., 0] + 16) / 116
    fx = fy + lab[..., 1] / 500
    fz = fy - lab[..., 2] / 200
    f = np.stack([fx, fy, fz], axis=-1)
    cube = f * f * f
    xyz = np.where(cube > _EPS, cube, (116 * f - 16) / _KAPPA) * D65
    return np.asarray(xyz @ XYZ_TO_RGB.T)


def grey_world_cct(rgb_u8: np.ndarray, mask: np.ndarray | None = None) -> float:
    """Correlated colour temperature (K) of the grey-world illuminant: mean linear RGB → xy → McCamy."""
    lin = linear_u8(np.asarray(rgb_u8)[..., :3])
    mean = lin[mask > 0].mean(axis=0) if mask is not None else lin.reshape(-1, 3).mean(axis=0)
    xyz = RGB_TO_XYZ @ mean
    x, y = xyz[0] / xyz.sum(), xyz[1] / xyz.sum()
    n = (x - 0.3320) / (y - 0.1858)
    return float(-449 * n**3 + 3525 * n**2 - 6823.3 * n + 5520.33)
