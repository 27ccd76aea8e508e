"""The noise floor of every audit measure (issue 13): how far it moves on files that show the
same picture — re-saved at JPEG q85 / q90 / q95, or cut 1 px off in x or y — printed beside its
tolerance by bench/audit_confusion.py (keyart's variants, with lineage) and
bench/audit_registration.py (outside files, registered).

A measure is useful when its floor is well inside its tolerance: ``used`` is the share of the
way from "same as the master" to the tolerance that the worst same-picture file takes.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from PIL import Image

from pipeline.audit import calibration as cal
from pipeline.audit.encoding import probe
from pipeline.audit.tolerances import Tolerances
from pipeline.ops.base import Geometry
from pipeline.specs import get_spec

Asset = Mapping[str, Any]
QUALITIES = (85, 90, 95)
SHIFTS = ((1, 0), (-1, 0), (0, 1), (0, -1))  # variant px


@dataclass(frozen=True)
class Measure:
    check: str
    read: Callable[[Asset], float | None]
    limits: Callable[[Tolerances], tuple[float, float]]  # pass band
    same: float = 0.0  # the value of a file identical to the master


def _get(asset: Asset, check: str, *keys: str) -> float | None:
    value: Any = asset["checks"][check]
    for key in keys:
        if not isinstance(value, Mapping) or value.get(key) is None:
            return None
        value = value[key]
    return float(value)


def _abs(limit: Callable[[Tolerances], float]) -> Callable[[Tolerances], tuple[float, float]]:
    return lambda t: (-limit(t), limit(t))


MEASURES: dict[str, Measure] = {
    "black ΔL* p0.5": Measure(
        "luminance", lambda a: _get(a, "luminance", "delta", "p0.5"), _abs(lambda t: t.black)
    ),
    "median ΔL*": Measure(
        "luminance", lambda a: _get(a, "luminance", "delta", "median"), _abs(lambda t: t.median)
    ),
    "white ΔL* p99.5": Measure(
        "luminance", lambda a: _get(a, "luminance", "delta", "p99.5"), _abs(lambda t: t.white)
    ),
    "darkest ΔL* p0.1": Measure(
        "luminance", lambda a: _get(a, "luminance", "delta", "p0.1"), _abs(lambda t: t.extreme)
    ),
    "brightest ΔL* p99.9": Measure(
        "luminance", lambda a: _get(a, "luminance", "delta", "p99.9"), _abs(lambda t: t.extreme)
    ),
    "sharpness ratio": Measure(
        "texture", lambda a: _get(a, "texture", "sharpness_ratio"), lambda t: t.sharpness, 1.0
    ),
    "gradient ratio": Measure(
        "texture", lambda a: _get(a, "texture", "gradient_ratio"), lambda t: t.gradient, 1.0
    ),
    "grain ratio": Measure("texture", lambda a: _get(a, "texture", "grain_ratio"), lambda t: t.grain, 1.0),
    "detail correlation": Measure(
        "texture",
        lambda a: _get(a, "texture", "detail_correlation"),
        lambda t: (t.detail, 2.0 - t.detail),
        1.0,
    ),
    "ΔCCT K": Measure("color", lambda a: _get(a, "color", "cct_delta_k"), _abs(lambda t: t.cct_k)),
    "ΔDuv": Measure("color", lambda a: _get(a, "color", "tint_delta_duv"), _abs(lambda t: t.tint_duv)),
    "ΔE2000 mean": Measure(
        "color", lambda a: _get(a, "color", "delta_e_mean"), _abs(lambda t: t.delta_e_mean)
    ),
    "ΔE2000 p95": Measure("color", lambda a: _get(a, "color", "delta_e_p95"), _abs(lambda t: t.delta_e_p95)),
    "identity distance": Measure(
        "subject", lambda a: _get(a, "subject", "identity_distance"), _abs(lambda t: t.identity)
    ),
    "frame anisotropy": Measure(
        "subject",
        lambda a: _get(a, "subject", "frame_anisotropy"),
        lambda t: (1 - t.frame_anisotropy, 1 + t.frame_anisotropy),
        1.0,
    ),
    "face anisotropy": Measure(
        "subject",
        lambda a: _get(a, "subject", "face_anisotropy"),
        lambda t: (1 - t.face_anisotropy, 1 + t.face_anisotropy),
        1.0,
    ),
    "landmark ratio Δ": Measure(
        "subject", lambda a: _get(a, "subject", "landmark_ratio_delta"), _abs(lambda t: t.landmark_ratio)
    ),
    "eye ΔE2000": Measure(
        "subject", lambda a: _get(a, "subject", "eye_delta_e"), _abs(lambda t: t.eye_delta_e)
    ),
}


def used(measure: Measure, value: float, tol: Tolerances) -> float:
    """Share of the way from ``same`` to the tolerance limit on the value's side (1 = at the limit)."""
    low, high = measure.limits(tol)
    edge = high if value >= measure.same else low
    return abs(value - measure.same) / max(abs(edge - measure.same), 1e-12)


@dataclass(frozen=True)
class Floor:
    measure: str
    low: float
    high: float
    worst_used: float
    count: int


def noise_floor(assets: Iterable[Asset], tol: Tolerances) -> list[Floor]:
    """Per measure: the range over ``assets`` (same-picture files) and the largest share of its
    tolerance used."""
    values: dict[str, list[float]] = {name: [] for name in MEASURES}
    for asset in assets:
        if asset.get("error"):
            continue
        for name, measure in MEASURES.items():
            if (value := measure.read(asset)) is not None:
                values[name].append(value)
    return [
        Floor(name, min(v), max(v), max(used(MEASURES[name], x, tol) for x in v), len(v))
        for name, v in values.items()
        if v
    ]


def floor_table(floors: Iterable[Floor], tol: Tolerances) -> str:
    lines = [f"{'measure':22s} {'check':10s} {'tolerance':>20s} {'noise floor':>22s} {'used':>6s} {'n':>4s}"]
    for f in floors:
        m = MEASURES[f.measure]
        low, high = m.limits(tol)
        band = f"{low:.4g} … {high:.4g}"
        lines.append(
            f"{f.measure:22s} {m.check:10s} {band:>20s} {f'{f.low:.4g} … {f.high:.4g}':>22s} "
            f"{f.worst_used:6.0%} {f.count:4d}"
        )
    return "\n".join(lines)


def same_picture_variants(
    master: Image.Image, spec_name: str, centre: tuple[float, float]
) -> list[tuple[str, cal.Variant]]:
    """keyart's variant for the spec (q90), re-saved at each of QUALITIES as a platform or a person
    would (the file's tables are the last encoder's; the audit encodes the reference once), and
    variants cut 1 variant px off along each axis with room while lineage still gives the
    original crop (a rounding slip between an op and its record)."""
    spec = get_spec(spec_name)
    box = cal.crop_box(master.size, spec.aspect_ratio, centre)
    geometry = Geometry(box, spec.size, master.size)
    scale = spec.size[0] / (box[2] - box[0])
    rgb = master.convert("RGB")
    made = cal.resize(rgb, spec.size, box)
    out = []
    for quality in QUALITIES:
        buffer = io.BytesIO()
        _decode(cal.export(made, spec)).convert("RGB").save(buffer, "JPEG", quality=quality)
        data = buffer.getvalue()
        out.append((f"re-saved q{quality}", cal.Variant(_decode(data), data, geometry, probe(data))))
    for dx, dy in SHIFTS:
        moved = (box[0] + dx / scale, box[1] + dy / scale, box[2] + dx / scale, box[3] + dy / scale)
        if moved[0] < 0 or moved[1] < 0 or moved[2] > master.width or moved[3] > master.height:
            continue
        data = cal.export(cal.resize(rgb, spec.size, moved), spec)
        out.append((f"cut {dx:+d},{dy:+d} px off", cal.Variant(_decode(data), data, geometry, probe(data))))
    return out


def _decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
