"""Steady 5-point landmarks for the facial-proportion measure (eye span over eye-to-nose height).

One dlib prediction moves with the JPEG noise and the pixel phase: the ratio read up to ±4.9 %
on re-encodes and 1 px shifts of the Grace Hopper portrait (face 290 px), more than its ±3 %
tolerance. So the landmarks are averaged over 27 jittered boxes (shifted ±4 % in x and y, grown
±4 %) on a face window resampled to a fixed face width, and the variant's and the reference's
windows are first brought to the same sharpness: a blurred face pulls the eye corners inwards
(+4 % on a σ1.5 blur), which is the texture check's finding, not a change of proportions.
The noise floor this leaves is printed beside the tolerance by bench/audit_confusion.py and
bench/audit_registration.py (≤ 0.9 %, a third of the tolerance); a 5 % face stretch still reads 3–5 %.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import cv2
import numpy as np

from pipeline.audit import faces

JITTER = (-0.04, 0.0, 0.04)  # box shifts and growths, fractions of the box
FACE_PX = 200  # the face window is resampled so the box is this wide
SAME_SHARPNESS = 0.1  # gradient energies within 10 % are left alone (re-encodes, resamplers)

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class _Window:
    pixels: np.ndarray
    box: Box  # the face box in window px
    origin: tuple[int, int]  # image px of the window's corner
    zoom: tuple[float, float]  # window px per image px


def _window(rgb: np.ndarray, box: Box) -> _Window:
    left, top, right, bottom = box
    width, height = right - left, bottom - top
    x0, y0 = max(0, int(left - 0.3 * width)), max(0, int(top - 0.3 * height))
    x1 = min(rgb.shape[1], int(right + 0.3 * width) + 1)
    y1 = min(rgb.shape[0], int(bottom + 0.3 * height) + 1)
    zoom = FACE_PX / max(width, 1.0)
    size = (max(1, round((x1 - x0) * zoom)), max(1, round((y1 - y0) * zoom)))
    interp = cv2.INTER_AREA if zoom < 1 else cv2.INTER_CUBIC
    pixels = cv2.resize(np.ascontiguousarray(rgb[y0:y1, x0:x1]), size, interpolation=interp)
    zx, zy = size[0] / (x1 - x0), size[1] / (y1 - y0)
    # pixel centres: image px c shows at window px (c − x0 + ½) · zoom − ½
    inside = (
        (left - x0 + 0.5) * zx - 0.5,
        (top - y0 + 0.5) * zy - 0.5,
        (right - x0 + 0.5) * zx - 0.5,
        (bottom - y0 + 0.5) * zy - 0.5,
    )
    return _Window(pixels, inside, (x0, y0), (zx, zy))


def _energy(pixels: np.ndarray) -> float:
    grey = cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY).astype(np.float32)
    gx, gy = cv2.Sobel(grey, cv2.CV_32F, 1, 0), cv2.Sobel(grey, cv2.CV_32F, 0, 1)
    return float(np.mean(gx * gx + gy * gy))


def _soften(pixels: np.ndarray, target: float) -> np.ndarray:
    """``pixels`` blurred (σ found by bisection, ≤ 6 px) until its gradient energy is ``target``."""
    low, high = 0.0, 6.0
    for _ in range(8):
        sigma = (low + high) / 2
        if _energy(cv2.GaussianBlur(pixels, (0, 0), sigma)) > target:
            low = sigma
        else:
            high = sigma
    return cv2.GaussianBlur(pixels, (0, 0), (low + high) / 2)


def _average(window: _Window) -> np.ndarray:
    m = faces.load_models()
    left, top, right, bottom = window.box
    width, height = right - left, bottom - top
    found = []
    for dx, dy, grow in itertools.product(JITTER, JITTER, JITTER):
        jittered = (
            left + (dx - grow) * width,
            top + (dy - grow) * height,
            right + (dx + grow) * width,
            bottom + (dy + grow) * height,
        )
        shape = m.landmarks(window.pixels, m.dlib.rectangle(*(round(v) for v in jittered)))
        found.append([(p.x, p.y) for p in shape.parts()])
    points = np.mean(np.array(found, np.float64), axis=0)
    (x0, y0), (zx, zy) = window.origin, window.zoom
    return np.column_stack([(points[:, 0] + 0.5) / zx - 0.5 + x0, (points[:, 1] + 0.5) / zy - 0.5 + y0])


def steady(rgb: np.ndarray, box: Box) -> np.ndarray:
    """The 5 landmarks of the face in ``box``, averaged over the jittered boxes."""
    return _average(_window(rgb, box))


def matched(variant: np.ndarray, reference: np.ndarray, box: Box) -> tuple[np.ndarray, np.ndarray]:
    """Steady landmarks of the face in ``box`` in the variant and in the reference, the sharper
    of the two face windows first blurred to the other's gradient energy."""
    windows = [_window(variant, box), _window(reference, box)]
    energies = [_energy(w.pixels) for w in windows]
    soft, sharp = (0, 1) if energies[0] < energies[1] else (1, 0)
    if energies[sharp] > (1 + SAME_SHARPNESS) * energies[soft]:
        w = windows[sharp]
        windows[sharp] = _Window(_soften(w.pixels, energies[soft]), w.box, w.origin, w.zoom)
    return _average(windows[0]), _average(windows[1])
