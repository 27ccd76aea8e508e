"""Model-free measures on a face pair (reference vs variant), given dlib 5-point landmarks.

Landmarks: 0/1 outer/inner corner of one eye, 2/3 of the other, 4 base of the nose.
"""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.audit import colorspace

ECC_FACE_PX = 96  # faces are resampled to this width for the local alignment
ECC_MARGIN = 0.1


def proportion(points: np.ndarray) -> float:
    """Eye span (outer corner to outer corner) over eye-line-to-nose height: a horizontal length
    over a vertical one, so a horizontal or vertical stretch of the face moves it one-for-one."""
    span = float(np.linalg.norm(points[0] - points[2]))
    height = float(np.linalg.norm(points[4] - points[:4].mean(axis=0)))
    return span / max(height, 1e-6)


def eye_width(points: np.ndarray) -> float:
    return float((np.linalg.norm(points[0] - points[1]) + np.linalg.norm(points[2] - points[3])) / 2)


def local_anisotropy(
    reference: np.ndarray,
    variant: np.ndarray,
    box: tuple[float, float, float, float],
    exclude: np.ndarray | None = None,
) -> float | None:
    """sx/sy of the affine (ECC) that maps the reference's face region onto the variant's.

    Sub-pixel and model-free: a 5 % stretch of the face reads ~1.05 while the 5-point landmarks
    jitter by several percent. None when the regions cannot be aligned (e.g. another face).
    ``exclude`` (H×W bool, e.g. brand's logo / copy / scrim) is left out of the alignment: a
    scrim across the chin otherwise drags the affine and reads as a +10 % stretch.
    """
    height, width = variant.shape[:2]
    bw, bh = box[2] - box[0], box[3] - box[1]
    left, top = max(0, int(box[0] - ECC_MARGIN * bw)), max(0, int(box[1] - ECC_MARGIN * bh))
    right, bottom = (
        min(width, int(box[2] + ECC_MARGIN * bw) + 1),
        min(height, int(box[3] + ECC_MARGIN * bh) + 1),
    )
    if right - left < 8 or bottom - top < 8:
        return None
    zoom = ECC_FACE_PX / bw
    size = (max(8, round((right - left) * zoom)), max(8, round((bottom - top) * zoom)))
    interp = cv2.INTER_AREA if zoom < 1 else cv2.INTER_CUBIC

    def grey(rgb: np.ndarray) -> np.ndarray:
        crop = colorspace.luma(rgb[top:bottom, left:right])
        return cv2.resize(crop, size, interpolation=interp)

    start = np.eye(2, 3, dtype=np.float32)
    criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 100, 1e-6)
    valid = np.full((size[1], size[0]), 255, np.uint8)
    if exclude is not None:
        hidden = exclude[top:bottom, left:right].astype(np.uint8)
        valid[cv2.resize(hidden, size, interpolation=cv2.INTER_NEAREST) > 0] = 0
    try:
        _, found = cv2.findTransformECC(
            grey(reference), grey(variant), start, cv2.MOTION_AFFINE, criteria, valid, 5
        )
    except cv2.error:
        return None
    warp = np.asarray(found)
    sx, sy = float(np.hypot(*warp[:, 0])), float(np.hypot(*warp[:, 1]))
    if not (0.5 < sx / sy < 2.0):
        return None
    return sx / sy


def _iris_lab(
    rgb: np.ndarray, outer: np.ndarray, inner: np.ndarray, gains: np.ndarray | None = None
) -> np.ndarray:
    """Median Lab of the darker 40 % of pixels between the eye corners (iris and pupil)."""
    axis = inner - outer
    width = float(np.linalg.norm(axis))
    normal = np.array([-axis[1], axis[0]]) / max(width, 1e-6)
    corners = [
        outer + 0.15 * axis + 0.25 * width * normal,
        outer + 0.85 * axis + 0.25 * width * normal,
        outer + 0.85 * axis - 0.25 * width * normal,
        outer + 0.15 * axis - 0.25 * width * normal,
    ]
    mask = np.zeros(rgb.shape[:2], np.uint8)
    cv2.fillPoly(mask, [np.round(np.array(corners)).astype(np.int32)], 1)
    pixels = rgb[mask > 0]
    if len(pixels) < 4:
        pixels = rgb[round(outer[1]), round(outer[0])][None]
    if gains is not None:
        pixels = colorspace.to_encoded(colorspace.to_linear(pixels) * gains)
    lab = colorspace.lab(pixels[None])[0]
    dark = lab[lab[:, 0] <= np.percentile(lab[:, 0], 40)]
    return np.median(dark, axis=0)


def eye_delta_e(
    variant: np.ndarray,
    variant_points: np.ndarray,
    reference: np.ndarray,
    reference_points: np.ndarray,
    gains: np.ndarray,
) -> float:
    """Worst eye's ΔE2000, variant vs reference, with the variant's global cast (``gains``:
    linear per-channel, variant → reference grey world) divided out."""
    worst = 0.0
    for outer, inner in ((0, 1), (2, 3)):
        v = _iris_lab(variant, variant_points[outer], variant_points[inner], gains)
        r = _iris_lab(reference, reference_points[outer], reference_points[inner])
        worst = max(worst, float(colorspace.delta_e2000(v[None], r[None])[0]))
    return worst
