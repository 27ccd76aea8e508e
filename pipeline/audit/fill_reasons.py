"""What a producer reads when a fill fails: one sentence per finding, naming where the fill is."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.audit.fill_measures import SideMeasures

if TYPE_CHECKING:
    from pipeline.audit.fills import FillTolerances

WHERE = {
    "top": "above the photo",
    "bottom": "below the photo",
    "left": "left of the photo",
    "right": "right of the photo",
    "inside": "inside the frame",
}


def findings(side: str, m: SideMeasures, tol: FillTolerances) -> list[tuple[str, str]]:
    """(check, reason) for each measure of ``side`` outside its tolerance."""
    where = f"generated area {WHERE[side]}"
    v = m.values
    failures: list[tuple[str, str]] = []
    if m.compared is False:
        return []
    de, step = v.get("seam_delta_e"), v.get("seam_lightness_step")
    if de is not None and de > tol.seam_delta_e:
        failures.append(
            (
                "color",
                f"{where} does not match the photo's colour at the seam: ΔE2000 {de:.1f} "
                f"(tolerance {tol.seam_delta_e:g})",
            )
        )
    if step is not None and abs(step) > tol.seam_lightness:
        tone = "lighter" if step > 0 else "darker"
        failures.append(
            (
                "luminance",
                f"{where} is {tone} than the photo at the seam: {step:+.1f} L* "
                f"(tolerance ±{tol.seam_lightness:g})",
            )
        )
    detail = v.get("detail_ratio")
    if detail is not None and detail < tol.detail:
        failures.append(
            (
                "texture",
                f"{where} is smeared: detail {detail:.2f}× the neighbouring photo's "
                f"(its quietest quarter; tolerance ≥ {tol.detail:g}×)",
            )
        )
    grain = v.get("grain_ratio")
    lo, hi = tol.grain
    if grain is not None and not lo <= grain <= hi:
        kind = "has no grain" if grain < lo else "is noisier than the photo"
        failures.append(
            (
                "texture",
                f"{where} {kind}: grain {grain:.2f}× the neighbouring photo (tolerance {lo:g}–{hi:g}×)",
            )
        )
    smooth = v.get("smooth_share")
    if smooth is not None and smooth > tol.smooth_share and not any(c == "texture" for c, _ in failures):
        failures.append(
            (
                "texture",
                f"{where} is a smooth gradient over {smooth:.0%} of its area, "
                "smoother than anything in the photo",
            )
        )
    mirror = v.get("mirror_correlation")
    if mirror is not None and mirror > tol.mirror:
        failures.append(
            (
                "texture",
                f"{where} repeats the photo mirrored across the seam "
                f"(correlation {mirror:.2f}; tolerance {tol.mirror:g})",
            )
        )
    repeat, photo_repeat = v.get("repeat_correlation"), v.get("photo_repeat_correlation")
    if repeat is not None and repeat > tol.repeat and repeat - (photo_repeat or 0.0) > tol.repeat_margin:
        failures.append(
            (
                "texture",
                f"{where} repeats a patch (tiling: self-match {repeat:.2f} at a "
                f"{v.get('repeat_shift_px', 0):.0f} px shift; the photo's own "
                f"{photo_repeat or 0:.2f})",
            )
        )
    return failures
