"""Generated regions (expand / swap) have no master pixels to compare with; they are held to the
master's *global* statistics at the variant's scale and encoding (design §5), with their own,
wider tolerances: no blacker blacks or brighter whites than the master has, grain of the same
order, a white balance in the master's neighbourhood.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pipeline.audit import colorspace
from pipeline.audit.measures import shrink_mask, tone_percentiles, wavelet_sigma
from pipeline.audit.pair import Pair
from pipeline.audit.tolerances import Tolerances

MIN_PIXELS = 256  # fewer generated pixels than this are not worth a verdict


def check(pair: Pair, master_global: np.ndarray, tol: Tolerances) -> dict[str, dict[str, Any]]:
    """Per check name, a ``generated`` sub-result (only when enough pixels were generated)."""
    region = shrink_mask(pair.generated, 2)
    if region is None or int(region.sum()) < MIN_PIXELS:
        return {}
    fraction = round(pair.generated_fraction, 4)
    master_linear = colorspace.to_linear(master_global)
    gen_tone = tone_percentiles(pair.variant_balanced, region)
    master_tone = tone_percentiles(master_linear)
    black_gap = gen_tone["p0.5"] - master_tone["p0.1"]
    white_gap = gen_tone["p99.5"] - master_tone["p99.9"]
    tone_fail = []
    if black_gap < -tol.generated_black:
        tone_fail.append(f"generated area is darker than the master's black point ({black_gap:+.1f} L*)")
    if white_gap > tol.generated_white:
        tone_fail.append(f"generated area is brighter than the master's white point ({white_gap:+.1f} L*)")

    grain_g = wavelet_sigma(pair.variant_luma, region)
    grain_m = wavelet_sigma(colorspace.luma(master_global))
    grain_ratio = (grain_g + 0.3) / (grain_m + 0.3)
    lo, hi = tol.generated_grain
    texture_fail = (
        []
        if lo <= grain_ratio <= hi
        else [f"generated area grain {grain_ratio:.2f}x the master's (tolerance {lo:g}–{hi:g})"]
    )

    cct_g = colorspace.grey_world_cct(pair.variant_linear, region, linear=True)
    cct_m = colorspace.grey_world_cct(master_linear, linear=True)
    color_fail = (
        []
        if abs(cct_g - cct_m) <= tol.generated_cct_k
        else [
            f"generated area white balance {cct_g - cct_m:+.0f} K from the master's "
            f"(tolerance ±{tol.generated_cct_k:g} K)"
        ]
    )

    def result(failures: list[str], measured: dict[str, Any], tolerance: dict[str, Any]) -> dict[str, Any]:
        return {
            "passed": not failures,
            "reason": "; ".join(failures) or "generated area within the master's range",
            "fraction": fraction,
            **measured,
            "tolerance": tolerance,
        }

    return {
        "luminance": result(
            tone_fail,
            {
                "black_gap": round(black_gap, 3),
                "white_gap": round(white_gap, 3),
                "median": round(gen_tone["median"], 3),
            },
            {"black": tol.generated_black, "white": tol.generated_white},
        ),
        "texture": result(
            texture_fail, {"grain_ratio": round(grain_ratio, 4)}, {"grain": list(tol.generated_grain)}
        ),
        "color": result(
            color_fail,
            {"cct": round(cct_g, 1), "cct_master": round(cct_m, 1)},
            {"cct_k": tol.generated_cct_k},
        ),
    }
