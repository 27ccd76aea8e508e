"""Generated regions (expand / fit / swap) have no master pixels to compare with. They are judged
where a viewer sees them fail (design §5):

* against the photo they touch (``fills.judge_fill`` on the delivered pixels): seam colour and tone
  step, detail (smears), grain, smooth gradients the photo has nowhere, repetition (a mirrored
  subject, a tiled patch) — each reason names the side ("above the photo");
* against the master's overall range at the variant's scale and encoding: no blacker blacks and no
  brighter whites than the master has anywhere.

A grey-world colour temperature of the generated pixels is *not* compared with the master's: a
small, legitimately blue strip of backdrop has a "+27,000 K" grey world without anything being
wrong. Colour is judged across the seam instead, where a shifted fill shows.

The result is one ``generated`` sub-result per photo check (luminance, texture, color), whose
``passed: false`` fails that check.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pipeline.audit import colorspace
from pipeline.audit.fills import FillVerdict, judge_fill
from pipeline.audit.measures import shrink_mask, tone_percentiles
from pipeline.audit.pair import Pair
from pipeline.audit.tolerances import Tolerances

MIN_PIXELS = 256  # fewer generated pixels than this are not worth a verdict

# Which of judge_fill's measures each check reports (worst over the sides, and per side).
_MEASURES = {
    "luminance": ("seam_lightness_step",),
    "texture": ("detail_ratio", "grain_ratio", "smooth_share", "mirror_correlation", "repeat_correlation"),
    "color": ("seam_delta_e", "seam_delta_e_max"),
}


def check(pair: Pair, master_global: np.ndarray, tol: Tolerances) -> dict[str, dict[str, Any]]:
    """Per check name, a ``generated`` sub-result (only when enough pixels were generated)."""
    if pair.generated is None or int(pair.generated.sum()) < MIN_PIXELS:
        return {}
    fill = judge_fill(pair.variant, pair.generated, ignore=pair.excluded, tol=tol.fill)
    fraction = round(pair.generated_fraction, 4)
    out = {}
    for name in ("luminance", "texture", "color"):
        failures = [reason for check, reason in fill.failures if check == name]
        measured, tolerance = _fill_values(fill, name, tol)
        if name == "luminance":
            range_failures, range_values = _tone_range(pair, master_global, tol)
            failures = range_failures + failures
            measured.update(range_values)
            tolerance.update(black=tol.generated_black, white=tol.generated_white)
        passed = None if fill.passed is None and not failures else not failures
        reason = "; ".join(failures) or (
            fill.reason if fill.passed is None else "generated area continues the photo beside it"
        )
        out[name] = {
            "passed": passed,
            "reason": reason,
            "fraction": fraction,
            **measured,
            "tolerance": tolerance,
        }
    return out


def _fill_values(fill: FillVerdict, name: str, tol: Tolerances) -> tuple[dict[str, Any], dict[str, Any]]:
    keys = _MEASURES[name]
    measured: dict[str, Any] = {k: fill.measures.get(k) for k in keys}
    measured["per_side"] = {
        side: {k: v.measures.get(k) for k in keys if v.measures.get(k) is not None}
        for side, v in fill.per_side.items()
    }
    f = tol.fill
    tolerances: dict[str, dict[str, Any]] = {
        "luminance": {"seam_lightness": f.seam_lightness},
        "texture": {
            "detail": f.detail,
            "grain": list(f.grain),
            "smooth_share": f.smooth_share,
            "mirror": f.mirror,
            "repeat": f.repeat,
        },
        "color": {"seam_delta_e": f.seam_delta_e},
    }
    return measured, tolerances[name]


def _tone_range(pair: Pair, master_global: np.ndarray, tol: Tolerances) -> tuple[list[str], dict[str, Any]]:
    """No blacker blacks and no brighter whites in the generated area than anywhere in the master."""
    region = shrink_mask(pair.generated, 2)
    if region is None or int(region.sum()) < MIN_PIXELS:
        return [], {}
    gen_tone = tone_percentiles(pair.variant_balanced, region)
    master_tone = tone_percentiles(colorspace.to_linear(master_global))
    black_gap = gen_tone["p0.5"] - master_tone["p0.1"]
    white_gap = gen_tone["p99.5"] - master_tone["p99.9"]
    failures = []
    if black_gap < -tol.generated_black:
        failures.append(f"generated area is darker than the master's black point ({black_gap:+.1f} L*)")
    if white_gap > tol.generated_white:
        failures.append(f"generated area is brighter than the master's white point ({white_gap:+.1f} L*)")
    return failures, {
        "black_gap": round(black_gap, 3),
        "white_gap": round(white_gap, 3),
        "median": round(gen_tone["median"], 3),
    }
