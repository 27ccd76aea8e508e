"""Face detection, 5-point landmarks and identity descriptors with dlib (the ``faces`` extra).

Models come from the ``face_recognition_models`` distribution, located with ``find_spec`` and
never imported (its ``__init__`` needs pkg_resources, gone from setuptools ≥ 82). Only the
5-point landmark model is ever loaded: the 68-point model is trained on iBUG 300-W, whose
licence excludes commercial use (audit_specs.md §2a). The 5-point model and the ResNet
descriptor are public domain.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from pipeline.errors import EngineUnavailable

LANDMARKS_5 = "shape_predictor_5_face_landmarks.dat"
DESCRIPTOR = "dlib_face_recognition_resnet_model_v1.dat"
DETECT_SIDE = 1024  # master detection runs on a copy this size (HOG upsample 1 finds ≥ ~23 px faces)
WINDOW_FACE_PX = 120  # variant windows are scaled so the expected face is about this wide


@dataclass(frozen=True)
class Face:
    """One face: box ``(l, t, r, b)`` and the 5 landmarks in the image's pixels.

    Landmark order (dlib 5-point): 0/1 outer/inner corner of the eye on the image's right,
    2/3 outer/inner corner of the eye on the image's left, 4 base of the nose.
    """

    box: tuple[float, float, float, float]
    points: np.ndarray  # (5, 2)
    descriptor: np.ndarray | None = None  # 128-D

    @property
    def width(self) -> float:
        return self.box[2] - self.box[0]


@dataclass(frozen=True)
class _Models:
    dlib: Any
    detector: Any
    landmarks: Any
    descriptor: Any


def models_dir() -> Path:
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise EngineUnavailable("face checks need the `faces` extra: pip install 'keyart[faces]'")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


@cache
def load_models() -> _Models:
    """dlib's HOG detector, 5-point predictor and ResNet descriptor (loaded once per process)."""
    try:
        import dlib
    except ImportError:
        raise EngineUnavailable("face checks need the `faces` extra: pip install 'keyart[faces]'") from None
    folder = models_dir()
    paths = [folder / LANDMARKS_5, folder / DESCRIPTOR]
    missing = [p.name for p in paths if not p.is_file()]
    if missing:
        raise EngineUnavailable(f"face model files missing from {folder}: {', '.join(missing)}")
    return _Models(
        dlib,
        dlib.get_frontal_face_detector(),
        dlib.shape_predictor(str(paths[0])),
        dlib.face_recognition_model_v1(str(paths[1])),
    )


def _rect(m: _Models, box: tuple[float, float, float, float]) -> Any:
    return m.dlib.rectangle(*(round(v) for v in box))


def landmarks(rgb: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    m = load_models()
    shape = m.landmarks(rgb, _rect(m, box))
    return np.array([(p.x, p.y) for p in shape.parts()], np.float64)


def describe(rgb: np.ndarray, box: tuple[float, float, float, float]) -> Face:
    """Landmarks and the 128-D descriptor (0 jitter) of the face in ``box``."""
    m = load_models()
    shape = m.landmarks(rgb, _rect(m, box))
    points = np.array([(p.x, p.y) for p in shape.parts()], np.float64)
    descriptor = np.array(m.descriptor.compute_face_descriptor(rgb, shape), np.float64)
    return Face(box, points, descriptor)


def _detect(rgb: np.ndarray, upsample: int) -> list[tuple[float, float, float, float]]:
    found = load_models().detector(np.ascontiguousarray(rgb), upsample)
    return [(float(r.left()), float(r.top()), float(r.right()), float(r.bottom())) for r in found]


def main_face(image: Image.Image) -> Face | None:
    """The largest face of the master (HOG on a ≤1024 px copy, upsample 1), with its descriptor.

    The largest box wins: HOG at upsample 1 also fires on e.g. the astronaut's mission patch.
    """
    factor = max(1.0, max(image.size) / DETECT_SIDE)
    small = image.convert("RGB")
    if factor > 1.0:
        small = small.resize(
            (round(image.width / factor), round(image.height / factor)), Image.Resampling.BOX
        )
    boxes = _detect(np.asarray(small), 1)
    if not boxes:
        return None
    box = max(boxes, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))
    full = tuple(v * factor for v in box)
    return describe(np.asarray(image.convert("RGB")), full)  # type: ignore[arg-type]


def find_near(
    rgb: np.ndarray, expected: tuple[float, float, float, float]
) -> tuple[float, float, float, float] | None:
    """The detected face overlapping ``expected`` most, searched in a window scaled for HOG."""
    height, width = rgb.shape[:2]
    ew, eh = expected[2] - expected[0], expected[3] - expected[1]
    left, top = max(0, int(expected[0] - ew)), max(0, int(expected[1] - eh))
    right, bottom = min(width, int(expected[2] + ew)), min(height, int(expected[3] + eh))
    window = Image.fromarray(rgb[top:bottom, left:right])
    zoom = WINDOW_FACE_PX / max(ew, 1.0)
    size = (max(1, round(window.width * zoom)), max(1, round(window.height * zoom)))
    window = window.resize(size, Image.Resampling.LANCZOS if zoom > 1 else Image.Resampling.BOX)
    boxes = [
        (left + b[0] / zoom, top + b[1] / zoom, left + b[2] / zoom, top + b[3] / zoom)
        for b in _detect(np.asarray(window), 0)
    ]
    scored = [(iou(b, expected), b) for b in boxes]
    scored = [s for s in scored if s[0] > 0.3]
    return max(scored)[1] if scored else None


def iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0
