"""Face detection for the classical engine: dlib's HOG detector when installed, else OpenCV Haar cascades.

Both run on a small grey copy (the caller downsizes to ≤ 512 px long side) and return boxes in
that copy's pixels as ``(left, top, right, bottom)``. dlib is an optional extra (``keyart[faces]``),
so it is imported lazily and its absence is not an error.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Literal

import cv2
import numpy as np

FaceBox = tuple[int, int, int, int]
Detector = Literal["auto", "dlib", "haar"]

# dlib HOG scores: ≥ 0.5 is a confident face; lower ones also fire on badges and patches
# (the astronaut's mission patch scores 0.12), so weak hits must be confirmed by a Haar cascade.
_DLIB_STRONG = 0.5
# Down to this score a hit counts when a cascade confirms it: a face turned to three-quarters or
# half-hidden behind a camera scores just under 0 (the cameraman: -0.1) and Haar still sees it.
_DLIB_WEAK = -0.3
# Faces narrower than this share of the short side are unreliable at working size and too small to
# steer a crop anyway.
_MIN_FACE = 0.04


@lru_cache(maxsize=1)
def _dlib_detector() -> Any:
    try:
        import dlib
    except ImportError:
        return None
    return dlib.get_frontal_face_detector()


@lru_cache(maxsize=4)
def _cascade(name: str) -> cv2.CascadeClassifier:
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + name)  # type: ignore[attr-defined]
    if cascade.empty():
        raise RuntimeError(f"OpenCV cascade {name} is missing from cv2.data")
    return cascade


def dlib_available() -> bool:
    return _dlib_detector() is not None


def detect_faces(grey: np.ndarray, detector: Detector = "auto") -> tuple[list[FaceBox], str]:
    """Faces in a uint8 grey image, largest first, and the detector that found them ("dlib"/"haar")."""
    if grey.dtype != np.uint8 or grey.ndim != 2:
        raise ValueError("detect_faces needs a 2-D uint8 grey image")
    use_dlib = detector == "dlib" or (detector == "auto" and dlib_available())
    if detector == "dlib" and not dlib_available():
        raise RuntimeError("dlib is not installed (pip install 'keyart[faces]')")
    min_side = max(20, round(_MIN_FACE * min(grey.shape)))
    boxes = _dlib_faces(grey, min_side) if use_dlib else _haar_faces(grey, min_side)
    boxes = _merge(boxes)
    boxes.sort(key=lambda b: (b[2] - b[0]) * (b[3] - b[1]), reverse=True)
    return boxes, "dlib" if use_dlib else "haar"


def _dlib_faces(grey: np.ndarray, min_side: int) -> list[FaceBox]:
    rects, scores, _ = _dlib_detector().run(grey, 1, _DLIB_WEAK)  # upsample 1: faces down to ~40 px
    height, width = grey.shape
    found: list[FaceBox] = []
    for rect, score in zip(rects, scores, strict=True):
        box = (max(0, rect.left()), max(0, rect.top()), min(width, rect.right()), min(height, rect.bottom()))
        if score <= _DLIB_WEAK or box[2] - box[0] < min_side:
            continue
        if score >= _DLIB_STRONG or _haar_confirms(grey, box):
            found.append(box)
    return found


def _haar_confirms(grey: np.ndarray, box: FaceBox) -> bool:
    """Whether a frontal or profile cascade also sees a face around ``box`` (checks a padded ROI only)."""
    width = box[2] - box[0]
    pad = width // 2
    x0, y0 = max(0, box[0] - pad), max(0, box[1] - pad)
    roi = grey[y0 : box[3] + pad, x0 : box[2] + pad]
    size = (max(20, round(width * 0.7)),) * 2
    for name in ("haarcascade_frontalface_alt2.xml", "haarcascade_profileface.xml"):
        for img in (roi, roi[:, ::-1]) if "profile" in name else (roi,):
            hits = _cascade(name).detectMultiScale(np.ascontiguousarray(img), 1.1, 3, minSize=size)
            if len(hits):
                return True
    return False


def _haar_faces(grey: np.ndarray, min_side: int) -> list[FaceBox]:
    eq = cv2.equalizeHist(grey)
    # Cascades cost most at their smallest scales; faces under ~5 % of the frame do not steer a crop.
    side = max(min_side, 24, round(0.05 * min(grey.shape)))
    size = (side, side)
    found: list[FaceBox] = []
    # Frontal: alt2 is the most precise of the bundled cascades; "default" adds recall with a
    # stricter neighbour count so that texture (foliage, fabric) does not pass.
    frontal = (("haarcascade_frontalface_alt2.xml", 5), ("haarcascade_frontalface_default.xml", 7))
    for name, neighbours in frontal:
        for x, y, w, h in _cascade(name).detectMultiScale(eq, 1.2, neighbours, minSize=size):
            found.append((int(x), int(y), int(x + w), int(y + h)))
    # The profile cascade only knows faces turned one way; run it on the mirror too.
    profile = _cascade("haarcascade_profileface.xml")
    width = grey.shape[1]
    for mirrored in (False, True):
        img = np.ascontiguousarray(eq[:, ::-1]) if mirrored else eq
        for x, y, w, h in profile.detectMultiScale(img, 1.2, 6, minSize=size):
            left = width - int(x + w) if mirrored else int(x)
            found.append((left, int(y), left + int(w), int(y + h)))
    return found


def _merge(boxes: list[FaceBox]) -> list[FaceBox]:
    """Collapse overlapping detections (several cascades, mirrored runs) into their union."""
    merged: list[FaceBox] = []
    for box in sorted(boxes, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]), reverse=True):
        for i, other in enumerate(merged):
            if _overlap(box, other) > 0.3:
                merged[i] = (min(box[0], other[0]), min(box[1], other[1]),
                             max(box[2], other[2]), max(box[3], other[3]))
                break
        else:
            merged.append(box)
    return merged


def _overlap(a: FaceBox, b: FaceBox) -> float:
    """Intersection over the smaller box's area (a face inside a bigger hit counts as the same face)."""
    iw = min(a[2], b[2]) - max(a[0], b[0])
    ih = min(a[3], b[3]) - max(a[1], b[1])
    if iw <= 0 or ih <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return iw * ih / smaller
