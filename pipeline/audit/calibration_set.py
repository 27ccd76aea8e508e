"""The named calibration cases (issue 4) and the confusion table (perturbation × check).

Each perturbation names the check that must catch it. Stages: ``variant`` perturbs the resized
variant before export, ``master`` perturbs the master before the crop (blur "at master scale"),
``face`` perturbs the master's face, ``geometry`` makes the crop with the wrong aspect.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image

from pipeline.audit import calibration as cal
from pipeline.audit import calibration_faces as cf
from pipeline.audit.batch import CHECKS
from pipeline.audit.faces import Face
from pipeline.specs import get_spec


@dataclass(frozen=True)
class Perturbation:
    check: str  # the check that must fail
    stage: str  # variant | master | face | geometry
    apply: Callable[..., np.ndarray] | None = None
    # Why the check could not see it on this asset (None: it could), e.g. eyes below the sample size.
    unmeasurable: Callable[[Mapping[str, Any]], str | None] = lambda asset: None


def _eyes_too_small(asset: Mapping[str, Any]) -> str | None:
    subject = asset["checks"]["subject"]
    if subject.get("eye_delta_e") is None:
        smallest = subject["tolerance"]["min_eye_px"]
        return f"eyes {subject.get('eye_px', '?')} px wide, below the {smallest:g} px sample"
    return None


PERTURBATIONS: dict[str, Perturbation] = {
    "blacks lifted 3%": Perturbation("luminance", "variant", cal.lift_blacks),
    "whites crushed 3%": Perturbation("luminance", "variant", cal.crush_whites),
    "blur σ1.5 at master scale": Perturbation("texture", "master", lambda rgb: cal.blur(rgb, 1.5)),
    "grain σ4/255": Perturbation("texture", "variant", cal.add_grain),
    "heavy denoise (NLM h=10)": Perturbation("texture", "variant", cal.denoise),
    "white balance +300 K": Perturbation("color", "variant", lambda rgb: cal.shift_white_balance(rgb, 300)),
    "white balance −300 K": Perturbation("color", "variant", lambda rgb: cal.shift_white_balance(rgb, -300)),
    "green tint Duv +0.006": Perturbation("color", "variant", lambda rgb: cal.shift_tint(rgb, 0.006)),
    "face stretched 5% wide": Perturbation(
        "subject", "face", lambda rgb, c: cf.stretch_face(rgb, c.face, 0.05, 0)
    ),
    "face stretched 5% tall": Perturbation(
        "subject", "face", lambda rgb, c: cf.stretch_face(rgb, c.face, 0.05, 1)
    ),
    "eye hue rotated 180°": Perturbation(
        "subject", "face", lambda rgb, c: cf.recolor_eyes(rgb, c.face), _eyes_too_small
    ),
    "different face pasted": Perturbation(
        "subject", "face", lambda rgb, c: cf.paste_face(rgb, c.face, c.donor, c.donor_face)
    ),
    "frame stretched 5%": Perturbation("subject", "geometry"),
}


@dataclass
class Context:
    """One master's calibration inputs; master-stage results are cached per perturbation."""

    master: Image.Image
    face: Face | None
    donor: np.ndarray | None = None
    donor_face: Face | None = None
    _masters: dict[str, Image.Image] = field(default_factory=dict)

    @property
    def centre(self) -> tuple[float, float]:
        if self.face is None:
            return (self.master.width / 2, self.master.height / 2)
        left, top, right, bottom = self.face.box
        return ((left + right) / 2, (top + bottom) / 2)

    def perturbed_master(self, name: str) -> Image.Image:
        if name not in self._masters:
            p = PERTURBATIONS[name]
            assert p.apply is not None
            rgb = np.asarray(self.master.convert("RGB"))
            out = p.apply(rgb, self) if p.stage == "face" else p.apply(rgb)
            self._masters[name] = Image.fromarray(out)
        return self._masters[name]


def applicable(name: str, ctx: Context) -> bool:
    stage = PERTURBATIONS[name].stage
    return stage != "face" or (
        ctx.face is not None and (name != "different face pasted" or ctx.donor_face is not None)
    )


def variant(name: str | None, ctx: Context, spec_name: str, resample: str = "lanczos") -> cal.Variant:
    """The variant for ``spec_name``, clean (``name`` None) or with one perturbation."""
    spec = get_spec(spec_name)
    if name is None:
        return cal.clean_variant(ctx.master, spec, ctx.centre, resample=resample)
    p = PERTURBATIONS[name]
    if p.stage == "variant":
        return cal.clean_variant(ctx.master, spec, ctx.centre, pixels=p.apply, resample=resample)
    if p.stage == "geometry":
        return cal.clean_variant(ctx.master, spec, ctx.centre, stretch=1.05, resample=resample)
    return cal.clean_variant(ctx.perturbed_master(name), spec, ctx.centre, resample=resample)


def confusion_table(results: Iterable[tuple[str, str, Mapping[str, Any]]]) -> str:
    """Rows ``perturbation @ spec``, columns the checks: FAIL / pass / n/a; "ok" where the expected
    check failed and nothing else did, "not measurable" where the check says why it could not see it."""
    lines = [f"{'case':50s} " + " ".join(f"{c:>9s}" for c in CHECKS) + "  expected"]
    for name, spec, asset in results:
        p = PERTURBATIONS.get(name)
        expected = p.check if p else None
        cells = []
        for check in CHECKS:
            passed = asset["checks"][check]["passed"]
            cells.append(f"{ {True: 'pass', False: 'FAIL', None: 'n/a'}[passed]:>9s}")
        failed = {c for c in CHECKS if asset["checks"][c]["passed"] is False}
        verdict = "ok" if (failed == {expected} if expected else not failed) else "UNEXPECTED"
        why = p.unmeasurable(asset) if p and not failed else None
        if why:
            verdict = f"not measurable: {why}"
        lines.append(f"{name + ' @ ' + spec:50s} " + " ".join(cells) + f"  {expected or '-'} {verdict}")
    return "\n".join(lines)
