"""Channel words → spec names, resolved against the catalogue.

A clause lists *items* separated by commas, "and", "+", "/". Inside one item, a platform word
qualifies a ratio or size ("IAB 300x250 728x90", "the 21:9 hero", "TikTok 9:16"); on its own it
means the platform's core set (its specs in the default set, else all of them). A bare ratio or
size picks the default-set spec first (9:16 → story), and says so when another would fit too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.planner import vocabulary as v
from bot.planner.text import Clause
from pipeline.specs import CONTRACT_SPECS, SPECS, ChannelSpec, get_spec

SEPARATORS = frozenset({",", "and", "&", "+", "/", "plus", "also", "then", "or", "as"})
_INDEX = {spec.name: n for n, spec in enumerate(SPECS)}


@dataclass
class Shape:
    label: str  # "9:16", "300×250", "portrait"
    matches: Callable[[ChannelSpec], bool]
    size: tuple[int, int] | None = None


@dataclass
class Item:
    specs: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    shapes: list[Shape] = field(default_factory=list)
    all: bool = False
    usual: bool = False


def read_targets(c: Clause, notes: list[str]) -> tuple[list[str], bool]:
    """Consume channel words in a clause: (spec names, whether "all"/"everything" stood alone)."""
    items: list[Item] = [Item()]
    i = 0
    while i < len(c.tokens):
        tok = c.tokens[i]
        item = items[-1]
        if not c.free(i) or tok.low in SEPARATORS:
            if c.free(i):
                c.use(i, i + 1, "separator")
            items.append(Item())
            i += 1
            continue
        n = 1
        if tok.low in v.SPEC_NAMES:
            item.specs.append(tok.low)
        elif found := c.phrase_at(i, v.SPEC_ALIASES):
            n, name = found
            item.specs.append(name)
        elif found := c.phrase_at(i, v.GROUP_ALIASES):
            n, group = found
            item.groups.append(group)
        elif tok.low in v.SHAPE_WORDS:
            item.shapes.append(_shape(v.SHAPE_WORDS[tok.low]))
        elif tok.kind in ("ratio", "size"):
            item.shapes.append(_shape(tok.low))
        elif tok.low in v.ALL_WORDS:
            item.all = True
        elif tok.low in v.USUAL_WORDS:
            item.usual = True
        else:
            i += 1  # filler or unknown: reported later, does not end the item
            continue
        c.use(i, i + n, "target")
        i += n
    specs: list[str] = []
    lone_all = False
    for item in items:
        if (item.all or item.usual) and not (item.specs or item.groups or item.shapes):
            lone_all = True
        for name in _resolve(item, notes):
            if name not in specs:
                specs.append(name)
    return specs, lone_all


def _resolve(item: Item, notes: list[str]) -> list[str]:
    groups = list(item.groups)
    out: list[str] = []
    for name in item.specs:
        spec = get_spec(name)
        if item.shapes and not any(shape.matches(spec) for shape in item.shapes):
            groups.extend(spec.groups)  # "21:9 LP hero": the shape picks, the name narrows to its family
        else:
            out.append(name)
    pool = [s for s in SPECS if any(g in s.groups for g in groups)] if groups else None
    for shape in item.shapes:
        if any(shape.matches(get_spec(name)) for name in out):
            continue  # "1080x1920 story": the name already says which
        found = _pick(shape, pool, notes)
        if found and found not in out:
            out.append(found)
    if not item.specs and not item.shapes:
        for group in item.groups:
            members = [s.name for s in SPECS if group in s.groups]
            core = [name for name in members if name in CONTRACT_SPECS]
            out.extend(n for n in (members if item.all or not core else core) if n not in out)
    return out


def _pick(shape: Shape, pool: list[ChannelSpec] | None, notes: list[str]) -> str | None:
    candidates = [s for s in (pool if pool is not None else SPECS) if shape.matches(s)]
    if not candidates and pool is not None and shape.size:
        # "DV360 300x250": DV360 units are uploaded at 2× the IAB size they stand for.
        w, h = shape.size
        candidates = [s for s in pool if s.size == (2 * w, 2 * h)]
    if not candidates:
        where = f" among {', '.join(sorted({s.platform for s in pool}))} specs" if pool else ""
        notes.append(f"no channel spec is {shape.label}{where}; left out (see `keyart specs`)")
        return None
    candidates.sort(key=lambda s: (s.name not in CONTRACT_SPECS, _INDEX[s.name]))
    best = candidates[0]
    if pool is None and len(candidates) > 1:
        others = ", ".join(f"`{s.name}`" for s in candidates[1:4])
        notes.append(
            f"read {shape.label} as `{best.name}` ({best.width}×{best.height}); "
            f"also {shape.label}: {others} — name one to get it"
        )
    return best.name


def _shape(label: str) -> Shape:
    if label == "portrait":
        return Shape("portrait", lambda s: s.height > s.width)
    if label == "landscape":
        return Shape("landscape", lambda s: s.width > s.height)
    if "x" in label:
        w, h = (int(p) for p in label.split("x"))
        return Shape(f"{w}×{h}", lambda s: s.size == (w, h), size=(w, h))
    a, b = (float(p) for p in label.split(":"))
    target = a / b if b else 0.0
    return Shape(label, lambda s: target > 0 and abs(s.aspect_ratio - target) <= 0.01 * target)
