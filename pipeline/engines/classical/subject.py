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
from pipeline.engines.classical.objects import SCENE, product_box
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
    # The key region: what no variant may cut (the heads of the main faces; the product; else the
    # main mass) and what kind it is. ``box`` above stays the wider context (head and shoulders …).
    key: Box | None = None
    key_kind: Literal["head", "product", "mass"] = "mass"

    @property
    def key_box(self) -> Box:
        return self.key if self.key is not None else self.box

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
                "faces": [list(f) for f in self.faces], "key": list(self.key_box), "key_kind": self.key_kind}


_ALPHA_SOLID = 128  # alpha above this is the product of a cut-out packshot


def alpha_box(image: Image.Image) -> Box | None:
    """The bounding box of a cut-out's opaque pixels, or None when the image has no real transparency."""
    if image.mode != "RGBA":
        return None
    alpha = np.asarray(image.getchannel("A"))
    if int(alpha.min()) >= 250:
        return None
    solid = alpha > _ALPHA_SOLID
    if not solid.any():
        return None
    rows, cols = np.flatnonzero(solid.any(axis=1)), np.flatnonzero(solid.any(axis=0))
    return (int(cols[0]), int(rows[0]), int(cols[-1] + 1), int(rows[-1] + 1))


def _working_copy(image: Image.Image, long_side: int) -> tuple[np.ndarray, float]:
    """RGB uint8 copy with long side ≤ ``long_side`` and its scale (copy px per image px)."""
    if image.mode not in ("RGB", "RGBA", "L"):
        image = image.convert("RGB")
    if image.mode == "RGBA":  # what is hidden under transparent pixels is not part of the picture
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, image)
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


def head(face: FaceBox, size: tuple[int, int]) -> Box:
    """A face box (eyebrows to chin) extended to the whole head: hair or a hat above, chin and neck below."""
    w, h = face[2] - face[0], face[3] - face[1]
    return (max(0, round(face[0] - 0.3 * w)), max(0, round(face[1] - 0.7 * h)),
            min(size[0], round(face[2] + 0.3 * w)), min(size[1], round(face[3] + 0.3 * h)))


def main_faces(faces: list[FaceBox]) -> list[FaceBox]:
    """The faces a picture is about: at least 40 % of the largest one's area (faces come largest first)."""
    if not faces:
        return []
    largest = (faces[0][2] - faces[0][0]) * (faces[0][3] - faces[0][1])
    return [f for f in faces if (f[2] - f[0]) * (f[3] - f[1]) >= 0.4 * largest]


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
    key_kind: Literal["head", "product", "mass"] = "mass"
    key: Box | None = None
    if faces:
        source, box = "faces", _union([head_and_shoulders(f, size) for f in faces])
        key_kind, key = "head", _union([head(f, size) for f in main_faces(faces)])
    elif (cut_out := alpha_box(image)) is not None:
        source, box, key_kind, key = "saliency", cut_out, "product", cut_out
    else:
        sbox = salient_box(sal)
        if sbox is not None:
            source, box = "saliency", _to_image(sbox, s_scale, size)
        else:
            w, h = size
            source, box = "center", (w // 4, h // 4, w - w // 4, h - h // 4)
        found = _product_at(image, rgb, f_scale, box if sbox is not None else None)
        if found is not None and found[1] <= SCENE:
            key_kind, key = "product", _union([found[0], box]) if sbox is not None else found[0]
    return Subject(faces, box, sal, s_scale, source, size, used, key, key_kind)


def _product_at(image: Image.Image, rgb: np.ndarray, scale: float,
                salient: Box | None) -> tuple[Box, float] | None:
    """:func:`product_box` on the working copy ``rgb`` (``scale`` copy px per image px), in image pixels."""
    anchor = None if salient is None else tuple(round(v * scale) for v in salient)
    found = product_box(rgb, anchor)  # type: ignore[arg-type]
    if found is None:
        return None
    return _to_image(found[0], scale, image.size), found[1]


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
