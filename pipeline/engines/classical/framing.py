"""Windows that may reach beyond the image: ``expand`` (keep it all, pad) and ``fit`` (crop or pad then crop).

A window longer than the image on one axis ("u") is padded there and, on the other axis ("v"),
spans the image or a part of it. Boxes are in image pixels; the generated share of the output is
``1 - image_u / window_u`` (only the u axis can be padded).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from pipeline.engines.classical.crop import FloatBox, crop_window, place, subject_centre
from pipeline.engines.classical.subject import FaceBox, Subject
from pipeline.specs import SafeZone

Align = Literal["center", "subject", "top", "bottom", "left", "right"]
Rule = Literal["crop", "expand", "expand+crop"]


@dataclass(frozen=True)
class Framing:
    """The chosen window, the rule that chose it and what it cost."""

    box: FloatBox
    rule: Rule
    notes: list[str] = field(default_factory=list)
    cut: list[FaceBox] = field(default_factory=list)

    def generated_share(self, size: tuple[int, int]) -> float:
        x0, y0, x1, y1 = self.box
        inside = max(0.0, min(x1, size[0]) - max(x0, 0.0)) * max(0.0, min(y1, size[1]) - max(y0, 0.0))
        return 1.0 - inside / ((x1 - x0) * (y1 - y0))


def _axes(size: tuple[int, int], aspect: float) -> tuple[int, float]:
    """The axis a window of ``aspect`` would pad (0 = x when the target is wider) and its u:v ratio."""
    return (0, aspect) if aspect >= size[0] / size[1] else (1, 1 / aspect)


def _box(u: int, u_start: float, u_len: float, v_start: float, v_len: float) -> FloatBox:
    if u == 0:
        return (u_start, v_start, u_start + u_len, v_start + v_len)
    return (v_start, u_start, v_start + v_len, u_start + u_len)


def padded_start(extent: float, length: float, centre: float, align: str) -> float:
    """Start (≤ 0) of a window ``length`` ≥ ``extent`` holding the whole image on this axis.

    ``align``: "low"/"high" put the image at the window's start/end, "center" in the middle, and
    "subject" moves the subject (at image coordinate ``centre``) to the nearest of the window's
    thirds or centre, as far as the image edges allow.
    """
    slack = length - extent
    if align == "low":
        offset = 0.0
    elif align == "high":
        offset = slack
    elif align == "subject":
        here = slack / 2 + centre
        target = min((length / 3, length / 2, 2 * length / 3), key=lambda t: (abs(t - here), t != length / 2))
        offset = min(max(target - centre, 0.0), slack)
    else:
        offset = slack / 2
    return -offset


def expand_window(size: tuple[int, int], aspect: float, align: Align = "center",
                  subject: Subject | None = None) -> Framing:
    """Pad the whole image to ``aspect`` (nothing cropped); ``align`` places it in the canvas.

    ``subject`` is needed only for ``align="subject"``.
    """
    u, ratio = _axes(size, aspect)
    length = size[1 - u] * ratio
    notes: list[str] = []
    ends = ("left", "right") if u == 0 else ("top", "bottom")
    mode = "center" if align == "center" else "subject" if align == "subject" else None
    if mode is None and align in ends:
        mode = "low" if align == ends[0] else "high"
    if mode is None:
        grows = "sideways" if u == 0 else "vertically"
        notes.append(f"align={align} does not apply when the canvas grows {grows}; centred instead")
        mode = "center"
    centre = size[u] / 2
    if mode == "subject":
        if subject is None:
            raise ValueError("align='subject' needs the detected subject")
        centre = subject_centre(subject, u, subject.faces)
    start = padded_start(size[u], length, centre, mode)
    return Framing(_box(u, start, length, 0.0, float(size[1 - u])), "expand", notes)


def fit_window(subject: Subject, aspect: float, margin: float = 0.08, max_expand: float = 0.6,
               prefer: str = "auto", safe_zone: SafeZone | None = None) -> Framing:
    """Crop when a window of ``aspect`` holding the subject plus ``margin`` fits in the frame, else pad
    by the least amount that makes one (at most ``max_expand`` of the output), then crop."""
    size = subject.image_size
    zone = safe_zone or SafeZone()
    u, ratio = _axes(size, aspect)
    v = 1 - u
    eu, ev = float(size[u]), float(size[v])
    crop_len = eu / ratio  # the in-frame window's length on v
    if prefer == "crop" or (prefer == "auto" and _holds(subject, v, crop_len, margin)):
        box, p = crop_window(subject, aspect, margin, "subject", zone)
        why = "forced by prefer=crop" if prefer == "crop" else f"the subject fits with {margin:.0%} margin"
        return Framing(box, "crop", [f"cropped to the target aspect: {why}", *p.notes], p.cut)
    v_len = ev if prefer == "expand" else _least_length(subject, v, crop_len, ev, margin)
    u_len = v_len * ratio
    notes = []
    if 1 - eu / u_len > max_expand + 1e-9:
        u_len = eu / (1 - max_expand)
        v_len = u_len / ratio
        notes.append(f"expansion capped at max_expand={max_expand:.0%} of the output, so the rest is cropped "
                     "and the subject gets less margin than asked")
    insets = (zone.left, zone.right) if v == 0 else (zone.top, zone.bottom)
    if u_len <= eu + 1e-6:  # max_expand=0: nothing may be generated
        box, p = crop_window(subject, aspect, margin, "subject", zone)
        return Framing(box, "crop", ["cropped: max_expand=0 allows no generated pixels", *p.notes], p.cut)
    rule: Rule
    if v_len >= ev - 1e-6:
        v_len, v_start, cut, rule = ev, 0.0, [], "expand"
    else:
        p = place(subject, v, v_len, margin, insets, "subject")
        v_start, cut, rule = p.start, p.cut, "expand+crop"
        notes += p.notes
    u_start = padded_start(eu, u_len, subject_centre(subject, u, subject.faces), "subject")
    side = "widened" if u == 0 else "heightened"
    lead = (f"a crop of the target aspect cannot hold the subject with {margin:.0%} margin, "
            f"so the canvas was {side} by {u_len - eu:.0f} px ({1 - eu / u_len:.0%} of the output generated)")
    if prefer == "expand":
        lead = f"expanded first (prefer=expand): canvas {side} by {u_len - eu:.0f} px"
    if rule == "expand+crop":
        lead += ", then cropped"
    return Framing(_box(u, u_start, u_len, v_start, v_len), rule, [lead, *notes], cut)


def _needed(subject: Subject, v: int, length: float, margin: float) -> float:
    """Length on ``v`` that the subject plus margin (clipped to the image) and all faces occupy."""
    extent = subject.image_size[v]
    lo = max(subject.box[v] - margin * length, 0.0)
    hi = min(subject.box[v + 2] + margin * length, float(extent))
    for f in subject.faces:
        lo, hi = min(lo, f[v]), max(hi, f[v + 2])
    return hi - lo


def _holds(subject: Subject, v: int, length: float, margin: float) -> bool:
    return _needed(subject, v, length, margin) <= length + 1e-6


def _least_length(subject: Subject, v: int, lo: float, hi: float, margin: float) -> float:
    """Smallest window length in [lo, hi] that holds the subject (length − need grows monotonically)."""
    for _ in range(50):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if _holds(subject, v, mid, margin) else (mid, hi)
    return hi


def at_source_scale(box: FloatBox, image_size: tuple[int, int],
                    spec_size: tuple[int, int]) -> tuple[FloatBox, tuple[int, int]] | None:
    """``box`` snapped to whole image pixels, to be drawn 1:1 (no resampling); None when that is not
    smaller than ``spec_size`` (then there is nothing left to enlarge: render at the spec's size).

    The short side is a whole number near the window's and the long side is derived from it, so
    the size has the spec's aspect to within ½ px on the long side: a later cover-resize to
    ``spec_size`` trims at most ½ px. The snapped window never leaves the image on an axis where
    ``box`` lies inside it, and never grows on a padded axis (no more generated than ``box``).
    """
    x0, y0, x1, y1 = box
    lengths, extents = (x1 - x0, y1 - y0), image_size
    inside = (x0 >= -_EPS and x1 <= extents[0] + _EPS, y0 >= -_EPS and y1 <= extents[1] + _EPS)
    tall = spec_size[1] >= spec_size[0]  # the short side is x
    ratio = max(spec_size) / min(spec_size)
    for short in _near(lengths[0] if tall else lengths[1]):
        long = max(1, _half_up(short * ratio))
        size = (short, long) if tall else (long, short)
        if all(size[a] <= (extents[a] if inside[a] else lengths[a] + _EPS) for a in (0, 1)):
            break
    else:
        return None
    if size[0] >= spec_size[0] or size[1] >= spec_size[1]:
        return None
    origin = [_half_up((box[a] + box[a + 2] - size[a]) / 2) for a in (0, 1)]  # centre kept
    for a in (0, 1):
        if inside[a]:
            origin[a] = min(max(origin[a], 0), extents[a] - size[a])
    ox, oy = origin
    return (float(ox), float(oy), float(ox + size[0]), float(oy + size[1])), size


_EPS = 1e-6


def _near(length: float) -> Iterator[int]:
    """Whole lengths ≥ 1 to try: the nearest to ``length``, the other neighbour, then shorter ones."""
    lo = math.floor(length)
    yield from (n for n in ((lo + 1, lo) if length - lo >= 0.5 else (lo, lo + 1)) if n >= 1)
    yield from range(lo - 1, 0, -1)


def _half_up(value: float) -> int:
    return math.floor(value + 0.5)
