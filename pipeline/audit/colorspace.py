"""Colour maths the audit shares: sRGB → linear → Y / L* / Lab, grey-world CCT, ΔE2000.

All functions take 8-bit sRGB arrays (H, W, 3) and work in float32. Definitions follow
../shared/reference/audit_specs.md §1: relative luminance from *linearised* sRGB (not skimage's
``rgb2gray``, which is luma), L* from Y, McCamy 1992 for CCT on the grey-world illuminant.
"""

from __future__ import annotations

import cv2
import numpy as np
from skimage.color import deltaE_ciede2000, rgb2lab

_SRGB_TO_XYZ = np.array(
    [[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750], [0.0193339, 0.1191920, 0.9503041]]
)
Y_WEIGHTS = _SRGB_TO_XYZ[1]
_EPS = 216 / 24389
_KAPPA = 24389 / 27


def _linear_lut() -> np.ndarray:
    c = np.arange(256, dtype=np.float64) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4).astype(np.float32)


LINEAR_LUT = _linear_lut()


def to_linear(rgb: np.ndarray) -> np.ndarray:
    """8-bit sRGB → linear RGB in 0–1 (exact, via a lookup table)."""
    return LINEAR_LUT[rgb]


def to_encoded(linear: np.ndarray) -> np.ndarray:
    """Linear RGB (0–1, float) → 8-bit sRGB, rounded and clipped."""
    c = np.clip(linear, 0.0, 1.0)
    enc = np.where(c <= 0.0031308, c * 12.92, 1.055 * np.power(c, 1 / 2.4) - 0.055)
    return np.clip(np.rint(enc * 255.0), 0, 255).astype(np.uint8)


def lightness(rgb: np.ndarray) -> np.ndarray:
    """CIE L* (0–100) of each pixel, from relative luminance Y of linearised sRGB."""
    return lightness_of_linear(to_linear(rgb))


def lightness_of_linear(lin: np.ndarray) -> np.ndarray:
    return lightness_of_y(lin[..., 0] * 0.2126729 + lin[..., 1] * 0.7151522 + lin[..., 2] * 0.0721750)


def lightness_of_y(y: np.ndarray) -> np.ndarray:
    """CIE L* from relative luminance Y (0–1)."""
    y = np.asarray(y)
    return np.where(y > _EPS, 116.0 * np.cbrt(y) - 16.0, _KAPPA * y).astype(np.float32)


_LUMA = np.array([[0.2126, 0.7152, 0.0722]], np.float32)


def luma(rgb: np.ndarray) -> np.ndarray:
    """Gamma-domain luma (0–255, float32): where grain and sharpness are measured (§1c)."""
    return cv2.transform(np.ascontiguousarray(rgb, dtype=np.float32), _LUMA)


def lab(rgb: np.ndarray) -> np.ndarray:
    """CIELAB (D65, 2°) of 8-bit sRGB pixels."""
    return rgb2lab(rgb).astype(np.float32)


def mccamy_cct(xy: tuple[float, float]) -> float:
    """Correlated colour temperature (K) of chromaticity ``xy`` (McCamy 1992)."""
    n = (xy[0] - 0.3320) / (xy[1] - 0.1858)
    return float(-449.0 * n**3 + 3525.0 * n**2 - 6823.3 * n + 5520.33)


_OHNO_K = (-0.471106, 1.925865, -2.4243787, 1.5317403, -0.5179722, 0.0893944, -0.00616793)


def duv(xy: tuple[float, float]) -> float:
    """Distance from the Planckian locus in CIE 1960 uv (Ohno 2013 polynomial): the green(+) /
    magenta(−) tint that CCT alone does not see."""
    x, y = xy
    d = -2 * x + 12 * y + 3
    u, v = 4 * x / d, 6 * y / d
    lfp = float(np.hypot(u - 0.292, v - 0.24))
    a = float(np.arccos((u - 0.292) / lfp))
    lbb = sum(k * a**i for i, k in enumerate(_OHNO_K))
    return lfp - lbb


def grey_world(rgb: np.ndarray, mask: np.ndarray | None = None, *, linear: bool = False) -> np.ndarray:
    """Mean *linear* RGB of the (masked) pixels: the grey-world illuminant estimate.

    ``linear=True``: ``rgb`` is already linear float32.
    """
    lin = rgb if linear else to_linear(rgb)
    if lin.ndim == 2:  # a list of pixels
        values = lin if mask is None else lin[mask]
        return values.mean(axis=0, dtype=np.float64)
    m = None if mask is None else mask.astype(np.uint8)
    return np.array(cv2.mean(np.ascontiguousarray(lin, dtype=np.float32), mask=m)[:3], np.float64)


def linear_rgb_to_xy(linear_rgb: np.ndarray) -> tuple[float, float]:
    xyz = _SRGB_TO_XYZ @ np.asarray(linear_rgb, dtype=np.float64)
    total = float(xyz.sum()) or 1e-12
    return (float(xyz[0] / total), float(xyz[1] / total))


def grey_world_cct(rgb: np.ndarray, mask: np.ndarray | None = None, *, linear: bool = False) -> float:
    """Grey-world CCT of an image: content-dependent, so compare it only with the aligned master."""
    return mccamy_cct(linear_rgb_to_xy(grey_world(rgb, mask, linear=linear)))


def grey_world_white(linear: np.ndarray, mask: np.ndarray | None = None) -> tuple[float, float]:
    """(CCT in K, Duv) of the grey-world illuminant of a linear image."""
    xy = linear_rgb_to_xy(grey_world(linear, mask, linear=True))
    return mccamy_cct(xy), duv(xy)


def delta_e2000(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    return deltaE_ciede2000(lab1, lab2).astype(np.float32)


def mired(kelvin: float) -> float:
    return 1e6 / kelvin
