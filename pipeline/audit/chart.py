"""``chart.png``: what failed, for every asset (matplotlib, Agg backend).

On top, a verdict matrix — every check (the five public checks, and the generated-region part of
luminance, texture and color) × every asset, green / red / grey — so no failure is off the chart.
Below, each measured value against its tolerance band, the generated and designed measures
included. Failing assets are marked red everywhere: their column is shaded and their label red.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline.audit.batch import CHECKS

GREEN, RED, GREY = "#16823c", "#c81e1e", "#b4b4b4"
Band = tuple[float | None, float | None]
# (title, check, how to read the value from the check, tolerance → (low, high); None = open side)
_PANELS: tuple[
    tuple[str, str, Callable[[Mapping[str, Any]], Any], Callable[[Mapping[str, Any]], Band]], ...
] = (
    (
        "black point ΔL* (p0.5)",
        "luminance",
        lambda c: (c.get("delta") or {}).get("p0.5"),
        lambda t: (-t["black"], t["black"]),
    ),
    (
        "white point ΔL* (p99.5)",
        "luminance",
        lambda c: (c.get("delta") or {}).get("p99.5"),
        lambda t: (-t["white"], t["white"]),
    ),
    (
        "median ΔL*",
        "luminance",
        lambda c: (c.get("delta") or {}).get("median"),
        lambda t: (-t["median"], t["median"]),
    ),
    ("sharpness ratio", "texture", lambda c: c.get("sharpness_ratio"), lambda t: tuple(t["sharpness"])),
    ("grain ratio", "texture", lambda c: c.get("grain_ratio"), lambda t: tuple(t["grain"])),
    ("white balance ΔK", "color", lambda c: c.get("cct_delta_k"), lambda t: (-t["cct_k"], t["cct_k"])),
    ("mean ΔE2000", "color", lambda c: c.get("delta_e_mean"), lambda t: (0.0, t["delta_e_mean"])),
    ("identity distance", "subject", lambda c: c.get("identity_distance"), lambda t: (0.0, t["identity"])),
    (
        "face anisotropy − 1",
        "subject",
        lambda c: None if c.get("face_anisotropy") is None else c["face_anisotropy"] - 1.0,
        lambda t: (-t["face_anisotropy"], t["face_anisotropy"]),
    ),
    (
        "fill: seam ΔE2000",
        "color",
        lambda c: (c.get("generated") or {}).get("seam_delta_e"),
        lambda t: (0.0, t["seam_delta_e"]),
    ),
    (
        "fill: seam ΔL*",
        "luminance",
        lambda c: (c.get("generated") or {}).get("seam_lightness_step"),
        lambda t: (-t["seam_lightness"], t["seam_lightness"]),
    ),
    (
        "fill: detail × photo",
        "texture",
        lambda c: (c.get("generated") or {}).get("detail_ratio"),
        lambda t: (t["detail"], None),
    ),
    (
        "fill: grain × photo",
        "texture",
        lambda c: (c.get("generated") or {}).get("grain_ratio"),
        lambda t: tuple(t["grain"]),
    ),
    (
        "fill: repetition (mirror / tile)",
        "texture",
        lambda c: _repetition(c.get("generated") or {}),
        lambda t: (None, min(t["mirror"], t["repeat"])),
    ),
    (
        "design: brand colour ΔE2000",
        "design",
        lambda c: c.get("brand_delta_e"),
        lambda t: (0.0, t["brand_delta_e"]),
    ),
    (
        "design: copy contrast",
        "design",
        lambda c: c.get("copy_contrast"),
        lambda t: (t["copy_contrast"], None),
    ),
)
_GENERATED_TOLERANCE = {
    "fill: seam ΔE2000",
    "fill: seam ΔL*",
    "fill: detail × photo",
    "fill: grain × photo",
    "fill: repetition (mirror / tile)",
}


def _repetition(generated: Mapping[str, Any]) -> float | None:
    values = [
        v for v in (generated.get("mirror_correlation"), generated.get("repeat_correlation")) if v is not None
    ]
    return max(values) if values else None


def verdict_rows(assets: Sequence[Mapping[str, Any]]) -> list[tuple[str, list[bool | None]]]:
    """(row label, verdict per asset): each check, then the generated part of the photo checks."""
    rows = [(name, [a["checks"].get(name, {}).get("passed") for a in assets]) for name in CHECKS]
    for name in ("luminance", "texture", "color"):
        row = [(a["checks"].get(name, {}).get("generated") or {}).get("passed") for a in assets]
        if any(v is not None for v in row):
            rows.append((f"{name}: generated", row))
    return rows


def write(report: Mapping[str, Any], path: Path) -> None:
    from matplotlib.figure import Figure  # no pyplot: no global backend state, Agg canvas for PNG

    assets = report["assets"]
    labels = [str(a.get("spec") or Path(a["path"]).stem) for a in assets]
    failing = [a.get("passed") is False for a in assets]
    xs = list(range(len(assets)))
    fig = Figure(figsize=(max(16, 0.5 * len(assets) + 6), 17), layout="constrained")
    grid = fig.add_gridspec(5, 4, height_ratios=[1.3, 1, 1, 1, 1])
    _matrix(fig.add_subplot(grid[0, :]), assets, labels, failing)
    for index, (title, check_name, read, band) in enumerate(_PANELS):
        ax = fig.add_subplot(grid[1 + index // 4, index % 4])
        _panel(ax, title, assets, check_name, read, band, failing, generated=title in _GENERATED_TOLERANCE)
        _xlabels(ax, xs, labels, failing)
    fig.suptitle(
        f"keyart audit — {sum(failing)} of {len(assets)} assets fail (red columns); "
        "values against their tolerance (green band)",
        fontsize=14,
        color=RED if any(failing) else "black",
    )
    fig.savefig(path, dpi=80)


def _xlabels(ax: Any, xs: list[int], labels: list[str], failing: list[bool]) -> None:
    ax.set_xticks(xs)
    ax.set_xticklabels(labels, rotation=60, ha="right", fontsize=7)
    for tick, bad in zip(ax.get_xticklabels(), failing, strict=True):
        if bad:
            tick.set_color(RED)
            tick.set_fontweight("bold")
    for x, bad in zip(xs, failing, strict=True):
        if bad:
            ax.axvspan(x - 0.45, x + 0.45, color=RED, alpha=0.1, zorder=0)


def _matrix(ax: Any, assets: Sequence[Mapping[str, Any]], labels: list[str], failing: list[bool]) -> None:
    from matplotlib.colors import ListedColormap

    rows = verdict_rows(assets)
    code = {True: 0, None: 1, False: 2}
    grid = [[code[v] for v in verdicts] for _, verdicts in rows]
    ax.imshow(grid, cmap=ListedColormap([GREEN, GREY, RED]), vmin=0, vmax=2, aspect="auto")
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([name for name, _ in rows], fontsize=9)
    ax.set_xticks(range(len(assets)))
    ax.set_xticklabels(labels, rotation=60, ha="right", fontsize=7)
    for tick, bad in zip(ax.get_xticklabels(), failing, strict=True):
        if bad:
            tick.set_color(RED)
            tick.set_fontweight("bold")
    for y, (_, verdicts) in enumerate(rows):
        for x, v in enumerate(verdicts):
            ax.text(
                x,
                y,
                {True: "✓", False: "✗", None: "–"}[v],
                ha="center",
                va="center",
                color="white",
                fontsize=8,
            )
    ax.set_title("verdict per check (green pass · red FAIL · grey not measured)", fontsize=11)


def _panel(
    ax: Any,
    title: str,
    assets: Sequence[Mapping[str, Any]],
    check_name: str,
    read: Callable[[Mapping[str, Any]], Any],
    band: Callable[[Mapping[str, Any]], Band],
    failing: list[bool],
    *,
    generated: bool,
) -> None:
    limits: Band | None = None
    values: list[float] = []
    for x, asset in enumerate(assets):
        check = asset["checks"].get(check_name, {})
        tolerance = (check.get("generated") or {}).get("tolerance") if generated else check.get("tolerance")
        if tolerance and limits is None:
            try:
                limits = band(tolerance)
            except KeyError:  # a report from before this measure existed
                limits = None
        value = read(check)
        if value is None:
            continue
        value = float(value)
        values.append(value)
        low, high = limits or (None, None)
        inside = (low is None or value >= low) and (high is None or value <= high)
        ax.scatter(
            [x],
            [value],
            color=GREEN if inside else RED,
            zorder=3,
            s=28,
            edgecolors="black" if failing[x] else "none",
            linewidths=0.8,
        )
    if limits is not None:
        low, high = limits
        known = [v for v in (low, high, *values) if v is not None]
        span = (max(known) - min(known)) or 1.0
        bottom = low if low is not None else min(known) - 0.1 * span
        top = high if high is not None else max(known) + 0.1 * span
        ax.axhspan(bottom, top, color=GREEN, alpha=0.12, zorder=1)
        for edge in (low, high):
            if edge is not None:
                ax.axhline(edge, color=GREEN, lw=0.8, ls="--")
    if not values:
        ax.text(
            0.5,
            0.5,
            "not measured in this batch",
            transform=ax.transAxes,
            ha="center",
            va="center",
            color=GREY,
        )
    ax.set_title(title, fontsize=10)
    ax.grid(axis="y", alpha=0.3)
