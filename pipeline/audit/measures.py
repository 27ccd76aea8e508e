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
    if mask is None:
        smooth = cv2.GaussianBlur(y, (0, 0), TONE_SMOOTH_SIGMA, borderType=cv2.BORDER_REFLECT)
    else:  # normalised: pixels outside the mask (a panel, a fill) never bleed into those inside
        weight = mask.astype(np.float32)
        num = cv2.GaussianBlur(y * weight, (0, 0), TONE_SMOOTH_SIGMA, borderType=cv2.BORDER_REFLECT)
        den = cv2.GaussianBlur(weight, (0, 0), TONE_SMOOTH_SIGMA, borderType=cv2.BORDER_REFLECT)
        smooth = num / np.maximum(den, 1e-6)
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


DETAIL_TILE_PX = 32  # tiles this size (at the master's scale): a 5 % liquify moves detail < 1 px across one
DETAIL_MAX_TILES = 400
DETAIL_MIN_STD = 1.0  # 8-bit σ of a tile's reference detail below which JPEG noise dominates it
DETAIL_SHIFT = 3  # px at the master's scale: each tile may sit this far off and still line up


def detail_correlation(
    variant: np.ndarray, reference: np.ndarray, mask: np.ndarray | None = None, scale: float = 1.0
) -> float | None:
    """Median over tiles of how well the variant's finest detail lines up with the reference's.

    Both lumas are brought to the master's pixel scale (``scale``: variant px per master px, when
    > 1) and band-passed (difference of Gaussians σ 1 / 2 px); each tile's correlation is the best
    over shifts of up to DETAIL_SHIFT px, so a smooth local warp (a liquified face, a 1 px
    registration error) still lines up while detail that is scrambled inside the tile — fine
    wobble (elastic warps), blur, grain, pixelation — does not. Tone and colour changes do not
    move it. Tiles with too little reference detail or mostly masked are left out; None when
    fewer than 4 remain."""
    if scale > 1.0:
        size = (max(8, round(variant.shape[1] / scale)), max(8, round(variant.shape[0] / scale)))
        variant, reference = (cv2.resize(p, size, interpolation=cv2.INTER_AREA) for p in (variant, reference))
        if mask is not None:
            mask = cv2.resize(mask.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST) > 0
    dv, dr = _dog(variant, 1.0), _dog(reference, 1.0)
    height, width = dv.shape
    tile = DETAIL_TILE_PX
    # a regular grid of tiles, spaced out on large frames so that at most DETAIL_MAX_TILES are read
    step = max(tile, int(np.ceil(np.sqrt(height * width / DETAIL_MAX_TILES))))
    values = []
    for top in range(0, height - tile + 1, step):
        for left in range(0, width - tile + 1, step):
            rows, cols = slice(top, top + tile), slice(left, left + tile)
            if mask is not None and mask[rows, cols].mean() < 0.9:
                continue
            ref = dr[rows, cols]
            core = dv[rows, cols][DETAIL_SHIFT:-DETAIL_SHIFT, DETAIL_SHIFT:-DETAIL_SHIFT]
            if float(ref.std()) < DETAIL_MIN_STD or float(core.std()) <= 0:
                continue
            values.append(float(cv2.matchTemplate(ref, core, cv2.TM_CCOEFF_NORMED).max()))
    return float(np.median(values)) if len(values) >= 4 else None


def _dog(luma: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.subtract(
        cv2.GaussianBlur(luma, (0, 0), sigma, borderType=cv2.BORDER_REFLECT),
        cv2.GaussianBlur(luma, (0, 0), 2 * sigma, borderType=cv2.BORDER_REFLECT),
    )
