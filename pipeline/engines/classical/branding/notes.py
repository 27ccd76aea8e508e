"""What brand tells people about a variant: what it left out and why, what it changed from the ask."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pipeline.engines.classical.branding.placement import Spot

if TYPE_CHECKING:
    from pipeline.engines.classical.keyregions import KeyRegion


def dropped(
    logo: bool, copy: bool, copy_kept: bool, spec: str, avoided: list[KeyRegion], fits: bool
) -> list[str]:
    """Why the logo and/or the copy were left out (the result's notes say it; the record keeps it).

    ``fits``: some layout of the copy fits the space at all (else it is too long, not crowded out).
    """
    subject = " and ".join(sorted({r.kind for r in avoided})) or "the subject"
    reasons = []
    if logo:
        where = "beside the copy " if copy_kept else ""
        reasons.append(f"logo dropped: no spot on `{spec}` keeps it {where}clear of the {subject}")
    if copy:
        why = (
            f"finds no spot clear of the {subject}"
            if fits
            else "is too long for the space even at the smallest legible size"
        )
        reasons.append(f"copy dropped: on `{spec}` it {why}")
    return reasons


def adjustments(
    spot: Spot, want: tuple[int, int] | None, start: int, record: dict[str, Any], wanted_colour: str
) -> list[str]:
    """Where the result differs from what was asked: colour, logo size, grouping, copy size, scrim."""
    notes = []
    copy = record.get("copy")
    if copy and copy["colour"] != wanted_colour:
        notes.append(
            f"copy set in {copy['colour']} rather than {wanted_colour}, which would need a scrim there"
        )
    option = spot.option
    if want and option.logo_size and option.logo_size[0] < want[0]:
        notes.append(
            f"logo set at {option.logo_size[0] / want[0]:.0%} of its size to keep clear of the subject"
        )
    if option.arrangement == "split":
        notes.append("logo and copy placed apart to keep clear of the subject")
    if option.copy is not None and option.copy.px < start:
        lines = len(option.copy.lines)
        notes.append(
            f"copy shrunk from {start} to {option.copy.px} px ({lines} line{'s' * (lines > 1)}) to fit"
        )
    if record.get("scrim_box"):
        notes.append(
            f"added a {round(record['scrim_alpha'] * 100)} % scrim behind the copy: "
            f"contrast {record['contrast_before']:.1f}:1 → {record['contrast_after']:.1f}:1"
        )
    return notes
