"""Where the subject is: faces first (extended to head and shoulders), else the salient region.

Works on small copies (≤ 512 px long side for faces, 256 for saliency), so a 4096² master costs
about as much as a 512² one; :func:`detect_subject_cached` shares the answer across a batch.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from PIL import Image

from pipeline.engines.classical.faces import Detector, FaceBox, detect_faces
from pipeline.engines.classical.saliency import saliency_map, salient_box

Box = tuple[int, int, int, int]
FACE_WORK = 512  # long side for face detection: dlib HOG (upsample 1) finds faces ≥ ~40 px there
SALIENCY_WORK = 256
CACHE_KEY = "classical.subject"


@dataclass(frozen=True, eq=False)
class Subject:
    """Detected subject of an image, in that image's pixels (boxes are left, top, right, bottom)."""

    faces: list[FaceBox]  # largest first
    box: Box  # head-and-shoulders union of faces, else the salient region, else a centred box
    saliency: np.ndarray  # float32 0–1 at working size
    saliency_scale: float  # saliency-map pixels per image pixel
    source: Literal["faces", "saliency", "center"]
    image_size: tuple[int, int]
    detector: str = "none"  # "dlib" or "haar": which face detector ran

    def primary_face(self) -> FaceBox | None:
        """The face to keep whole when not all fit: the largest, ties broken by closeness to centre."""
        if not self.faces:
            return None
        cx, cy = self.image_size[0] / 2, self.image_size[1] / 2

        def rank(b: FaceBox) -> tuple[float, float]:
            area = (b[2] - b[0]) * (b[3] - b[1])
            dist = ((b[0] + b[2]) / 2 - cx) ** 2 + ((b[1] + b[3]) / 2 - cy) ** 2
            return (-round(area, -2), dist)  # areas within ~100 px² count as equal

        return min(self.faces, key=rank)

    def to_record(self) -> dict[str, Any]:
        return {"source": self.source, "detector": self.detector, "box": list(self.box),
                "faces": [list(f) for f in self.faces]}


def _working_copy(image: Image.Image, long_side: int) -> tuple[np.ndarray, float]:
    """RGB uint8 copy with long side ≤ ``long_side`` and its scale (copy px per image px)."""
    if image.mode not in ("RGB", "RGBA", "L"):
        image = image.convert("RGB")
    scale = min(1.0, long_side / max(image.size))
    if scale < 1.0:
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        # reducing_gap: box-reduce by an integer factor first, then a cheap filter for the rest.
        image = image.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    return np.asarray(image.convert("RGB")), scale


def head_and_shoulders(face: FaceBox, size: tuple[int, int]) -> Box:
    """Extend a face box to a head-and-shoulders box (hair above, shoulders below and beside)."""
    w, h = face[2] - face[0], face[3] - face[1]
    return (max(0, round(face[0] - 0.8 * w)), max(0, round(face[1] - 0.5 * h)),
            min(size[0], round(face[2] + 0.8 * w)), min(size[1], round(face[3] + 1.0 * h)))


def _union(boxes: list[Box]) -> Box:
    lefts, tops, rights, bottoms = zip(*boxes, strict=True)
    return (min(lefts), min(tops), max(rights), max(bottoms))


def detect_subject(image: Image.Image, detector: Detector = "auto") -> Subject:
    """Detect faces and saliency on small copies of ``image``; boxes come back in ``image`` pixels."""
    size = image.size
    rgb, f_scale = _working_copy(image, FACE_WORK)
    grey = np.asarray(Image.fromarray(rgb).convert("L"))
    work_faces, used = detect_faces(grey, detector)
    faces = [_to_image(b, f_scale, size) for b in work_faces]

    s_scale = min(1.0, SALIENCY_WORK / max(size))
    s_size = (max(1, round(size[0] * s_scale)), max(1, round(size[1] * s_scale)))
    small = rgb
    if s_scale < f_scale:
        small = np.asarray(Image.fromarray(rgb).resize(s_size, Image.Resampling.BILINEAR))
    s_scale = small.shape[1] / size[0]
    sal = saliency_map(small)

    source: Literal["faces", "saliency", "center"]
    if faces:
        source, box = "faces", _union([head_and_shoulders(f, size) for f in faces])
    elif (sbox := salient_box(sal)) is not None:
        source, box = "saliency", _to_image(sbox, s_scale, size)
    else:
        w, h = size
        source, box = "center", (w // 4, h // 4, w - w // 4, h - h // 4)
    return Subject(faces, box, sal, s_scale, source, size, used)


def _to_image(box: Box, scale: float, size: tuple[int, int]) -> Box:
    return (max(0, int(box[0] / scale)), max(0, int(box[1] / scale)),
            min(size[0], int(np.ceil(box[2] / scale))), min(size[1], int(np.ceil(box[3] / scale))))


def detect_subject_cached(image: Image.Image, cache: dict[str, Any], detector: Detector = "auto") -> Subject:
    """:func:`detect_subject`, memoised in a batch cache (``OpContext.cache``) per image object.

    Keyed by ``id(image)`` and size; a weak reference guards against an id reused by a new image
    after the old one was freed.
    """
    store: dict[tuple[Any, ...], tuple[weakref.ref[Image.Image], Subject]] = cache.setdefault(CACHE_KEY, {})
    key = (id(image), image.size, image.mode, detector)
    hit = store.get(key)
    if hit is not None and hit[0]() is image:
        return hit[1]
    subject = detect_subject(image, detector)
    store[key] = (weakref.ref(image), subject)
    return subject
