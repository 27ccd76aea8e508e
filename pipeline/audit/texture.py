"""Texture check: sharpness and grain of the variant as ratios to the aligned reference, and
whether its fine detail sits where the master's does (detail correlation).

The reference is the master resampled to the variant's exact crop and size *and encoded like
the variant* (same JPEG tables, same WebP quantisers), so what the encoder removes is removed
from both sides and the ratios isolate what the pipeline did to the texture (audit_specs §1b).
"""

from __future__ import annotations

from typing import Any

from pipeline.audit.measures import detail_correlation, laplacian_variance, tenengrad, wavelet_sigma
from pipeline.audit.pair import Pair
from pipeline.audit.tolerances import Tolerances

# Floors added to numerator and denominator so that flat crops (sky, a blank banner) do not turn
# measurement noise into huge ratios: ~0.3 8-bit σ is below anything a viewer can see.
_FLOOR = {"laplacian_var": 0.5, "tenengrad": 2.0, "grain_sigma": 0.3}


def measure(luma: Any, mask: Any) -> dict[str, float]:
    return {
        "laplacian_var": laplacian_variance(luma, mask),
        "tenengrad": tenengrad(luma, mask),
        "grain_sigma": wavelet_sigma(luma, mask),
    }


def ratio(variant: dict[str, float], reference: dict[str, float], key: str) -> float:
    return (variant[key] + _FLOOR[key]) / (reference[key] + _FLOOR[key])


def check(pair: Pair, tol: Tolerances) -> dict[str, Any]:
    variant = measure(pair.variant_luma, pair.compare)
    reference = measure(pair.reference_luma, pair.compare)
    ratios = {
        "sharpness_ratio": ratio(variant, reference, "laplacian_var"),
        "gradient_ratio": ratio(variant, reference, "tenengrad"),
        "grain_ratio": ratio(variant, reference, "grain_sigma"),
    }
    bands = {
        "sharpness_ratio": ("sharpness", tol.sharpness),
        "gradient_ratio": ("gradient", tol.gradient),
        "grain_ratio": ("grain", tol.grain),
    }
    failures = [
        f"{name} {ratios[key]:.2f}x master (tolerance {lo:g}–{hi:g})"
        for key, (name, (lo, hi)) in bands.items()
        if not lo <= ratios[key] <= hi
    ]
    # compared at the master's pixel scale where the variant was upscaled
    detail = detail_correlation(
        pair.variant_luma, pair.reference_luma, pair.compare, 1.0 / min(pair.geometry.scale)
    )
    if detail is not None and detail < tol.detail:
        failures.append(
            f"fine detail does not line up with the master's (correlation {detail:.2f}, tolerance ≥ "
            f"{tol.detail:g}): smeared, noisy or wobbled"
        )
    return {
        "passed": not failures,
        "reason": "; ".join(failures) if failures else "sharpness and grain match the master at this scale",
        **{k: round(v, 4) for k, v in ratios.items()},
        "detail_correlation": None if detail is None else round(detail, 4),
        "variant": {k: round(v, 4) for k, v in variant.items()},
        "reference": {k: round(v, 4) for k, v in reference.items()},
        "reference_encoding": pair.encoding.to_json(),
        "tolerance": {
            "sharpness": list(tol.sharpness),
            "gradient": list(tol.gradient),
            "grain": list(tol.grain),
            "detail": tol.detail,
        },
    }
