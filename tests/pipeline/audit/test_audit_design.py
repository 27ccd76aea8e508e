"""Designed pixels (layout panels, brand's copy) are left out of the photo checks and judged by the
fifth check, `design`: brand colour, copy contrast, copy rendering — in the delivered file."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from pipeline.audit import calibration_design as cd
from pipeline.audit import calibration_fills as cf
from pipeline.audit.batch import AuditItem, AuditMaster, audit_batch
from pipeline.audit.design import DesignRecord, contrast_ratio, relative_luminance

LEADERBOARD = cd.PANELS[0]  # astronaut, 728×90: photo left, a #1F4E8C panel with white copy right


def audit(made: cd.PanelVariant, case: cd.PanelCase, **changes: Any) -> dict[str, Any]:
    v = made.variant
    item = AuditItem(
        f"{case.spec}.jpg",
        v.image,
        case.spec,
        v.geometry,
        None,
        v.encoding,
        designed_mask=made.designed_mask,
        design=made.design,
    )
    item = dataclasses.replace(item, **changes)
    return audit_batch(AuditMaster(case.master, cf.photo(case.master), "0" * 64), [item])["assets"][0]


def test_a_brand_panel_passes_and_is_not_compared_with_the_photo() -> None:
    made = cd.panel_variant(LEADERBOARD)
    asset = audit(made, LEADERBOARD)
    assert asset["passed"] is True, {k: c["reason"] for k, c in asset["checks"].items()}
    assert asset["designed_fraction"] == pytest.approx(0.4, abs=0.01)
    assert asset["generated_fraction"] == 0.0  # the panel lies outside the master, and is designed
    design = asset["checks"]["design"]
    assert design["brand_colour"]["target"] == "#1F4E8C" and design["brand_delta_e"] < 1.0
    # Judged against the kit colour as the file's JPEG renders a flat area of it; the raw gap is kept.
    assert design["brand_colour"]["delta_e_to_kit"] == pytest.approx(
        design["brand_colour"]["encoder_delta_e"], abs=0.2
    )
    assert design["copy_contrast"] >= 4.5 and design["copy"][0]["rendering"]["missing"] == []
    assert design["reason"].startswith("panel holds the brand colour #1F4E8C")

    # Without the designed mask the panel would be taken for photo pixels: a flat blue block.
    unmasked = audit(made, LEADERBOARD, designed_mask=None)
    assert unmasked["passed"] is False and unmasked["checks"]["design"]["passed"] is not False


@pytest.mark.parametrize(
    ("defect", "words"),
    [
        ("off-brand panel", "from the brand colour #1F4E8C (tolerance 1)"),
        ("low-contrast copy", "against the pixels around it (WCAG needs ≥ 4.5:1)"),
        ("missing glyphs", "copy drawn without 1 character(s) its font lacks: '→'"),
    ],
)
def test_design_defects_fail_design_only(defect: str, words: str) -> None:
    asset = audit(cd.panel_variant(LEADERBOARD, defect), LEADERBOARD)
    failed = {name for name, check in asset["checks"].items() if check["passed"] is False}
    assert failed == {"design"}
    assert words in asset["checks"]["design"]["reason"]


def test_copy_without_a_recorded_font_fails() -> None:
    made = cd.panel_variant(LEADERBOARD)
    record = {
        **made.design.brand[0],
        "copy": {**made.design.brand[0]["copy"], "font": None, "font_sha256": None},
    }
    asset = audit(made, LEADERBOARD, design=DesignRecord(made.design.layout, (record,)))
    assert "no font recorded for the drawn copy" in asset["checks"]["design"]["reason"]


def test_a_gradient_panel_has_no_brand_colour_to_hold() -> None:
    made = cd.panel_variant(LEADERBOARD)
    layout = {
        **(made.design.layout or {}),
        "fill": {"kind": "border_gradient", "colours": ["#203040", "#405060"]},
    }
    design = audit(made, LEADERBOARD, design=DesignRecord(layout, made.design.brand))["checks"]["design"]
    assert design["passed"] is True and design["brand_colour"]["passed"] is None
    assert "border_gradient: no brand colour to hold" in design["brand_colour"]["reason"]


def test_designed_pixels_without_records_are_not_measured() -> None:
    made = cd.panel_variant(LEADERBOARD)
    design = audit(made, LEADERBOARD, design=None)["checks"]["design"]
    assert design["passed"] is None and "carry no brand colour or copy" in design["reason"]


def test_wcag_contrast() -> None:
    white, black = (relative_luminance(np.array([c], np.uint8))[0] for c in ([255, 255, 255], [0, 0, 0]))
    assert contrast_ratio(float(white), float(black)) == pytest.approx(21.0)
    grey = float(relative_luminance(np.array([[118, 118, 118]], np.uint8))[0])
    assert contrast_ratio(float(white), grey) == pytest.approx(4.54, abs=0.01)  # the classic AA grey
