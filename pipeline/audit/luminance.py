"""Luminance check: black point, white point and median in L* against the aligned master."""

from __future__ import annotations

from typing import Any

from pipeline.audit.measures import tone_percentiles
from pipeline.audit.pair import Pair
from pipeline.audit.tolerances import Tolerances

# (label, percentile key, tolerance attribute). Judged on p0.5/p99.5: the extreme p0.1/p99.9 also
# move with specular highlights that a denoiser removes; they get the looser ``extreme`` guard.
_POINTS = (
    ("black point", "p0.5", "black"),
    ("median", "median", "median"),
    ("white point", "p99.5", "white"),
    ("darkest black", "p0.1", "extreme"),
    ("brightest white", "p99.9", "extreme"),
)


def check(pair: Pair, tol: Tolerances) -> dict[str, Any]:
    variant = tone_percentiles(pair.variant_balanced, pair.compare)
    reference = tone_percentiles(pair.reference_linear, pair.compare)
    delta = {key: round(variant[key] - reference[key], 3) for key in variant}
    failures = []
    for label, key, attr in _POINTS:
        limit = getattr(tol, attr)
        if abs(delta[key]) > limit:
            where = "" if key == "median" else f" at {key}"
            failures.append(f"{label} {delta[key]:+.2f} L* vs master{where} (tolerance ±{limit:g})")
    return {
        "passed": not failures,
        "reason": "; ".join(failures)
        if failures
        else f"black/white points and median within ±{max(tol.black, tol.white, tol.median):g} L* of master",
        "variant": _rounded(variant),
        "reference": _rounded(reference),
        "delta": delta,
        "white_balance_divided_out": [round(float(g), 4) for g in pair.chroma_gains],
        "tolerance": {"black": tol.black, "white": tol.white, "median": tol.median, "extreme": tol.extreme},
    }


def _rounded(values: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 3) for k, v in values.items()}
