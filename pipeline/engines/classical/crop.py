"""Where to put a window of the target aspect ratio: faces whole, subject with margin, clear of safe zones.

Pure geometry over a :class:`Subject`; boxes are ``(left, top, right, bottom)`` in image pixels and
may reach outside the image when the window is meant to be expanded (see :mod:`.framing`).
Every window spans the image completely on one axis, so placement is a 1-D problem on the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.engines.classical.subject import FaceBox, Subject, head_and_shoulders
from pipeline.specs import SafeZone

FloatBox = tuple[float, float, float, float]
Span = tuple[float, float]


@dataclass(frozen=True)
class Placement:
    """A window's start on its free axis, which faces it keeps whole and what had to give."""

    start: float
    kept: list[FaceBox]
    cut: list[FaceBox]
    notes: list[str] = field(default_factory=list)


def largest_window(size: tuple[int, int], aspect: float) -> tuple[float, float]:
    """Width and height of the largest window of ``aspect`` (w/h) inside an image of ``size``."""
    width, height = size
    return (height * aspect, float(height)) if width / height > aspect else (float(width), width / aspect)


def _span(box: FloatBox | FaceBox, axis: int) -> Span:
    return (box[axis], box[axis + 2])


def _union(spans: list[Span]) -> Span:
    return (min(s[0] for s in spans), max(s[1] for s in spans))


def _narrow(lo: float, hi: float, wants: list[Span]) -> Span:
    """Intersect [lo, hi] with each wanted interval in priority order, skipping any that would empty it."""
    for a, b in wants:
        if max(lo, a) <= min(hi, b):
            lo, hi = max(lo, a), min(hi, b)
    return lo, hi


def place(subject: Subject, axis: int, length: float, margin: float, insets: Span, anchor: str) -> Placement:
    """Start of a window of ``length`` along ``axis`` (0 = x, 1 = y) inside the image.

    Priorities: faces whole (the primary face first, then others while they fit), faces clear of
    the safe-zone ``insets`` (fractions of the window at its low/high end), subject plus ``margin``
    (fraction of the window), subject without margin; then as close to the anchor as allowed.
    With ``anchor="center"`` the subject's extent is not a constraint, only its faces.
    """
    extent = float(subject.image_size[axis])
    ranked = sorted(subject.faces, key=lambda f: f != subject.primary_face())  # stable: primary first
    kept: list[FaceBox] = []
    for face in ranked:
        if _width(_union([_span(f, axis) for f in [*kept, face]])) <= length:
            kept.append(face)
    wants: list[Span] = []
    if kept:
        f0, f1 = _union([_span(f, axis) for f in kept])
        wants += [(f1 - length, f0), (f1 - length * (1 - insets[1]), f0 - length * insets[0])]
    if anchor != "center":  # centring on the frame asks only that faces stay whole and clear of insets
        s0, s1 = _span(subject.box, axis)
        wants += [(s1 + margin * length - length, s0 - margin * length), (s1 - length, s0)]
    lo, hi = _narrow(0.0, extent - length, wants)
    centre = extent / 2 if anchor == "center" else subject_centre(subject, axis, kept)
    start = min(max(centre - length / 2, lo), hi)
    cut = [f for f in subject.faces if f[axis] < start - 0.5 or f[axis + 2] > start + length + 0.5]
    notes = []
    if cut:
        notes.append(f"{len(cut)} of {len(subject.faces)} faces do not fit the frame and are cut"
                     + ("; kept the main face whole" if kept else ""))
    return Placement(start, kept, cut, notes)


def subject_centre(subject: Subject, axis: int, faces: list[FaceBox] | None = None) -> float:
    """Centre of the subject along ``axis``: of the given faces' head and shoulders, else of the box."""
    if faces:
        return sum(_union([_span(head_and_shoulders(f, subject.image_size), axis) for f in faces])) / 2
    return (subject.box[axis] + subject.box[axis + 2]) / 2


def _width(span: Span) -> float:
    return span[1] - span[0]


def crop_window(subject: Subject, aspect: float, margin: float = 0.08, anchor: str = "subject",
                safe_zone: SafeZone | None = None) -> tuple[FloatBox, Placement]:
    """The largest in-frame window of ``aspect`` placed around the subject (reframe's rule)."""
    width, height = subject.image_size
    win_w, win_h = largest_window(subject.image_size, aspect)
    zone = safe_zone or SafeZone()
    if win_w < width - 1e-6:
        p = place(subject, 0, win_w, margin, (zone.left, zone.right), anchor)
        return (p.start, 0.0, p.start + win_w, float(height)), p
    p = place(subject, 1, win_h, margin, (zone.top, zone.bottom), anchor)
    return (0.0, p.start, float(width), p.start + win_h), p


def safe_zone_notes(box: FloatBox, faces: list[FaceBox], zone: SafeZone, spec_name: str) -> list[str]:
    """Sentences for faces that overlap the spec's safe-zone insets inside the window ``box``."""
    w, h = box[2] - box[0], box[3] - box[1]
    limits = {"top": box[1] + zone.top * h, "bottom": box[3] - zone.bottom * h,
              "left": box[0] + zone.left * w, "right": box[2] - zone.right * w}
    sides = set()
    for f in faces:
        if zone.top and f[1] < limits["top"]:
            sides.add("top")
        if zone.bottom and f[3] > limits["bottom"]:
            sides.add("bottom")
        if zone.left and f[0] < limits["left"]:
            sides.add("left")
        if zone.right and f[2] > limits["right"]:
            sides.add("right")
    return [f"a face reaches into {spec_name}'s {side} safe-zone inset ({getattr(zone, side):.0%}); "
            "copy or platform UI may cover it" for side in sorted(sides)]
