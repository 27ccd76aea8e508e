"""Speck detection: small, high-contrast, *isolated* blobs (dust, dirt, hot pixels, stray fragments).

A speck differs strongly from the median-filtered luminance around it, is small, and sits on a
calm background. Real detail — eye highlights, lettering, hair, fabric — is also small and
contrasty, but it sits on structure: the ring around it is busy (edges, other blobs) or it has
many similar neighbours. Those tests are what keep real detail untouched.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np
from scipy.spatial import cKDTree

from pipeline.engines.classical.colour import lstar

# A speck's background ring may vary by at most this share of the speck's own contrast (a 10σ
# outlier) … grain, wood and skin texture make 1–3 px blobs at 4–8σ; real dust is far stronger.
RING_STD_VS_CONTRAST = 0.1
# … and by at most this much in absolute L*/100 (textured surfaces exceed it).
RING_STD_MAX = 0.05
# Share of the ring made of other candidate pixels above which the blob is part of a pattern.
RING_BUSY_MAX = 0.08
# Dust is compact; longer blobs are creases, hairs, whiskers, nostrils (principal-axis ratio).
ELONGATION_MAX = 4.0
# Small candidate blobs within the cluster radius that make a patch "textured" (lettering, foliage).
CLUSTER_MAX = 3
# Contrast threshold never falls below this many noise σ, so grain is never taken for dust.
NOISE_FACTOR = 6.0


@dataclass(frozen=True)
class Speck:
    box: tuple[int, int, int, int]  # left, top, right, bottom (exclusive) in image pixels
    area: int
    contrast: float  # |L* − ring mean| / 100 at the blob's extreme pixel


@dataclass
class SpeckScan:
    specks: list[Speck]
    mask: np.ndarray  # bool H×W: pixels of accepted specks (not dilated)
    threshold: float  # contrast threshold used (L*/100)
    noise_sigma: float  # robust noise estimate of L*/100
    rejected: dict[str, int] = field(default_factory=dict)  # why candidates were kept as detail


def median_window(max_area: int) -> int:
    """Odd median window in which a blob of ``max_area`` px is a minority (< ¼ of the window)."""
    k = math.ceil(math.sqrt(4 * max_area))
    return max(5, k + 1 - k % 2)


def noise_sigma(lum: np.ndarray) -> float:
    """Robust noise σ: MAD of the residual from a 3×3 median, in the units of ``lum``."""
    u8 = np.clip(lum * 255 + 0.5, 0, 255).astype(np.uint8)
    residual = lum - cv2.medianBlur(u8, 3).astype(np.float32) / 255
    # The 3×3 median keeps part of the noise; 1.6 ≈ corrects for it on Gaussian noise (measured).
    return float(1.4826 * 1.6 * np.median(np.abs(residual)))


def detect_specks(
    rgb: np.ndarray, max_area: int, min_contrast: float, protect: np.ndarray | None = None
) -> SpeckScan:
    """Find isolated specks of area ≤ ``max_area`` px and contrast ≥ ``min_contrast`` (L*/100).

    Blobs touching ``protect`` (bool H×W, e.g. detected faces) are never reported.
    """
    lum = (lstar(rgb[..., :3]) / 100.0).astype(np.float32)
    u8 = np.clip(lum * 255 + 0.5, 0, 255).astype(np.uint8)
    background = cv2.medianBlur(u8, median_window(max_area)).astype(np.float32) / 255
    diff = lum - background
    sigma = noise_sigma(lum)
    threshold = max(min_contrast, NOISE_FACTOR * sigma)
    candidates = np.abs(diff) > threshold
    # Pixels that stand out a little: excluded from the ring statistics (faint halo, other blobs).
    busy = (np.abs(diff) > threshold / 2).astype(np.uint8)

    blobs: list[tuple[Speck, np.ndarray, tuple[int, int]]] = []
    reasons = ("too_large", "protected", "elongated", "on_structure", "in_pattern", "in_cluster")
    rejected = dict.fromkeys(reasons, 0)
    for polarity in (diff > threshold, diff < -threshold):
        count, labels, stats, _ = cv2.connectedComponentsWithStats(polarity.astype(np.uint8), connectivity=8)
        for i in range(1, count):
            x, y, w, h, area = (int(v) for v in stats[i])
            if area > max_area:
                rejected["too_large"] += 1
                continue
            if protect is not None and protect[y : y + h, x : x + w][labels[y : y + h, x : x + w] == i].any():
                rejected["protected"] += 1
                continue
            if area > 2 and _elongation(labels[y : y + h, x : x + w] == i) > ELONGATION_MAX:
                rejected["elongated"] += 1
                continue
            verdict = _isolation(lum, labels, busy, i, (x, y, w, h), area)
            if isinstance(verdict, str):
                rejected[verdict] += 1
                continue
            comp = labels[y : y + h, x : x + w] == i
            blobs.append((Speck((x, y, x + w, y + h), area, verdict), comp, (x, y)))

    blobs = _drop_clusters(blobs, max_area, candidates, rejected)
    mask = np.zeros(lum.shape, bool)
    for _, comp, (x, y) in blobs:
        mask[y : y + comp.shape[0], x : x + comp.shape[1]] |= comp
    return SpeckScan([b[0] for b in blobs], mask, threshold, sigma, rejected)


def _elongation(comp: np.ndarray) -> float:
    """Ratio of a blob's principal axes (1 = round); +0.1 px² keeps 1-px-wide blobs finite."""
    ys, xs = np.nonzero(comp)
    cov = np.cov(np.stack([xs, ys]).astype(np.float64))
    small, large = np.linalg.eigvalsh(cov)
    return math.sqrt((large + 0.1) / (max(small, 0.0) + 0.1))


def _isolation(
    lum: np.ndarray,
    labels: np.ndarray,
    busy: np.ndarray,
    index: int,
    rect: tuple[int, int, int, int],
    area: int,
) -> float | str:
    """The blob's contrast if it sits on a calm background, else the reason it is detail."""
    x, y, w, h = rect
    gap = 2  # skip the blob's own soft edge (anti-aliasing, JPEG halo)
    width = max(3, round(math.sqrt(area)))  # ring thickness grows with the blob
    pad = gap + width
    height_img, width_img = lum.shape
    x0, y0 = max(0, x - pad), max(0, y - pad)
    x1, y1 = min(width_img, x + w + pad), min(height_img, y + h + pad)
    comp = (labels[y0:y1, x0:x1] == index).astype(np.uint8)
    inner = cv2.dilate(comp, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * gap + 1, 2 * gap + 1)))
    outer = cv2.dilate(comp, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * pad + 1, 2 * pad + 1)))
    ring = (outer > 0) & (inner == 0)
    ring_busy = ring & (busy[y0:y1, x0:x1] > 0)
    if ring_busy.sum() > RING_BUSY_MAX * ring.sum():
        return "in_pattern"
    calm = ring & ~ring_busy
    values = lum[y0:y1, x0:x1][calm]
    if values.size < 8:
        return "in_pattern"
    ring_mean, ring_std = float(values.mean()), float(values.std())
    contrast = float(np.abs(lum[y0:y1, x0:x1][comp > 0] - ring_mean).max())
    if ring_std > RING_STD_MAX or ring_std > RING_STD_VS_CONTRAST * contrast:
        return "on_structure"
    return contrast


def _drop_clusters(
    blobs: list[tuple[Speck, np.ndarray, tuple[int, int]]],
    max_area: int,
    candidates: np.ndarray,
    rejected: dict[str, int],
) -> list[tuple[Speck, np.ndarray, tuple[int, int]]]:
    """Reject blobs with many candidate blobs nearby: lettering and texture come in groups, dust rarely."""
    if not blobs:
        return blobs
    _, _, stats, centroids = cv2.connectedComponentsWithStats(candidates.astype(np.uint8), connectivity=8)
    small = centroids[1:][stats[1:, cv2.CC_STAT_AREA] <= max_area]
    tree = cKDTree(small) if len(small) else None
    radius = 2 * math.sqrt(max_area) + 6
    kept = []
    for blob in blobs:
        box = blob[0].box
        centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
        neighbours = len(tree.query_ball_point(centre, radius)) - 1 if tree is not None else 0
        if neighbours > CLUSTER_MAX:
            rejected["in_cluster"] += 1
        else:
            kept.append(blob)
    return kept
