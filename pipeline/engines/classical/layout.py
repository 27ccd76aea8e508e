"""Layouts for formats far from the master's shape: the photo on one part, a designed panel for the rest.

Designers make a 728×90 from a portrait as a photo crop on one side and a flat or gradient field
carrying the copy (reference/layout_and_fill.md). Here the photo part is the largest window of the
master that holds the key region with margin at the aspect the part gets; the part takes about a
third of a banner-shaped frame and about half of a moderately different one, as far as the key
region allows. Wider-than-master frames put the panel beside the photo (on the side away from the
subject, so it looks into the frame); taller ones put it below.

The panel keeps at least ``MIN_PANEL`` of the frame, or the layout has no room for what it is for:
the photo part gives up its padding around the key region first; a main *mass* (no face, no
product: a field, a sky) is trimmed at its edges before the panel shrinks; a face or a product is
never cut, so only they can squeeze the panel below its minimum.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from pipeline.engines.classical.crop import FloatBox
from pipeline.engines.classical.subject import Subject
from pipeline.specs import ChannelSpec

IntBox = tuple[int, int, int, int]
PhotoSide = Literal["left", "right", "top", "bottom"]
BANNER = 3.0  # frames more elongated than this (either way) give the photo about a third
MAX_PHOTO = 0.62  # the panel keeps at least the rest, so copy has room
MIN_PANEL = 0.2  # the least share of the frame a panel keeps before the key region may squeeze it
MIN_PANEL_PX = 8


@dataclass(frozen=True)
class LayoutPlan:
    side: PhotoSide  # where the photo sits in the frame
    photo: IntBox  # output pixels the photo fills
    window: FloatBox  # image pixels shown there (same aspect as ``photo``)
    size: tuple[int, int]  # the output frame

    @property
    def panel(self) -> IntBox:
        """The designed part: the frame minus the photo (one rectangle: the photo spans an axis)."""
        w, h = self.size
        x0, y0, x1, y1 = self.photo
        return {"left": (x1, 0, w, h), "right": (0, 0, x0, h), "top": (0, y1, w, h), "bottom": (0, 0, w, y0)}[
            self.side
        ]

    @property
    def scale(self) -> float:
        """Output pixels per image pixel in the photo part."""
        return (self.photo[2] - self.photo[0]) / (self.window[2] - self.window[0])

    def frame_box(self) -> FloatBox:
        """The whole frame in image pixels (the photo's mapping extended over the panel): the geometry."""
        s = self.scale
        left = self.window[0] - self.photo[0] / s
        top = self.window[1] - self.photo[1] / s
        return (left, top, left + self.size[0] / s, top + self.size[1] / s)

    def to_record(self) -> dict[str, object]:
        return {
            "side": self.side,
            "photo_box": list(self.photo),
            "panel_box": list(self.panel),
            "window": [round(v, 3) for v in self.window],
        }


def plan_layout(subject: Subject, spec: ChannelSpec, margin: float) -> LayoutPlan:
    """Where the photo goes in ``spec``'s frame and which window of the image it shows."""
    width, height = spec.size
    image_w, image_h = subject.image_size
    beside = spec.aspect_ratio > image_w / image_h  # wider than the master: the panel goes beside the photo
    key = subject.key_box
    pads = (
        min(margin * 1.5 * (key[2] - key[0]), key[0], image_w - key[2]),
        min(margin * 1.5 * (key[3] - key[1]), key[1], image_h - key[3]),
    )
    elongation = max(spec.aspect_ratio, 1 / spec.aspect_ratio)
    share = 1 / 3 if (elongation >= BANNER and beside) else 0.5
    # The photo part's window aspect (w/h) along the split axis: the share asked for, within what
    # keeps the key whole (`least`) and what the image holds (`most`); the panel keeps MIN_PANEL.
    if beside:  # photo full height, window aspect = photo width / height
        wanted, roomy = share * width / height, (1 - MIN_PANEL) * width / height
        least, most, pads = _span(subject, 0, pads, roomy)
        aspect = max(least, min(max(wanted, least), most, MAX_PHOTO * width / height))
        photo_w = max(1, min(width - MIN_PANEL_PX, _up(aspect * height)))
        window = _window(subject, photo_w / height, pads)
        side: PhotoSide = "left" if (key[0] + key[2]) / 2 / image_w < 0.45 else "right"
        photo = (0, 0, photo_w, height) if side == "left" else (width - photo_w, 0, width, height)
    else:  # photo full width on top, window aspect = width / photo height (its inverse is the length)
        wanted, roomy = height * share / width, (1 - MIN_PANEL) * height / width
        least, most, pads = _span(subject, 1, pads, roomy)
        tall = max(least, min(max(wanted, least), most, MAX_PHOTO * height / width))
        photo_h = max(1, min(height - MIN_PANEL_PX, _up(tall * width)))
        window = _window(subject, width / photo_h, pads)
        side = "top"
        photo = (0, 0, width, photo_h)
    return LayoutPlan(side, photo, window, (width, height))


def _up(length: float) -> int:
    """Whole output pixels for a photo part, rounded up so the window still holds the key."""
    return math.ceil(length - 1e-6)


def _span(
    subject: Subject, axis: int, pads: tuple[float, float], roomy: float
) -> tuple[float, float, tuple[float, float]]:
    """The least and most window length along ``axis`` per unit of the other axis (a full-height photo
    part's w/h; a full-width one's h/w) that hold the key with ``pads``, and the pads kept.

    When the key with its pads needs more than ``roomy`` (the panel would drop under its minimum) the
    pads go; a *mass* is then trimmed to ``roomy`` (it is context, not a subject), a face or product
    not. A mass may also be trimmed across the axis (a strip of a field or a sky), so it has no most.
    """
    size = subject.image_size
    key = subject.key_box
    other = 1 - axis

    def bounds(p: tuple[float, float]) -> tuple[float, float]:
        need_along = key[axis + 2] - key[axis] + 2 * p[axis]
        need_across = key[other + 2] - key[other] + 2 * p[other]
        return need_along / size[other], size[axis] / need_across

    least, most = bounds(pads)
    if least > roomy:
        pads = (0.0, 0.0)
        least, most = bounds(pads)
        if least > roomy and subject.key_kind == "mass":
            least = roomy
    if subject.key_kind == "mass":  # a field may lose its top and bottom for a banner's strip
        most = float("inf")
    return least, max(least, most), pads


def _window(subject: Subject, aspect: float, pads: tuple[float, float]) -> FloatBox:
    """The largest window of ``aspect`` inside the image, placed to hold the key (plus ``pads``) and as
    much of the context as fits, the key centred where the image edges allow."""
    image_w, image_h = subject.image_size
    w = min(float(image_w), image_h * aspect)
    h = w / aspect
    key, context = subject.key_box, subject.box
    starts = []
    for axis, length, extent in ((0, w, image_w), (1, h, image_h)):
        lo_need, hi_need = key[axis] - pads[axis], key[axis + 2] + pads[axis]
        lo, hi = max(0.0, hi_need - length), min(extent - length, lo_need)
        if lo > hi:
            lo = hi = min(max((lo_need + hi_need - length) / 2, 0.0), extent - length)
        c_lo, c_hi = max(lo, context[axis + 2] - length), min(hi, float(context[axis]))
        if c_lo <= c_hi:
            lo, hi = c_lo, c_hi
        at = 0.42 if (axis == 1 and subject.key_kind == "head") else 0.5
        starts.append(min(max((key[axis] + key[axis + 2]) / 2 - at * length, lo), hi))
    return (starts[0], starts[1], starts[0] + w, starts[1] + h)
