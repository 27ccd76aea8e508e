"""Key regions: the parts of a master that no variant may cut and no logo or copy may cover.

A designer frames around the *key region* (the faces with head and shoulders; the product; the
main mass of a landscape) and treats the rest as context that may be cropped away. ``fit`` keeps
key regions whole; ``brand`` never draws over a ``face`` or ``product`` box. Regions are found once
per master (cached in the batch's ``OpContext.cache``) in master pixels and mapped into any
variant's frame through its :class:`~pipeline.ops.base.Geometry`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from PIL import Image

from pipeline.engines.classical.subject import (
    Subject,
    alpha_box,
    detect_subject_cached,
    head,
    head_and_shoulders,
)

if TYPE_CHECKING:  # engines never import the ops package at run time (it imports every op)
    from pipeline.ops.base import Geometry

FloatBox = tuple[float, float, float, float]
KeyKind = Literal["face", "head", "person", "product", "mass"]
# Kinds that brand may never cover (a person's shoulders may carry a logo's corner; a face never).
NO_COVER: frozenset[str] = frozenset({"face", "product"})


@dataclass(frozen=True)
class KeyRegion:
    kind: KeyKind
    box: FloatBox  # left, top, right, bottom in the pixels of the frame it was mapped to

    @property
    def area(self) -> float:
        return max(0.0, self.box[2] - self.box[0]) * max(0.0, self.box[3] - self.box[1])

    def to_record(self) -> dict[str, Any]:
        return {"kind": self.kind, "box": [round(v, 2) for v in self.box]}


def regions_of(subject: Subject, image: Image.Image | None = None) -> list[KeyRegion]:
    """Key regions of an image from its detected subject (a cut-out's product comes from its alpha)."""
    if subject.faces:
        found: list[KeyRegion] = []
        for face in subject.faces:
            found.append(KeyRegion("face", _floats(face)))
            found.append(KeyRegion("head", _floats(head(face, subject.image_size))))
            found.append(KeyRegion("person", _floats(head_and_shoulders(face, subject.image_size))))
        return found
    cut_out = alpha_box(image) if image is not None else None
    if cut_out is not None:
        return [KeyRegion("product", _floats(cut_out))]
    kind: KeyKind = "product" if subject.key_kind == "product" else "mass"
    return [KeyRegion(kind, _floats(subject.key_box))]


def _floats(box: tuple[int, int, int, int]) -> FloatBox:
    return (float(box[0]), float(box[1]), float(box[2]), float(box[3]))


def key_regions(image: Image.Image, cache: dict[str, Any]) -> list[KeyRegion]:
    """Key regions of ``image`` in its own pixels (subject detection shared through ``cache``)."""
    return regions_of(detect_subject_cached(image, cache), image)


def regions_in_frame(regions: list[KeyRegion], geometry: Geometry) -> list[KeyRegion]:
    """Master-pixel regions mapped into the output frame of ``geometry`` (clipped; those outside dropped)."""
    sx, sy = geometry.scale
    left, top = geometry.source_box[0], geometry.source_box[1]
    width, height = geometry.output_size
    mapped = []
    for region in regions:
        x0, y0, x1, y1 = region.box
        box = (
            max(0.0, (x0 - left) * sx),
            max(0.0, (y0 - top) * sy),
            min(float(width), (x1 - left) * sx),
            min(float(height), (y1 - top) * sy),
        )
        if box[2] > box[0] and box[3] > box[1]:
            mapped.append(KeyRegion(region.kind, box))
    return mapped
