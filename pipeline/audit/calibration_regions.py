"""The calibration set for generated and designed pixels (issue 13), and its confusion matrices.

Cases on the six real photos (calibration_fills.py): good variants — plain crops (``fit`` choosing
a crop), small classical continuations, designed panels (calibration_design.py) — which must pass
every check; injected fill defects, which must fail the check they belong to (texture for flat
fills, smears, mirrored subjects and tiled patches; color for hue-shifted fills); the issue's two
missed smears (texture); design defects (design).

A fill defect that changes the continuation by less than a viewer could see (mean ΔE2000 < 1 and
SSIM ≥ 0.97 against the good fill, at ≤ 512 px) is reported as "not visible here" and left out of
the catch rate: a tiled patch of flat sky is still flat sky.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import cv2
import numpy as np
from PIL import Image

from pipeline.audit import calibration as cal
from pipeline.audit import calibration_design as cd
from pipeline.audit import calibration_fills as cfl
from pipeline.audit import colorspace
from pipeline.audit.batch import CHECKS, AuditItem

CROP_SPECS = (
    "meta-feed-square",
    "meta-feed-portrait",
    "story",
    "landing-hero",
    "youtube-thumbnail",
    "linkedin-single",
    "iab-medium-rectangle",
)


@dataclass(frozen=True)
class Case:
    group: str  # crop | continuation | panel | fill defect | smear | design defect
    name: str  # "good" or the defect's name
    label: str
    master: str
    expected: str | None  # the check that must fail (None: every check must pass)
    build: Callable[[], tuple[AuditItem, str | None]]  # the item, and why a defect is not visible


@dataclass(frozen=True)
class Outcome:
    case: Case
    failed: frozenset[str]
    reasons: dict[str, str]
    invisible: str | None = None
    measures: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        if self.case.expected is None:
            return not self.failed
        return self.invisible is not None or self.case.expected in self.failed


def _item(label: str, spec: str, v: cal.Variant, **extra: Any) -> AuditItem:
    return AuditItem(
        f"{label}.{v.encoding.format}", v.image, spec, v.geometry, v.generated_mask, v.encoding, **extra
    )


def visibility(good: np.ndarray, bad: np.ndarray, mask: np.ndarray) -> tuple[float, float]:
    """(mean ΔE2000, SSIM of luma) between two versions of a fill, over ``mask``, at ≤ 512 px."""
    from skimage.metrics import structural_similarity

    h, w = mask.shape
    f = min(1.0, 512 / max(h, w))
    size = (max(1, round(w * f)), max(1, round(h * f)))
    small = [
        cv2.GaussianBlur(cv2.resize(a, size, interpolation=cv2.INTER_AREA), (0, 0), 1.0) for a in (good, bad)
    ]
    inside = cv2.resize(mask.astype(np.float32), size, interpolation=cv2.INTER_AREA) > 0.99
    if not inside.any():
        return 0.0, 1.0
    delta = colorspace.delta_e2000(
        colorspace.lab(small[0][inside][None]), colorspace.lab(small[1][inside][None])
    )
    _, ssim = structural_similarity(
        colorspace.luma(small[0]),
        colorspace.luma(small[1]),
        data_range=255.0,
        full=True,
        gaussian_weights=True,
        sigma=1.5,
        use_sample_covariance=False,
    )
    return float(delta.mean()), float(ssim[inside].mean())


def _fill_defect(case: cfl.FillCase, defect: str) -> tuple[AuditItem, str | None]:
    good, bad = cfl.variant(case), cfl.variant(case, defect)
    assert bad.generated_mask is not None
    delta, ssim = visibility(
        np.asarray(good.image.convert("RGB")), np.asarray(bad.image.convert("RGB")), bad.generated_mask
    )
    why = None if delta >= 1.0 or ssim < 0.97 else f"changes the fill by ΔE2000 {delta:.2f}, SSIM {ssim:.3f}"
    return _item(f"{defect} @ {case.label}", case.spec, bad), why


def _panel(case: cd.PanelCase, defect: str | None) -> tuple[AuditItem, str | None]:
    made = cd.panel_variant(case, defect)
    return _item(
        f"{defect or 'panel'} @ {case.label}",
        case.spec,
        made.variant,
        designed_mask=made.designed_mask,
        design=made.design,
    ), None


def _made_by_op(label: str, fc: cfl.FillCase) -> tuple[AuditItem, str | None]:
    return _item(label, fc.spec, cfl.variant(fc)), None


def _fitted(label: str, master: str, spec: str) -> tuple[AuditItem, str | None]:
    return _item(label, spec, cfl.fitted(master, spec)[1]), None


def _layout(label: str, master: str, spec: str) -> tuple[AuditItem, str | None]:
    made = cd.real_layout(master, spec)
    assert made is not None
    return _item(label, spec, made.variant, designed_mask=made.designed_mask, design=made.design), None


def crop_cases(masters: Sequence[str]) -> list[Case]:
    """The real `fit` on the crop specs where it chooses a crop, and on the banner specs where it
    lays the photo out beside a designed panel (then the real `brand` sets copy on the panel)."""
    out = []
    for master in masters:
        for spec in CROP_SPECS:
            if cfl.fitted(master, spec)[0].record.get("rule") == "crop":
                label = f"crop {master} {spec}"
                out.append(Case("crop", "good", label, master, None, partial(_fitted, label, master, spec)))
        for spec in cd.LAYOUT_SPECS:
            if cfl.fitted(master, spec)[0].layout is not None:
                label = f"layout {master} {spec} (fit + brand)"
                out.append(Case("layout", "good", label, master, None, partial(_layout, label, master, spec)))
    return out


def cases(masters: Sequence[str] = cfl.PHOTOS) -> list[Case]:
    """Every case of the set on ``masters``: good ones first."""
    out = crop_cases(masters)
    chosen = [c for c in cfl.CONTINUATIONS if c.master in masters]
    panels = [p for p in cd.PANELS if p.master in masters]
    for fc in chosen:
        label = f"continuation {fc.label}"
        out.append(Case("continuation", "good", label, fc.master, None, partial(_made_by_op, label, fc)))
    for pc in panels:
        out.append(Case("panel", "good", f"panel {pc.label}", pc.master, None, partial(_panel, pc, None)))
    for fc in chosen:
        for defect, (check, _) in cfl.DEFECTS.items():
            label = f"{defect} @ {fc.label}"
            out.append(
                Case("fill defect", defect, label, fc.master, check, partial(_fill_defect, fc, defect))
            )
    for fc in (s for s in cfl.SMEARS if s.master in masters):
        label = f"smear {fc.label}"
        out.append(
            Case("smear", "classical smear", label, fc.master, "texture", partial(_made_by_op, label, fc))
        )
    for pc in panels:
        for defect in cd.DESIGN_DEFECTS:
            label = f"{defect} @ {pc.label}"
            out.append(Case("design defect", defect, label, pc.master, "design", partial(_panel, pc, defect)))
    return out


Audit = Callable[[AuditItem, Image.Image, str], dict[str, Any]]


def run(selected: Iterable[Case], audit: Audit) -> list[Outcome]:
    """Build and audit each case (``audit(item, master image, master name)`` → the asset dict)."""
    outcomes = []
    for case in selected:
        item, invisible = case.build()
        asset = audit(item, cfl.photo(case.master), case.master)
        failed = frozenset(c for c in CHECKS if asset["checks"][c]["passed"] is False)
        reasons = {c: str(asset["checks"][c].get("reason", "")) for c in failed}
        invisible = invisible if case.expected else None
        outcomes.append(Outcome(case, failed, reasons, invisible, _measures(asset)))
    return outcomes


# The measures behind the fill and design tolerances: (check, where in the check, key).
MARGIN_MEASURES = {
    "seam ΔE2000": ("color", "generated", "seam_delta_e"),
    "|seam ΔL*|": ("luminance", "generated", "seam_lightness_step"),
    "detail ×": ("texture", "generated", "detail_ratio"),
    "grain ×": ("texture", "generated", "grain_ratio"),
    "smooth share": ("texture", "generated", "smooth_share"),
    "mirror": ("texture", "generated", "mirror_correlation"),
    "repeat": ("texture", "generated", "repeat_correlation"),
    "brand ΔE2000": ("design", None, "brand_delta_e"),
    "copy contrast": ("design", None, "copy_contrast"),
}


def _measures(asset: dict[str, Any]) -> dict[str, float]:
    out = {}
    for name, (check, part, key) in MARGIN_MEASURES.items():
        source = asset["checks"][check]
        value = (source.get(part) or {}).get(key) if part else source.get(key)
        if value is not None:
            out[name] = abs(float(value)) if name.startswith("|") else float(value)
    return out


def margins(outcomes: Sequence[Outcome]) -> str:
    """Per measure: its range over the good variants, and over each kind of defect."""
    lines = []
    for name in MARGIN_MEASURES:
        groups: dict[str, list[float]] = {}
        for o in outcomes:
            if name in o.measures and not o.invisible:
                groups.setdefault("good" if o.case.expected is None else o.case.name, []).append(
                    o.measures[name]
                )
        if groups:
            ranges = [f"{g}: {min(v):.3g}–{max(v):.3g} ({len(v)})" for g, v in groups.items()]
            lines.append(f"{name:14s} " + " | ".join(ranges))
    return "\n".join(lines)


def case_table(outcomes: Sequence[Outcome]) -> str:
    """One row per case: FAIL / pass per check, the expected check, and the verdict."""
    lines = [f"{'case':62s} " + " ".join(f"{c:>9s}" for c in CHECKS) + "  expected"]
    for o in outcomes:
        cells = " ".join(f"{'FAIL' if c in o.failed else 'pass':>9s}" for c in CHECKS)
        verdict = "ok" if o.ok else "MISSED" if o.case.expected else "FALSE FAIL"
        if o.invisible:
            verdict = f"not visible here ({o.invisible})"
        elif o.case.expected and o.ok and o.failed - {o.case.expected}:
            verdict += " (also " + ", ".join(sorted(o.failed - {o.case.expected})) + ")"
        lines.append(f"{o.case.label[:62]:62s} {cells}  {o.case.expected or '-'} {verdict}")
    return "\n".join(lines)


def confusion(outcomes: Sequence[Outcome]) -> str:
    """Per check: good variants vs the defects that belong to it (2×2), and other defects it failed."""
    good = [o for o in outcomes if o.case.expected is None]
    lines = []
    for check in CHECKS:
        mine = [o for o in outcomes if o.case.expected == check and not o.invisible]
        others = [o for o in outcomes if o.case.expected not in (None, check) and not o.invisible]
        tp = sum(check in o.failed for o in mine)
        fp = sum(check in o.failed for o in good)
        lines.append(
            f"{check:10s}              failed  passed\n"
            f"  its defects ({len(mine):3d})   {tp:6d}  {len(mine) - tp:6d}\n"
            f"  good        ({len(good):3d})   {fp:6d}  {len(good) - fp:6d}\n"
            f"  other defects failed here: {sum(check in o.failed for o in others)} of {len(others)}"
        )
    return "\n".join(lines)


def targets(outcomes: Sequence[Outcome]) -> tuple[str, bool]:
    """The issue's targets: good false-fail ≤ 2 %, visible injected defects caught on their check ≥ 95 %."""
    good = [o for o in outcomes if o.case.expected is None]
    defects = [o for o in outcomes if o.case.expected is not None and not o.invisible]
    false_fail = sum(not o.ok for o in good) / max(1, len(good))
    caught = sum(o.case.expected in o.failed for o in defects) / max(1, len(defects))
    met = false_fail <= 0.02 and caught >= 0.95
    skipped = sum(1 for o in outcomes if o.invisible)
    text = (
        f"good variants false-fail {false_fail:.1%} of {len(good)} (target ≤ 2 %): "
        f"{'met' if false_fail <= 0.02 else 'MISSED'}\n"
        f"injected defects caught on their own check {caught:.1%} of {len(defects)} (target ≥ 95 %): "
        f"{'met' if caught >= 0.95 else 'MISSED'}"
        + (f"; {skipped} not visible on their base, left out" if skipped else "")
    )
    return text, met
