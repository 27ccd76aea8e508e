"""Does a fill hold up next to the photo it continues? ``judge_fill`` answers from the frame alone.

``judge_fill(rgb, generated, *, ignore=None, tol=None) -> FillVerdict(passed, reason, measures,
per_side, failures)`` needs no master: every generated band is compared with the photo pixels it
touches, at the frame's own scale, so one function serves the audit (on the delivered, encoded
file) and `fit` (to choose between a classical continuation and a designed panel before drawing
either). Pure and fast: ~15–50 ms CPU for a 1080×1920 frame (bench numbers in the report).

* ``rgb``: (H, W, 3) uint8 sRGB; ``generated``: (H, W), nonzero = generated; ``ignore``: (H, W),
  nonzero = neither photo nor fill (logo, copy, panels): left out of both sides of every comparison.
* Sides: the rows / columns at the frame's edges that are generated across (≥ 98 %) form a band
  (``top``, ``bottom``, ``left``, ``right``) continuing the photo across one straight seam. Other
  generated pixels (``inside``: a swap, a patch) are judged on their grain against the ring of photo
  around them only — what they show may differ from the photo by request.
* Per side, against the photo band of about the band's depth beside the seam (``per_side``):
  - seam: chromatic ΔE2000 and the L* step of local means, median over segments along the seam;
  - detail: gradient energy (σ2-smoothed, at ≤ 512 px: shapes, not grain) of the band's far half
    against the photo's quietest quarter of blocks — a fill continues the background around the
    subject, so the calmest part of the photo is the bar; below it, the fill is a smear;
  - grain: the noise floor (quietest quarter of 16 px blocks, finest db2 detail) at full size;
  - smoothness: share of the band smoother than anything in the photo;
  - repetition: the far half of the band mirroring the photo across the seam (a mirrored subject),
    or the band matching itself at a shift (a tiled patch) more than the photo beside it does.
* ``failures``: (check, reason) pairs — ``luminance`` (tone step), ``texture`` (smear, grain,
  repetition), ``color`` (seam colour) — each reason a sentence naming where the fill is
  ("generated area above the photo is smeared: detail 0.04× the neighbouring photo's …").
  ``passed`` is None when nothing could be compared (nothing generated, or no photo beside it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from pipeline.audit.fill_frame import Frame
from pipeline.audit.fill_measures import SideMeasures, measure_inside, measure_side, smooth_floor
from pipeline.audit.fill_reasons import findings

BAND_SHARE = 0.98  # a row / column this generated belongs to an edge band
MIN_BAND_PX = 3  # thinner bands are resampling slivers, not fills


@dataclass(frozen=True)
class FillTolerances:
    """Calibrated on six real photos (calibration_regions.py; bench/audit_confusion.py prints the
    margins): ranges over the 10 good classical continuations → over the defects each one catches."""

    # Across a seam (median over segments): what a viewer sees as a line where the fill starts.
    seam_delta_e: float = 2.0  # chromatic ΔE2000 of local means: good 0.07–0.41 → hue 40° 2.5–19.7
    seam_lightness: float = 4.0  # |ΔL*| of local means: good 0.01–0.54 → flat fills up to 10
    detail: float = 0.4  # far half / the photo's quietest quarter: good 0.49–1.9 → smears 0.04–0.3
    grain: tuple[float, float] = (0.5, 2.0)  # noise floor ratio: good 0.79–1.09 → flat / blur 0.38–0.8
    smooth_share: float = 0.75  # band smoother than anything in the photo: good 0–0.34 → flat 0.68–1
    mirror: float = 0.65  # far half vs the photo mirrored: good 0.02–0.57 → mirrored 0.84–0.97
    repeat: float = 0.8  # the band's self-match at a shift: good 0–0.51 → tiled 0.89–1.0 …
    repeat_margin: float = 0.25  # … this far above the photo band's own repetition


@dataclass(frozen=True)
class SideVerdict:
    side: str  # top | bottom | left | right | inside
    passed: bool | None  # None: too thin, or no photo beside it, to compare
    failures: tuple[tuple[str, str], ...]  # (check, reason)
    measures: dict[str, float | None]


@dataclass(frozen=True)
class FillVerdict:
    passed: bool | None  # None: nothing generated, or no photo beside it to compare with
    reason: str
    measures: dict[str, float | None]  # each measure's worst value over the sides
    per_side: dict[str, SideVerdict]
    failures: tuple[tuple[str, str], ...] = ()  # (check, reason): luminance | texture | color

    def to_json(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "reason": self.reason,
            "measures": self.measures,
            "per_side": {
                name: {"passed": s.passed, "measures": s.measures, "failures": [r for _, r in s.failures]}
                for name, s in self.per_side.items()
            },
        }


def judge_fill(
    rgb: np.ndarray,
    generated: np.ndarray,
    *,
    ignore: np.ndarray | None = None,
    tol: FillTolerances | None = None,
) -> FillVerdict:
    """Judge every generated area of ``rgb`` against the photo pixels it touches (module docstring)."""
    tol = tol or FillTolerances()
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"rgb must be (H, W, 3) uint8, got {rgb.shape} {rgb.dtype}")
    if generated.shape[:2] != rgb.shape[:2]:
        raise ValueError(f"generated mask {generated.shape[:2]} does not match the frame {rgb.shape[:2]}")
    gen = np.asarray(generated).reshape(rgb.shape[:2]) > 0.5
    skip = None if ignore is None else np.asarray(ignore).reshape(rgb.shape[:2]) > 0.5
    if skip is not None:
        gen &= ~skip
    if not gen.any():
        return FillVerdict(None, "nothing generated", {}, {})
    bands = edge_bands(gen, skip)
    thinnest = min((t for t in bands.values() if t >= MIN_BAND_PX), default=None)
    frame = Frame.build(rgb, gen, skip, thinnest)
    floor = smooth_floor(frame.structure, frame.work_valid(False))
    per_side: dict[str, SideVerdict] = {}
    for side, thickness in bands.items():
        if thickness >= MIN_BAND_PX:
            measured = measure_side(frame.oriented(side), thickness, _across(bands, side), floor)
            per_side[side] = _side(side, measured, tol)
    inside = gen & ~_band_mask(gen.shape, bands)
    if int(inside.sum()) >= 256:
        per_side["inside"] = _side("inside", measure_inside(frame.oriented("top"), inside), tol)
    return _combine(per_side)


def _side(side: str, measured: SideMeasures, tol: FillTolerances) -> SideVerdict:
    if not measured.compared:
        return SideVerdict(side, None, (), measured.values)
    failures = findings(side, measured, tol)
    return SideVerdict(side, not failures, tuple(failures), measured.values)


def _run(share: np.ndarray) -> int:
    """How many leading entries of ``share`` are ≥ BAND_SHARE."""
    below = np.flatnonzero(share < BAND_SHARE)
    return int(below[0]) if below.size else int(share.size)


def edge_bands(gen: np.ndarray, skip: np.ndarray | None) -> dict[str, int]:
    """Thickness (full px) of the generated band along each edge of the frame."""
    counted = np.ones_like(gen) if skip is None else ~skip
    rows = gen.sum(axis=1) / np.maximum(counted.sum(axis=1), 1)
    cols = gen.sum(axis=0) / np.maximum(counted.sum(axis=0), 1)
    bands = {"top": _run(rows), "bottom": _run(rows[::-1]), "left": _run(cols), "right": _run(cols[::-1])}
    if bands["top"] >= gen.shape[0] or bands["left"] >= gen.shape[1]:
        return {}  # all generated: no photo to compare with
    return bands


def _across(bands: dict[str, int], side: str) -> tuple[int, int, int]:
    """(bands on the two ends of ``side``'s seam, the opposite band) in the oriented frame."""
    if side in ("top", "bottom"):
        first, last = bands["left"], bands["right"]
        return first, last, bands["bottom" if side == "top" else "top"]
    first, last = bands["top"], bands["bottom"]
    return first, last, bands["right" if side == "left" else "left"]


def _band_mask(shape: tuple[int, int], bands: dict[str, int]) -> np.ndarray:
    mask = np.zeros(shape, bool)
    if not bands:
        return mask
    h, w = shape
    mask[: bands["top"]] = True
    mask[h - bands["bottom"] :] = True
    mask[:, : bands["left"]] = True
    mask[:, w - bands["right"] :] = True
    return mask


def _worse(key: str, a: float, b: float) -> float:
    """The worse of two sides' values of one measure."""
    if key == "detail_ratio":
        return min(a, b)
    if key == "grain_ratio":  # furthest from 1, either way
        return a if abs(np.log(max(a, 1e-6))) >= abs(np.log(max(b, 1e-6))) else b
    if key == "seam_lightness_step":
        return a if abs(a) >= abs(b) else b
    return max(a, b)


def _combine(per_side: dict[str, SideVerdict]) -> FillVerdict:
    judged = [s for s in per_side.values() if s.passed is not None]
    if not judged:
        return FillVerdict(None, "no photo pixels beside the generated area to compare it with", {}, per_side)
    failures = tuple(f for s in judged for f in s.failures)
    worst: dict[str, float | None] = {}
    for s in judged:
        for key, value in s.measures.items():
            if value is not None:
                now = worst.get(key)
                worst[key] = value if now is None else _worse(key, now, value)
    reason = "; ".join(r for _, r in failures) or "generated area continues the photo beside it"
    return FillVerdict(not failures, reason, worst, per_side, failures)
