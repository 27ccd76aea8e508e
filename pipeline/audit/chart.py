"""``chart.png``: per-asset deltas against their tolerance bands (matplotlib, Agg backend)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

# (title, check, value path, tolerance → (low, high))
_PANELS: tuple[tuple[str, str, str, Any], ...] = (
    ("black point ΔL* (p0.5)", "luminance", "delta.p0.5", lambda t: (-t["black"], t["black"])),
    ("white point ΔL* (p99.5)", "luminance", "delta.p99.5", lambda t: (-t["white"], t["white"])),
    ("median ΔL*", "luminance", "delta.median", lambda t: (-t["median"], t["median"])),
    ("sharpness ratio", "texture", "sharpness_ratio", lambda t: tuple(t["sharpness"])),
    ("grain ratio", "texture", "grain_ratio", lambda t: tuple(t["grain"])),
    ("white balance ΔK", "color", "cct_delta_k", lambda t: (-t["cct_k"], t["cct_k"])),
    ("mean ΔE2000", "color", "delta_e_mean", lambda t: (0.0, t["delta_e_mean"])),
    ("identity distance", "subject", "identity_distance", lambda t: (0.0, t["identity"])),
    (
        "face anisotropy − 1",
        "subject",
        "face_anisotropy",
        lambda t: (-t["face_anisotropy"], t["face_anisotropy"]),
    ),
)


def _value(check: Mapping[str, Any], key: str) -> float | None:
    value = (check.get("delta") or {}).get(key[6:]) if key.startswith("delta.") else check.get(key)
    if value is None:
        return None
    return float(value) - 1.0 if key == "face_anisotropy" else float(value)


def write(report: Mapping[str, Any], path: Path) -> None:
    from matplotlib.figure import Figure  # no pyplot: no global backend state, Agg canvas for PNG

    assets = report["assets"]
    labels = [str(a.get("spec") or Path(a["path"]).stem) for a in assets]
    xs = list(range(len(assets)))
    fig = Figure(figsize=(15, 10), layout="constrained")
    axes = fig.subplots(3, 3)
    for ax, (title, check_name, key, band) in zip(axes.flat, _PANELS, strict=True):
        limits: tuple[float, float] | None = None
        for x, asset in zip(xs, assets, strict=True):
            check = asset["checks"][check_name]
            value = _value(check, key)
            if check.get("tolerance") and limits is None:
                limits = band(check["tolerance"])
            if value is None:
                continue
            inside = limits is None or limits[0] <= value <= limits[1]
            ax.scatter([x], [value], color="#16823c" if inside else "#c81e1e", zorder=3, s=28)
        if limits is not None:
            low, high = limits
            ax.axhspan(low, high, color="#16823c", alpha=0.12, zorder=1)
            ax.axhline(low, color="#16823c", lw=0.8, ls="--")
            ax.axhline(high, color="#16823c", lw=0.8, ls="--")
        ax.set_title(title, fontsize=11)
        ax.set_xticks(xs)
        ax.set_xticklabels(labels, rotation=60, ha="right", fontsize=7)
        ax.grid(axis="y", alpha=0.3)
    fig.suptitle(
        f"keyart audit — per-asset deltas vs tolerance (green band); {sum(not a['passed'] for a in assets)}"
        f" of {len(assets)} assets fail",
        fontsize=13,
    )
    fig.savefig(path, dpi=90)
