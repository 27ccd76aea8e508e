"""The ways to set logo and copy, each with a penalty for how far it strays from what was asked.

Penalties order the fallbacks when room is short: move (free: the search does it), shrink the
copy or the logo a little, set the copy over more lines, split logo and copy apart, then drop the
logo, and only then the copy. A face is never covered: that is a constraint, not a penalty.
"""

from __future__ import annotations

import math
from dataclasses import replace

from pipeline.engines.classical.branding.placement import Area, Option, Piece, Scene, Spot, best_in
from pipeline.engines.classical.branding.wrapping import CopyBlock

LOGO_STEPS = (1.0, 0.8, 0.65, 0.5, 0.4)  # logo sizes tried, as fractions of the wanted size
COPY_SHRINK, LOGO_SHRINK, EXTRA_LINE = 2.0, 1.0, 0.2
OTHER_ARRANGEMENT, SPLIT = 0.3, 1.5
DROP_LOGO, DROP_COPY = 8.0, 16.0
DESIGN_PAD = 4  # anti-aliasing reaches this far beyond a drawn box (copy adds its shadow's reach)


def scrim_margin(px: int) -> int:
    return max(2, round(px * 0.35))


def copy_piece(block: CopyBlock, offset: tuple[int, int] = (0, 0)) -> Piece:
    return Piece("copy", offset, block.size, scrim_margin(block.px) + DESIGN_PAD)


def logo_piece(size: tuple[int, int], offset: tuple[int, int] = (0, 0)) -> Piece:
    return Piece("logo", offset, size, DESIGN_PAD)


def options(
    logo: tuple[int, int] | None,
    blocks: list[CopyBlock],
    start_px: int,
    position: str,
    wide: bool,
    min_logo: int = 12,
) -> list[Option]:
    """Every option: logo sizes (or none) × copy layouts (or none) × arrangements.

    A logo is never shrunk below ``min_logo`` px on its short side (smaller, it is a smudge).
    """
    aligns = ["left", "center", "right"] if position == "auto" else [position.split("-")[1]]
    fewest: dict[int, int] = {}
    for each in blocks:
        fewest[each.px] = min(fewest.get(each.px, len(each.lines)), len(each.lines))
    logos: list[tuple[tuple[int, int] | None, float]] = [(None, DROP_LOGO if logo else 0.0)]
    if logo:
        for step in LOGO_STEPS:
            scaled = (round(logo[0] * step), round(logo[1] * step))
            if min(scaled) >= min_logo or step == 1.0:
                logos.append((scaled, LOGO_SHRINK * (1 - step)))
    copies: list[tuple[CopyBlock | None, float]] = [(None, DROP_COPY if blocks else 0.0)]
    for layout in blocks:
        shrink = COPY_SHRINK * math.log2(start_px / layout.px)  # each halving costs the same
        copies.append((layout, shrink + EXTRA_LINE * (len(layout.lines) - fewest[layout.px])))
    found: list[Option] = []
    for size, logo_pen in logos:
        for block, copy_pen in copies:
            penalty = logo_pen + copy_pen
            if block is None:
                if size is not None:
                    found.append(Option((logo_piece(size),), "logo", penalty, logo_size=size))
            elif size is None:
                found += [Option((copy_piece(block),), "copy", penalty, a, copy=block) for a in aligns]
            else:
                found += _pairs(size, block, penalty, aligns, wide)
    return found


def _pairs(
    logo: tuple[int, int], block: CopyBlock, penalty: float, aligns: list[str], wide: bool
) -> list[Option]:
    """Logo and copy together: stacked (logo above), in a row (either order), or split apart."""
    cw, ch = block.size
    stack_pen = penalty + (OTHER_ARRANGEMENT if wide else 0.0)
    row_pen = penalty + (0.0 if wide else OTHER_ARRANGEMENT)
    gap = max(6, round(0.4 * block.px))
    width = max(logo[0], cw)
    found = []
    for align in aligns:
        lx = {"left": 0, "center": (width - logo[0]) // 2, "right": width - logo[0]}[align]
        cx = {"left": 0, "center": (width - cw) // 2, "right": width - cw}[align]
        pieces = (logo_piece(logo, (lx, 0)), copy_piece(block, (cx, logo[1] + gap)))
        found.append(Option(pieces, "stack", stack_pen, align, logo, block))
    row_gap = max(8, round(0.6 * block.px))
    height = max(logo[1], ch)
    ly, cy = (height - logo[1]) // 2, (height - ch) // 2
    first = (logo_piece(logo, (0, ly)), copy_piece(block, (logo[0] + row_gap, cy)))
    last = (copy_piece(block, (0, cy)), logo_piece(logo, (cw + row_gap, ly)))
    found.append(Option(first, "row", row_pen, "left", logo, block))
    found.append(Option(last, "row", row_pen, "right", logo, block))
    split = (copy_piece(block), logo_piece(logo))
    found += [Option(split, "split", penalty + SPLIT, a, logo, block) for a in aligns]
    return found


def place(option: Option, area: Area, scene: Scene, beat: float = math.inf) -> Spot | None:
    """``best_in`` for grouped options; a split sets the copy first, then the logo near it."""
    if option.arrangement != "split":
        return best_in(option, area, scene, beat)
    if option.penalty + area.penalty >= beat:
        return None
    copy, logo = option.pieces
    first = best_in(Option((copy,), "copy", 0.0, option.align, copy=option.copy), area, scene)
    if first is None:
        return None
    c = first.boxes["copy"]
    taken = (c[0] - copy.pad, c[1] - copy.pad, c[2] + copy.pad, c[3] + copy.pad)
    near = ((c[0] + c[2]) / 2, (c[1] + c[3]) / 2)
    beside = replace(scene, forbidden=(*scene.forbidden, taken), near=near)
    second = best_in(Option((logo,), "logo", 0.0, logo_size=option.logo_size), area, beside)
    if second is None:
        return None
    cost = option.penalty + (first.cost + second.cost) / 2
    return Spot(option, area, {**first.boxes, **second.boxes}, cost, first.anchor)


def search(options: list[Option], areas: list[Area], scene: Scene) -> Spot | None:
    """The cheapest spot over every option and area, or None when every spot is forbidden.

    Options are tried cheapest penalty first; the search stops once no remaining option can beat
    the best spot found (its penalty alone is higher).
    """
    best: Spot | None = None
    floor = min(a.penalty for a in areas)
    for option in sorted(options, key=lambda o: o.penalty):
        if best is not None and option.penalty + floor >= best.cost:
            break
        for area in areas:
            spot = place(option, area, scene, best.cost if best is not None else math.inf)
            if spot is not None and (best is None or spot.cost < best.cost):
                best = spot
    return best
