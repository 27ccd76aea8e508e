"""How `fit` makes a spec from a master, the way a designer would (design §4's hybrid rule).

The subject is a *key region* (the heads of the people; the product; the main mass) inside a
*context* (head and shoulders; the salient area). In order:

1. **crop** whenever a window of the target aspect, inside the frame, holds the key region with
   the margin — losing context is fine;
2. **expand** by the least amount when a crop would cut the key region, only on sides where
   continuation is plausible (calm edges the key region does not touch), and only as far as the
   engine can honestly continue a photo: a few tenths of the frame classically, more with a fill
   model — never for banner-shaped extremes;
3. **layout** otherwise: the key region cropped at its best scale on one part of the frame and a
   designed panel (see :mod:`.layout`) for the rest, which carries the copy and logo.

The rule and the reason are recorded for every variant.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from pipeline.engines.classical.crop import FloatBox
from pipeline.engines.classical.layout import LayoutPlan, plan_layout
from pipeline.engines.classical.subject import Subject
from pipeline.specs import ChannelSpec

Rule = Literal["crop", "expand", "expand+crop", "layout"]
Side = Literal["left", "right", "top", "bottom"]
# Beyond this share of the output, the classical continuation reads as a smear (measured on six real
# photos: seamless up to ~15–25 %, "settles to the border average" beyond; reference/layout_and_fill.md).
CLASSICAL_EXPAND = 0.2
# Target/master aspect factor beyond which one picture cannot serve the format (728×90 from a square is 8×):
# a layout, on either engine.
BANNER_FACTOR = 2.4
# An edge band is calm enough to continue when its mean gradient (grey levels per pixel at ≤ 256 px)
# stays under this: sky, backdrop, wall, floor measure 1–4; shelves, foliage, crowds 8 and more.
CALM_EDGE = 5.0
SNUG = 0.03  # the least margin around a head, as a share of the crop, before a crop gives way
TIGHT = 0.03  # a product filling the frame may lose this share of its extent at each side in a crop
_TOUCH = 0.02  # a key region within this share of the extent of a side touches it: never expand there


@dataclass(frozen=True)
class FitDecision:
    rule: Rule
    box: FloatBox  # window drawn (image pixels; may leave the image where expanded); layout: whole frame
    reason: str
    notes: list[str] = field(default_factory=list)
    layout: LayoutPlan | None = None
    sides: tuple[Side, ...] = ()  # sides that get generated pixels


def aspect_factor(image_size: tuple[int, int], aspect: float) -> float:
    """How far the target's aspect is from the image's (≥ 1; 2 = twice as wide or twice as tall)."""
    own = image_size[0] / image_size[1]
    return max(aspect / own, own / aspect)


def decide(
    subject: Subject,
    spec: ChannelSpec,
    *,
    engine: str,
    margin: float,
    max_expand: float,
    edges: dict[str, float],
    prefer: str = "auto",
    room: float = 0.0,
) -> FitDecision:
    """Crop, expand or lay out ``spec`` from the image ``subject`` was detected in (see the module doc).

    ``room``: the share of the frame that must stay clear of the key region (a strip along one side)
    for the copy and logo a later `brand` step places; a crop or expansion without it is a layout.
    """
    size = subject.image_size
    aspect = spec.aspect_ratio
    crowded = False
    crop = key_crop(subject, aspect, margin)
    if crop is not None and prefer != "expand":
        if free_strip(subject.key_box, crop) >= room:
            return FitDecision(
                "crop", crop, f"the {_kind(subject)} fits a {spec.aspect} crop with {margin:.0%} margin"
            )
        crowded = True
    if subject.key_kind == "head":  # a head whole with a snug margin beats any continuation or panel
        snug = key_crop(subject, aspect, min(margin, SNUG)) if margin > SNUG else None
        if snug is not None and prefer != "expand":
            if free_strip(subject.key_box, snug) >= room:
                why = f"the face fits a {spec.aspect} crop with a snug {SNUG:.0%} margin"
                return FitDecision("crop", snug, why)
            crowded = True
    tight = key_crop(subject, aspect, 0.0, trim=TIGHT) if subject.key_kind != "head" else None
    if tight is not None and prefer != "expand":
        if free_strip(subject.key_box, tight) >= room:
            return FitDecision(
                "crop", tight, f"a tight {spec.aspect} crop: the {_kind(subject)} fills the frame, its outer "
                f"edge trimmed by at most {TIGHT:.0%} a side"
            )
        crowded = True
    factor = aspect_factor(size, aspect)
    box, share, sides = least_expansion(subject, aspect, margin, edges, whole=prefer == "expand")
    limit = min(max_expand, CLASSICAL_EXPAND if engine == "classical" else max_expand)
    calm = [s for s in sides if edges.get(s, 0.0) <= CALM_EDGE and not _touches(subject, s)]
    forced = prefer == "expand" and share <= max_expand + 1e-9
    roomy = free_strip(subject.key_box, box) >= room
    if forced or (
        factor <= BANNER_FACTOR
        and share <= limit + 1e-9
        and roomy
        and (engine != "classical" or len(calm) == len(sides))
    ):
        rule: Rule = "expand" if _spans(box, size) else "expand+crop"
        why = (
            f"a {spec.aspect} crop would cut the {_kind(subject)}, so the canvas grows by {share:.0%} "
            f"of the output on the {_and(sides)}"
        )
        if prefer == "expand":
            why = f"expanded first (prefer=expand): {share:.0%} of the output generated on the {_and(sides)}"
        return FitDecision(rule, box, why, sides=sides)
    plan = plan_layout(subject, spec, margin)
    if factor > BANNER_FACTOR and prefer != "expand":
        why = f"{spec.aspect} is {factor:.1f}× the master's shape"
    elif crowded or (not roomy and share <= limit + 1e-9):
        why = (f"a {spec.aspect} frame of this master leaves no room beside the {_kind(subject)} for the "
               f"copy and logo ({room:.0%} of the frame)")
    elif share > limit or prefer == "expand":
        who = "the classical engine can continue a photo" if engine == "classical" else "max_expand allows"
        if prefer == "expand":
            limit, who = max_expand, "max_expand allows"
        why = (
            f"keeping the {_kind(subject)} whole would generate {share:.0%} of the frame, "
            f"more than {who} ({limit:.0%})"
        )
    else:
        busy = [s for s in sides if s not in calm]
        why = f"the {_and(busy)} edge is too busy (or the {_kind(subject)} touches it) to continue the photo"
    return FitDecision(
        "layout",
        plan.frame_box(),
        f"{why}: a layout — the {_kind(subject)} on the {plan.side}, a designed panel for the rest",
        layout=plan,
    )


def free_strip(key: tuple[int, int, int, int] | FloatBox, window: FloatBox) -> float:
    """The largest share of ``window`` clear of ``key`` in one strip along a side (0: the key fills it)."""
    x0, y0, x1, y1 = window
    w, h = x1 - x0, y1 - y0
    gaps = ((key[0] - x0) / w, (x1 - key[2]) / w, (key[1] - y0) / h, (y1 - key[3]) / h)
    return max(0.0, *gaps)


def _kind(subject: Subject) -> str:
    return {"head": "face", "product": "product", "mass": "subject"}[subject.key_kind]


def _and(sides: Sequence[str]) -> str:
    items = list(sides) or ["edge"]
    return " and ".join(items)


def _spans(box: FloatBox, size: tuple[int, int]) -> bool:
    """Whether the window holds the whole image on its un-padded axis (nothing cropped)."""
    tol = 1e-6
    full_x = box[0] <= tol and box[2] >= size[0] - tol
    full_y = box[1] <= tol and box[3] >= size[1] - tol
    return full_x and full_y


def _touches(subject: Subject, side: str) -> bool:
    x0, y0, x1, y1 = subject.key_box
    width, height = subject.image_size
    gap = {
        "left": x0 / width,
        "right": (width - x1) / width,
        "top": y0 / height,
        "bottom": (height - y1) / height,
    }
    return gap[side] < _TOUCH


def _axes(size: tuple[int, int], aspect: float) -> tuple[int, float]:
    """The axis a window of ``aspect`` would pad (0 = x when the target is wider) and its u:v ratio."""
    return (0, aspect) if aspect >= size[0] / size[1] else (1, 1 / aspect)


def _need(subject: Subject, v: int, length: float, margin: float) -> tuple[float, float]:
    """The span on ``v`` the key region plus ``margin`` (of ``length``) occupies, clipped to the image."""
    key = subject.key_box
    extent = float(subject.image_size[v])
    return max(key[v] - margin * length, 0.0), min(key[v + 2] + margin * length, extent)


def _start(subject: Subject, v: int, length: float, margin: float) -> float:
    """Start on ``v`` of an in-frame window of ``length``: key whole with margin, context kept where it
    can be, key centre at the centre (or, for a head on the vertical axis, a little above it)."""
    extent = float(subject.image_size[v])
    lo_need, hi_need = _need(subject, v, length, margin)
    lo, hi = max(0.0, hi_need - length), min(extent - length, lo_need)
    if lo > hi:  # the key does not fit with margin: centre on it
        lo = hi = min(max((lo_need + hi_need - length) / 2, 0.0), extent - length)
    context = subject.box
    c_lo, c_hi = max(lo, context[v + 2] - length), min(hi, float(context[v]))
    if c_lo <= c_hi:
        lo, hi = c_lo, c_hi
    key = subject.key_box
    centre = (key[v] + key[v + 2]) / 2
    at = 0.42 if (v == 1 and subject.key_kind == "head") else 0.5  # headroom: eyes sit above the middle
    return min(max(centre - at * length, lo), hi)


def key_crop(subject: Subject, aspect: float, margin: float, trim: float = 0.0) -> FloatBox | None:
    """The largest in-frame window of ``aspect`` holding the key region with ``margin``, or None.

    ``trim``: the share of the key region's extent that may fall outside on each side (a tight crop of a
    product that fills the frame: a saucer's rim, a shadow's edge — never for heads).
    """
    size = subject.image_size
    u, ratio = _axes(size, aspect)
    v = 1 - u
    length = size[u] / ratio  # an in-frame window spans the image on u and this much of v
    lo, hi = _need(subject, v, length, margin)
    if (hi - lo) * (1 - 2 * trim) > length + 1e-6:
        return None
    start = _start(subject, v, length, margin)
    if v == 1:
        return (0.0, start, float(size[0]), start + length)
    return (start, 0.0, start + length, float(size[1]))


def least_expansion(
    subject: Subject, aspect: float, margin: float, edges: dict[str, float], *, whole: bool = False
) -> tuple[FloatBox, float, tuple[Side, ...]]:
    """The smallest window of ``aspect`` that holds the key region with margin, padding the image on one
    axis: (window, generated share, the sides that get generated pixels). Padding goes to the calmer
    side(s) first, never to a side the key region touches. ``whole``: keep all of the image (expand first)."""
    size = subject.image_size
    u, ratio = _axes(size, aspect)
    v = 1 - u
    eu, ev = float(size[u]), float(size[v])
    v_len = ev if whole else min(ev, max(eu / ratio, _least(subject, v, eu / ratio, ev, margin)))
    u_len = v_len * ratio
    v_start = _start(subject, v, v_len, margin) if v_len < ev - 1e-6 else 0.0
    pad = max(0.0, u_len - eu)
    low, high = ("left", "right") if u == 0 else ("top", "bottom")
    calm_low = edges.get(low, 0.0) <= CALM_EDGE and not _touches(subject, low)
    calm_high = edges.get(high, 0.0) <= CALM_EDGE and not _touches(subject, high)
    if calm_low and not calm_high:
        u_start = -pad
    elif calm_high and not calm_low:
        u_start = 0.0
    else:  # both calm (or neither): split so the key region sits centred
        key = subject.key_box
        centre = (key[u] + key[u + 2]) / 2
        u_start = min(max(centre - u_len / 2, -pad), 0.0)
    sides: list[Side] = []
    if u_start < -0.5:
        sides.append(low)  # type: ignore[arg-type]
    if u_start + u_len > eu + 0.5:
        sides.append(high)  # type: ignore[arg-type]
    box = (
        (u_start, v_start, u_start + u_len, v_start + v_len)
        if u == 0
        else (v_start, u_start, v_start + v_len, u_start + u_len)
    )
    return box, (1 - eu / u_len) if u_len > eu else 0.0, tuple(sides)


def _least(subject: Subject, v: int, lo: float, hi: float, margin: float) -> float:
    """Smallest window length on ``v`` in [lo, hi] holding the key with margin (need − length is monotone)."""
    for _ in range(50):
        mid = (lo + hi) / 2
        a, b = _need(subject, v, mid, margin)
        lo, hi = (lo, mid) if b - a <= mid + 1e-6 else (mid, hi)
    return hi
