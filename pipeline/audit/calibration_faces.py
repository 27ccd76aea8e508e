"""Face perturbations for the calibration set, applied to the master before the variant is made:
a smooth 5 % stretch of the face, a hue change of the irises, another person's face pasted in.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from pipeline.audit import colorspace
from pipeline.audit.faces import Face


def _ellipse_weight(
    shape: tuple[int, ...], centre: np.ndarray, axes: tuple[float, float], core: float = 0.6
) -> np.ndarray:
    """1 inside ``core`` of the ellipse, cosine taper to 0 at its edge."""
    ys, xs = np.mgrid[0 : shape[0], 0 : shape[1]].astype(np.float32)
    r = np.sqrt(((xs - centre[0]) / axes[0]) ** 2 + ((ys - centre[1]) / axes[1]) ** 2)
    t = np.clip((r - core) / (1 - core), 0, 1)
    return (0.5 + 0.5 * np.cos(np.pi * t)).astype(np.float32)


def _around_face(
    rgb: np.ndarray, face: Face, margin: float, edit: Callable[[np.ndarray, Face], np.ndarray]
) -> np.ndarray:
    """Run ``edit`` on a crop around the face (face coordinates shifted into it) and paste it back."""
    left, top, right, bottom = face.box
    w, h = right - left, bottom - top
    x0, y0 = max(0, int(left - margin * w)), max(0, int(top - margin * h))
    x1, y1 = min(rgb.shape[1], int(right + margin * w) + 1), min(rgb.shape[0], int(bottom + margin * h) + 1)
    shifted = Face((left - x0, top - y0, right - x0, bottom - y0), face.points - [x0, y0], face.descriptor)
    out = rgb.copy()
    out[y0:y1, x0:x1] = edit(np.ascontiguousarray(rgb[y0:y1, x0:x1]), shifted)
    return out


def stretch_face(rgb: np.ndarray, face: Face, amount: float = 0.05, axis: int = 0) -> np.ndarray:
    """Liquify-style stretch: the face core scaled by 1 + ``amount`` along ``axis`` (0 = x), tapering off."""
    return _around_face(rgb, face, 1.0, lambda crop, f: _stretch(crop, f, amount, axis))


def _stretch(rgb: np.ndarray, face: Face, amount: float, axis: int) -> np.ndarray:
    left, top, right, bottom = face.box
    centre = np.array([(left + right) / 2, (top + bottom) / 2])
    weight = _ellipse_weight(rgb.shape, centre, ((right - left) * 0.8, (bottom - top) * 0.9))
    ys, xs = np.mgrid[0 : rgb.shape[0], 0 : rgb.shape[1]].astype(np.float32)
    grid = [xs, ys]
    grid[axis] = centre[axis] + (grid[axis] - centre[axis]) / (1 + amount * weight)
    return cv2.remap(
        rgb,
        grid[0].astype(np.float32),
        grid[1].astype(np.float32),
        cv2.INTER_LANCZOS4,
        borderMode=cv2.BORDER_REFLECT,
    )


def recolor_eyes(rgb: np.ndarray, face: Face, hue_degrees: float = 180.0) -> np.ndarray:
    """Rotate the hue of the dark (iris) pixels of both eyes, feathered, lightness kept."""
    return _around_face(rgb, face, 0.2, lambda crop, f: _recolor(crop, f, hue_degrees))


def _recolor(rgb: np.ndarray, face: Face, hue_degrees: float) -> np.ndarray:
    mask = np.zeros(rgb.shape[:2], np.float32)
    for outer, inner in ((0, 1), (2, 3)):
        a, b = face.points[outer], face.points[inner]
        width = float(np.linalg.norm(b - a))
        centre = (a + b) / 2
        cv2.ellipse(
            mask,
            (round(centre[0]), round(centre[1])),
            (round(0.32 * width), round(0.3 * width)),
            0,
            0,
            360,
            1.0,
            -1,
        )
    lab = colorspace.lab(rgb)
    mask *= lab[..., 0] < 50  # the iris, not the white of the eye or the lids
    mask = np.asarray(cv2.GaussianBlur(mask, (0, 0), 1.0), np.float32)
    theta = np.deg2rad(hue_degrees)
    a2 = lab[..., 1] * np.cos(theta) - lab[..., 2] * np.sin(theta)
    b2 = lab[..., 1] * np.sin(theta) + lab[..., 2] * np.cos(theta)
    out = lab.copy()
    out[..., 1] = lab[..., 1] * (1 - mask) + a2 * mask
    out[..., 2] = lab[..., 2] * (1 - mask) + b2 * mask
    from skimage.color import lab2rgb

    return np.clip(lab2rgb(out) * 255, 0, 255).round().astype(np.uint8)


def paste_face(rgb: np.ndarray, face: Face, donor: np.ndarray, donor_face: Face) -> np.ndarray:
    """Another person's face aligned on the 5 landmarks, colour-matched (Lab mean/std), feathered in."""
    return _around_face(rgb, face, 0.6, lambda crop, f: _paste(crop, f, donor, donor_face))


def _paste(rgb: np.ndarray, face: Face, donor: np.ndarray, donor_face: Face) -> np.ndarray:
    matrix, _ = cv2.estimateAffinePartial2D(
        donor_face.points.astype(np.float32), face.points.astype(np.float32)
    )
    warped = cv2.warpAffine(
        donor, matrix, (rgb.shape[1], rgb.shape[0]), flags=cv2.INTER_LANCZOS4, borderMode=cv2.BORDER_REFLECT
    )
    left, top, right, bottom = face.box
    centre = np.array([(left + right) / 2, (top + bottom) / 2 + 0.05 * (bottom - top)])
    weight = _ellipse_weight(rgb.shape, centre, ((right - left) * 0.7, (bottom - top) * 0.85), core=0.8)
    inside = weight > 0.5
    lab_w, lab_m = colorspace.lab(warped), colorspace.lab(rgb)
    for c in range(3):
        w, m = lab_w[..., c][inside], lab_m[..., c][inside]
        lab_w[..., c] = (lab_w[..., c] - w.mean()) * (m.std() / max(w.std(), 1e-6)) + m.mean()
    from skimage.color import lab2rgb

    matched = np.clip(lab2rgb(lab_w) * 255, 0, 255)
    out = rgb.astype(np.float32) * (1 - weight[..., None]) + matched * weight[..., None]
    return out.round().astype(np.uint8)
