"""Audit tolerances. Calibrated on the calibration set (pipeline/audit/calibration.py, run by
tests/pipeline/audit/test_audit_calibration.py and bench/audit_confusion.py); the measured
numbers behind each value are in the comments. Every value is also echoed into audit.json.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from pipeline.audit.design_tolerances import DesignTolerances
from pipeline.audit.fills import FillTolerances


@dataclass(frozen=True)
class Tolerances:
    # luminance: |ΔL*| of the smoothed black point (p0.1, p0.5), white point (p99.9, p99.5), median
    black: float = 1.0
    white: float = 1.25
    median: float = 1.0
    extreme: float = 2.5  # p0.1 / p99.9
    # texture: variant / reference ratios (reference encoded like the variant)
    sharpness: tuple[float, float] = (0.6, 1.5)  # variance of Laplacian
    gradient: tuple[float, float] = (0.75, 1.33)  # Tenengrad
    grain: tuple[float, float] = (0.8, 1.25)  # wavelet σ
    # median tile correlation of the finest detail (measures.detail_correlation). Same picture:
    # ≥ 0.933 (keyart's variants of 14 specs × 4 resamplers on 4 masters, worst a 5× bicubic
    # upscale), ≥ 0.955 (face stretched / pasted, eye recolour, tone and colour perturbations),
    # ≥ 0.981 (outside crops re-encoded q85–95, 1 px off, ±2 % size). ImageNet-C elastic warp at
    # severity 3: 0.36–0.78 (landscape crops wobble least) — bench/audit_registration.py.
    detail: float = 0.8
    # color: grey-world CCT and chromatic ΔE2000 (L* held at the reference's) on low-passed images
    cct_k: float = 150.0
    tint_duv: float = 0.003  # ≈ the uv distance of 150 K along the locus at 4500 K (0.0026)
    delta_e_mean: float = 2.5
    delta_e_p95: float = 6.0
    # subject
    identity: float = 0.6  # dlib: 99.38 % LFW accuracy at 0.6
    frame_anisotropy: float = 0.015  # |sx/sy − 1| of the whole frame
    face_anisotropy: float = 0.02  # |sx/sy − 1| of the face region (local ECC affine)
    landmark_ratio: float = 0.03  # |Δ| eye-span / eye-to-nose height, relative
    eye_delta_e: float = 10.0
    min_face_px: float = 28.0  # narrower faces: identity is noise (§2b: 23–28 px need upsample 2)
    min_landmark_face_px: float = 150.0  # landmark ratios are ±4 % noise at ~21 px eye distance
    min_eye_px: float = 16.0  # eye corner-to-corner width for the eye-colour sample
    visible_face: float = 0.9  # fraction of the master's face box inside the frame
    # more of the face box than this under brand's overlay: not compared (the demo's billboard
    # scrim covers 24 % of the chin, still found and measured with the scrim masked out)
    overlay_face: float = 0.5
    # generated regions vs the master's global range at the variant's scale and encoding …
    generated_black: float = 1.5  # generated p0.5 may not sit this far below the master's p0.1
    generated_white: float = 1.5  # nor its p99.5 this far above the master's p99.9
    # … and against the photo they touch (seam colour and tone, detail, grain, repetition): fills.py
    fill: FillTolerances = field(default_factory=FillTolerances)
    # designed pixels: brand colour of panels, copy contrast (design.py)
    design: DesignTolerances = field(default_factory=DesignTolerances)

    def to_json(self) -> dict[str, Any]:
        return {k: _jsonable(v) for k, v in asdict(self).items()}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return list(value) if isinstance(value, tuple) else value


DEFAULT = Tolerances()
