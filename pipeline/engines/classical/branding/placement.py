"""Where logo and copy go: a small search over positions in the safe zone (and the layout's panel).

Each :class:`Option` is one way to set the brand (logo size, copy size and line count,
arrangement); its penalty says how far it is from what was asked (shrunk, split, dropped). Each
is tried at a grid of positions in each :class:`Area`, and the cheapest spot wins:

- covering a ``face`` or ``product`` box (padded) with any footprint is **forbidden**;
- busy backgrounds cost (gradient energy + luminance spread: :class:`CalmField`);
- covering the rest of a person or the main mass costs;
- straying from the requested position (or, for "auto", from the usual corners) costs.

``arrange.search`` runs it over every option (cheapest penalty first).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from pipeline.engines.classical.branding.calm import CalmField
from pipeline.engines.classical.branding.wrapping import CopyBlock

IntBox = tuple[int, int, int, int]
FloatBox = tuple[float, float, float, float]
GRID = 15  # positions per axis
REQUESTED_WEIGHT, AUTO_WEIGHT, NEAR_WEIGHT = 1.5, 0.3, 0.8
ALIGN_MISMATCH = 0.15  # a stack aligned left sitting in the right third reads as misplaced
COVERAGE_WEIGHT = 0.5  # share of a photo area the brand covers


@dataclass(frozen=True)
class Piece:
    kind: str  # "logo" or "copy"
    offset: tuple[int, int]  # top-left inside the group
    size: tuple[int, int]
    pad: int  # footprint margin: scrim, shadow, anti-aliasing


@dataclass(frozen=True)
class Option:
    pieces: tuple[Piece, ...]
    arrangement: str  # "stack", "row", "logo", "copy" ("split" pieces are placed one by one)
    penalty: float
    align: str = "left"  # copy lines (and a stack's logo): left / center / right
    logo_size: tuple[int, int] | None = None
    copy: CopyBlock | None = None

    @property
    def size(self) -> tuple[int, int]:
        return (
            max(p.offset[0] + p.size[0] for p in self.pieces),
            max(p.offset[1] + p.size[1] for p in self.pieces),
        )


@dataclass(frozen=True)
class Area:
    box: IntBox
    on_panel: bool
    penalty: float = 0.0


@dataclass(frozen=True)
class Scene:
    forbidden: tuple[FloatBox, ...]
    soft: tuple[tuple[FloatBox, float], ...]  # (box, weight per share of the group covered)
    calm: CalmField
    position: str  # "auto" or "<top|bottom>-<left|center|right>"
    near: tuple[float, float] | None = None  # keep close to this point (the copy, for a split logo)


@dataclass(frozen=True)
class Spot:
    option: Option
    area: Area
    boxes: dict[str, IntBox] = field(default_factory=dict)
    cost: float = 0.0
    anchor: str = "center"


def _positions(option: Option, scene: Scene, axis: int, lo: int, hi: int) -> np.ndarray:
    """Group positions along ``axis`` to try: an even grid, plus each piece just clear of each
    forbidden box on either side (a narrow gap between two faces falls between grid steps)."""
    grid = np.round(np.linspace(lo, hi, min(GRID, hi - lo + 1)))
    snapped = []
    for piece in option.pieces:
        offset, size = piece.offset[axis], piece.size[axis]
        for f in scene.forbidden:
            snapped += [
                math.ceil(f[axis + 2] + piece.pad - offset),
                math.floor(f[axis] - piece.pad - size - offset),
            ]
    edges = np.array([v for v in snapped if lo <= v <= hi])
    return np.unique(np.concatenate([grid, edges]).astype(int))


def best_in(option: Option, area: Area, scene: Scene, beat: float = np.inf) -> Spot | None:
    """The cheapest position of ``option`` inside ``area`` costing less than ``beat``; None if it
    doesn't fit, every position is forbidden, or none can beat ``beat``."""
    gw, gh = option.size
    ax0, ay0, ax1, ay1 = area.box
    if gw > ax1 - ax0 or gh > ay1 - ay0:
        return None
    fixed = option.penalty + area.penalty
    if not area.on_panel:
        fixed += COVERAGE_WEIGHT * gw * gh / ((ax1 - ax0) * (ay1 - ay0))
    if fixed >= beat:
        return None
    xs, ys = np.meshgrid(
        _positions(option, scene, 0, ax0, ax1 - gw), _positions(option, scene, 1, ay0, ay1 - gh)
    )
    x, y = xs.ravel().astype(np.float64), ys.ravel().astype(np.float64)
    allowed = np.ones(x.shape, bool)
    busy = np.zeros(x.shape)
    total = 0.0
    for piece in option.pieces:
        px0, py0 = x + piece.offset[0], y + piece.offset[1]
        px1, py1 = px0 + piece.size[0], py0 + piece.size[1]
        for f in scene.forbidden:
            allowed &= (
                (px1 + piece.pad <= f[0])
                | (f[2] <= px0 - piece.pad)
                | (py1 + piece.pad <= f[1])
                | (f[3] <= py0 - piece.pad)
            )
        share = piece.size[0] * piece.size[1]
        busy += scene.calm.busy(np.stack([px0, py0, px1, py1], axis=1)) * share
        total += share
    if not allowed.any():
        return None
    cost = fixed + busy / max(total, 1.0)
    for box, weight in scene.soft:
        cost += weight * _overlap(x, y, gw, gh, box) / (gw * gh)
    cost += _preference(x, y, gw, gh, area, scene)
    if option.arrangement == "stack":
        t = (x + gw / 2 - ax0) / max(ax1 - ax0, 1)
        thirds = np.where(t < 1 / 3, "left", np.where(t > 2 / 3, "right", "center"))
        cost += ALIGN_MISMATCH * (thirds != option.align)
    cost = np.where(allowed, cost, np.inf)
    i = int(np.argmin(cost))
    gx, gy = int(x[i]), int(y[i])
    boxes = {
        p.kind: (
            gx + p.offset[0],
            gy + p.offset[1],
            gx + p.offset[0] + p.size[0],
            gy + p.offset[1] + p.size[1],
        )
        for p in option.pieces
    }
    return Spot(option, area, boxes, float(cost[i]), anchor_name(gx, gy, gw, gh, area.box))


def _overlap(x: np.ndarray, y: np.ndarray, w: int, h: int, box: FloatBox) -> np.ndarray:
    ow = np.clip(np.minimum(x + w, box[2]) - np.maximum(x, box[0]), 0, None)
    oh = np.clip(np.minimum(y + h, box[3]) - np.maximum(y, box[1]), 0, None)
    return ow * oh


def _target(x: np.ndarray, y: np.ndarray, w: int, h: int, box: IntBox, where: str) -> np.ndarray:
    """Distance (in area widths + heights) of the group's ``where`` anchor from the area's."""
    vertical, horizontal = where.split("-")
    gx = {"left": x, "center": x + w / 2, "right": x + w}[horizontal]
    tx = {"left": box[0], "center": (box[0] + box[2]) / 2, "right": box[2]}[horizontal]
    gy = {"top": y, "middle": y + h / 2, "bottom": y + h}[vertical]
    ty = {"top": box[1], "middle": (box[1] + box[3]) / 2, "bottom": box[3]}[vertical]
    return np.abs(gx - tx) / (box[2] - box[0]) + np.abs(gy - ty) / (box[3] - box[1])


def _preference(x: np.ndarray, y: np.ndarray, w: int, h: int, area: Area, scene: Scene) -> np.ndarray:
    cost = np.zeros(x.shape)
    if scene.near is not None:
        diagonal = float(np.hypot(area.box[2] - area.box[0], area.box[3] - area.box[1]))
        cost += NEAR_WEIGHT * np.hypot(x + w / 2 - scene.near[0], y + h / 2 - scene.near[1]) / diagonal
    if scene.position != "auto":
        return cost + REQUESTED_WEIGHT * _target(x, y, w, h, area.box, scene.position)
    if area.on_panel:  # a designed panel: the brand sits centred on it
        return cost + AUTO_WEIGHT * _target(x, y, w, h, area.box, "middle-center")
    usual = ("bottom-left", "bottom-right", "top-left", "top-right", "bottom-center")
    return cost + AUTO_WEIGHT * np.min([_target(x, y, w, h, area.box, u) for u in usual], axis=0)


def _third(v: float, lo: float, hi: float) -> str:
    t = (v - lo) / max(hi - lo, 1e-9)
    return "left" if t < 1 / 3 else "right" if t > 2 / 3 else "center"


def anchor_name(x: int, y: int, w: int, h: int, box: IntBox) -> str:
    """Where the group sits in its area, in words: "bottom-right", "middle-left", "center", …"""
    horizontal = _third(x + w / 2, box[0], box[2])
    vertical = {"left": "top", "center": "middle", "right": "bottom"}[_third(y + h / 2, box[1], box[3])]
    return "center" if (vertical, horizontal) == ("middle", "center") else f"{vertical}-{horizontal}"
