"""Shapes written in a request: explicit ones (a ratio, a pixel size) decide a spec; orientation words
("portrait", "tall", "wide") only narrow, unless nothing else is named."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.planner import vocabulary as v
from bot.planner.text import Clause
from pipeline.specs import ChannelSpec

WIDE_RATIO = 1.5  # "a wide banner": clearly wider than tall (1.91:1, 16:9, leaderboards), not a 300×250


@dataclass
class Shape:
    label: str  # "9:16", "300×250", "portrait"
    matches: Callable[[ChannelSpec], bool]
    size: tuple[int, int] | None = None
    explicit: bool = True  # a ratio or a size; False for orientation words


def shape(label: str) -> Shape:
    """``"portrait"``, ``"wide"``, ``"300x250"`` or ``"9:16"`` as a :class:`Shape`."""
    if label in ("portrait", "landscape", "wide"):
        test: Callable[[ChannelSpec], bool] = {
            "portrait": lambda s: s.height > s.width,
            "landscape": lambda s: s.width > s.height,
            "wide": lambda s: s.aspect_ratio >= WIDE_RATIO,
        }[label]
        return Shape(label, test, explicit=False)
    if "x" in label:
        w, h = (int(p) for p in label.split("x"))
        return Shape(f"{w}×{h}", lambda s: s.size == (w, h), size=(w, h))
    a, b = (float(p) for p in label.split(":"))
    target = a / b if b else 0.0
    return Shape(label, lambda s: target > 0 and abs(s.aspect_ratio - target) <= 0.01 * target)


def shape_at(c: Clause, i: int) -> tuple[int, Shape] | None:
    """A shape written at free token ``i``: (tokens used, shape), or None."""
    tok = c.tokens[i]
    if tok.kind in ("ratio", "size"):
        return 1, shape(tok.low)
    if found := c.phrase_at(i, v.SIZE_WORDS, longest=2):
        return found[0], shape(found[1])
    if tok.low in v.SHAPE_WORDS:
        return 1, shape(v.SHAPE_WORDS[tok.low])
    # "1080 square", "1200 sq": a square of that many pixels.
    if tok.low.isdigit() and c.free(i + 1) and c.low(i + 1) in ("square", "sq", "squared"):
        side = int(tok.low)
        return (2, shape(f"{side}x{side}")) if 16 <= side <= 10000 else None
    return None
