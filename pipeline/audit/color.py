"""Colour check: grey-world white balance (McCamy CCT) and ΔE2000 against the aligned master.

ΔE is taken on low-passed copies (≤ ``LOWPASS_SIDE`` px, area average): colour drift is a
low-frequency property, and at full resolution blur, grain and JPEG ringing alone read as
ΔE 1–2 (§1e) — those belong to the texture check. The pass/fail ΔE is *chromatic*: the variant's
L* is replaced by the reference's before ΔE2000, so a lifted black (the luminance check's
business) does not also fail colour. The full ΔE2000 is reported beside it.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from pipeline.audit import colorspace
from pipeline.audit.pair import Pair
from pipeline.audit.tolerances import Tolerances

LOWPASS_SIDE = 64


def _lowpass(linear: np.ndarray, mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
    height, width = linear.shape[:2]
    factor = max(1.0, max(height, width) / LOWPASS_SIDE)
    size = (max(1, round(width / factor)), max(1, round(height / factor)))
    # Average in linear light, as the eye mixes light, then back to sRGB.
    small = cv2.resize(linear, size, interpolation=cv2.INTER_AREA)
    small_mask = None
    if mask is not None:
        small_mask = cv2.resize(mask.astype(np.float32), size, interpolation=cv2.INTER_AREA) > 0.999
    return colorspace.to_encoded(small), small_mask


def check(pair: Pair, tol: Tolerances) -> dict[str, Any]:
    cct_v, duv_v = colorspace.grey_world_white(pair.variant_linear, pair.compare)
    cct_r, duv_r = colorspace.grey_world_white(pair.reference_linear, pair.compare)
    small_v, mask = _lowpass(pair.variant_linear, pair.compare)
    small_r, _ = _lowpass(pair.reference_linear, pair.compare)
    lab_v, lab_r = colorspace.lab(small_v), colorspace.lab(small_r)
    chroma_v = lab_v.copy()
    chroma_v[..., 0] = lab_r[..., 0]
    full = colorspace.delta_e2000(lab_v, lab_r)
    chroma = colorspace.delta_e2000(chroma_v, lab_r)
    if mask is not None and mask.any():
        full, chroma = full[mask], chroma[mask]
    measured = {
        "cct_variant": round(cct_v, 1),
        "cct_reference": round(cct_r, 1),
        "cct_delta_k": round(cct_v - cct_r, 1),
        "cct_delta_mired": round(colorspace.mired(cct_v) - colorspace.mired(cct_r), 2),
        "tint_delta_duv": round(duv_v - duv_r, 5),
        "delta_e_mean": round(float(chroma.mean()), 3),
        "delta_e_p95": round(float(np.percentile(chroma, 95)), 3),
        "delta_e_full_mean": round(float(full.mean()), 3),
        "delta_e_full_p95": round(float(np.percentile(full, 95)), 3),
    }
    failures = []
    if abs(measured["cct_delta_k"]) > tol.cct_k:
        failures.append(
            f"white balance {measured['cct_delta_k']:+.0f} K vs master (tolerance ±{tol.cct_k:g} K)"
        )
    if abs(measured["tint_delta_duv"]) > tol.tint_duv:
        tint = "green" if measured["tint_delta_duv"] > 0 else "magenta"
        failures.append(
            f"{tint} tint: Duv {measured['tint_delta_duv']:+.4f} vs master (tolerance ±{tol.tint_duv:g})"
        )
    if measured["delta_e_mean"] > tol.delta_e_mean:
        failures.append(f"mean ΔE2000 {measured['delta_e_mean']:.2f} (tolerance {tol.delta_e_mean:g})")
    if measured["delta_e_p95"] > tol.delta_e_p95:
        failures.append(f"p95 ΔE2000 {measured['delta_e_p95']:.2f} (tolerance {tol.delta_e_p95:g})")
    return {
        "passed": not failures,
        "reason": "; ".join(failures)
        if failures
        else f"white balance within ±{tol.cct_k:g} K, colours within ΔE2000 {tol.delta_e_mean:g} of master",
        **measured,
        "tolerance": {
            "cct_k": tol.cct_k,
            "tint_duv": tol.tint_duv,
            "delta_e_mean": tol.delta_e_mean,
            "delta_e_p95": tol.delta_e_p95,
        },
    }
