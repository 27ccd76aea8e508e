"""Texture and tone measures over (optionally masked) images.

Sharpness and grain are measured on gamma-domain luma (0–255), never compared raw across sizes:
callers divide by the same measure of the aligned reference (audit_specs.md §1b–1c). Means and
variances go through OpenCV (double accumulators, no boolean-index copies of 2 Mpx planes).
"""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.audit import colorspace

# Black/white points are a property of the picture, not of its noise: percentiles of a lightly
# smoothed luminance stop added grain (σ4/255 moves raw p0.1 by ~4 L*) from reading as a lifted black.
TONE_SMOOTH_SIGMA = 2.0
PERCENTILES = (0.1, 0.5, 50.0, 99.5, 99.9)
# db2 high-pass analysis filter (pywt.Wavelet("db2").dec_hi, reversed for correlation).
_DB2_HI = np.array(
    [-0.12940952255126037, -0.2241438680420134, 0.8365163037378079, -0.48296291314453416], np.float32
)


def shrink_mask(mask: np.ndarray | None, pixels: int) -> np.ndarray | None:
    """Erode a boolean mask so that measures near its edge (seams, frame) are left out."""
    if mask is None:
        return None
    kernel = np.ones((2 * pixels + 1, 2 * pixels + 1), np.uint8)
    return cv2.erode(mask.astype(np.uint8), kernel, borderType=cv2.BORDER_CONSTANT, borderValue=0) > 0


def tone_percentiles(linear: np.ndarray, mask: np.ndarray | None = None) -> dict[str, float]:
    """L* at p0.1/p0.5/p50/p99.5/p99.9 of the luminance smoothed with σ = 2 px (TONE_SMOOTH_SIGMA)."""
    y = linear[..., 0] * 0.2126729 + linear[..., 1] * 0.7151522 + linear[..., 2] * 0.0721750
    smooth = cv2.GaussianBlur(y, (0, 0), TONE_SMOOTH_SIGMA, borderType=cv2.BORDER_REFLECT)
    if smooth.size > 1_000_000:  # smoothed, so every other pixel carries the same information
        smooth = smooth[::2, ::2]
        mask = None if mask is None else mask[::2, ::2]
    values = smooth[mask] if mask is not None else smooth.ravel()
    if values.size == 0:
        raise ValueError("no pixels to measure")
    p = colorspace.lightness_of_y(np.percentile(values, PERCENTILES))
    return {
        "p0.1": float(p[0]),
        "p0.5": float(p[1]),
        "median": float(p[2]),
        "p99.5": float(p[3]),
        "p99.9": float(p[4]),
    }


def _region(plane: np.ndarray, mask: np.ndarray | None, border: int) -> tuple[np.ndarray, np.ndarray | None]:
    """The plane without its outer ``border`` px, and the (eroded) mask as uint8 for OpenCV."""
    inner = plane[border:-border, border:-border]
    if mask is None:
        return inner, None
    eroded = shrink_mask(mask, border)
    assert eroded is not None
    return inner, eroded[border:-border, border:-border].astype(np.uint8)


def _mean(values: np.ndarray, mask: np.ndarray | None) -> float:
    if mask is not None and not mask.any():
        return 0.0
    return float(cv2.mean(values, mask=mask)[0])


def laplacian_variance(luma: np.ndarray, mask: np.ndarray | None = None) -> float:
    """var(∇²I) (Pech-Pacheco 2000): the most blur- and sharpen-sensitive measure (§1b)."""
    lap, m = _region(cv2.Laplacian(luma, cv2.CV_32F, ksize=1), mask, 2)
    if m is not None and not m.any():
        return 0.0
    _, std = cv2.meanStdDev(lap, mask=m)
    return float(std[0, 0]) ** 2


def tenengrad(luma: np.ndarray, mask: np.ndarray | None = None) -> float:
    """mean(Gx² + Gy²) with 3×3 Sobel (Pertuz 2013): edges, barely moved by grain or JPEG."""
    gx = cv2.Sobel(luma, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(luma, cv2.CV_32F, 0, 1, ksize=3)
    energy, m = _region(cv2.add(cv2.multiply(gx, gx), cv2.multiply(gy, gy)), mask, 2)
    return _mean(energy, m)


def wavelet_sigma(luma: np.ndarray, mask: np.ndarray | None = None) -> float:
    """Grain σ (8-bit units): MAD/0.6745 of the finest diagonal db2 detail (Donoho–Johnstone),
    the estimator of ``skimage.restoration.estimate_sigma``, restricted to a mask."""
    detail = cv2.sepFilter2D(luma, cv2.CV_32F, _DB2_HI, _DB2_HI, borderType=cv2.BORDER_REFLECT)[1::2, 1::2]
    inner, m = _region(detail, None if mask is None else mask[1::2, 1::2], 2)
    coeffs = inner[m > 0] if m is not None else inner.ravel()
    return float(np.median(np.abs(coeffs)) / 0.6745) if coeffs.size else 0.0


DETAIL_TILES = 6  # the frame is split 6 × 6; a local edit (a pasted face) moves only its tiles
DETAIL_MIN_STD = 1.0  # 8-bit σ of a tile's reference detail below which JPEG noise dominates it


def _dog(luma: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.subtract(
        cv2.GaussianBlur(luma, (0, 0), sigma, borderType=cv2.BORDER_REFLECT),
        cv2.GaussianBlur(luma, (0, 0), 2 * sigma, borderType=cv2.BORDER_REFLECT),
    )


def detail_correlation(
    variant: np.ndarray, reference: np.ndarray, mask: np.ndarray | None = None, sigma: float = 1.0
) -> float | None:
    """Median over tiles of the correlation between the variant's and the reference's finest detail
    (difference of Gaussians σ / 2σ, σ at the master's pixel scale): ≈ 1 where details sit where
    the master has them. Blur, grain, pixelation and fine wobble (elastic warps) lower it; tone and
    colour changes do not. Tiles with too little reference detail or mostly masked are left out;
    None when fewer than 4 remain."""
    dv, dr = _dog(variant, sigma), _dog(reference, sigma)
    height, width = dv.shape
    margin = int(np.ceil(2 * sigma))
    values = []
    for i in range(DETAIL_TILES):
        for j in range(DETAIL_TILES):
            rows = slice(
                max(margin, i * height // DETAIL_TILES),
                min(height - margin, (i + 1) * height // DETAIL_TILES),
            )
            cols = slice(
                max(margin, j * width // DETAIL_TILES), min(width - margin, (j + 1) * width // DETAIL_TILES)
            )
            a, b = dv[rows, cols], dr[rows, cols]
            if mask is not None:
                keep = mask[rows, cols]
                if keep.mean() < 0.5:
                    continue
                a, b = a[keep], b[keep]
            if a.size < 64 or float(b.std()) < DETAIL_MIN_STD:
                continue
            a, b = a - a.mean(), b - b.mean()
            norm = float(np.sqrt((a * a).sum() * (b * b).sum()))
            values.append(float((a * b).sum()) / norm if norm > 0 else 0.0)
    return float(np.median(values)) if len(values) >= 4 else None
