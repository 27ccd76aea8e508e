"""Generated regions are judged against the photo they touch and the master's overall range (issue 13),
on real photos and the real classical `fit` / `expand` ops."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from PIL import Image

from pipeline.audit import calibration as cal
from pipeline.audit import calibration_fills as cf
from pipeline.audit.batch import AuditItem, AuditMaster, audit_batch
from pipeline.audit.calibration_set import Context
from pipeline.specs import get_spec
from tests.pipeline.audit.conftest import AuditOne

GREY_SQUARE = cf.FillCase("grace_hopper", "meta-feed-square")  # expand: 15 %, flag left, backdrop right
HALF_PAGE = cf.CONTINUATIONS[4]  # the astronaut's half-page: 8 %, the wall above her hair
assert HALF_PAGE.spec == "iab-half-page"
_CACHES: dict[str, dict[str, Any]] = {}


def audit(case: cf.FillCase, defect: str | None = None) -> dict[str, Any]:
    v = cf.variant(case, defect)
    item = AuditItem(f"{case.spec}.jpg", v.image, case.spec, v.geometry, v.generated_mask, v.encoding)
    master = AuditMaster(case.master, cf.photo(case.master), "0" * 64)
    return audit_batch(master, [item], cache=_CACHES.setdefault(case.master, {}))["assets"][0]


def failed(asset: dict[str, Any]) -> set[str]:
    return {name for name, check in asset["checks"].items() if check["passed"] is False}


@pytest.mark.parametrize("case", [GREY_SQUARE, HALF_PAGE, cf.CONTINUATIONS[5]], ids=lambda c: c.label)
def test_small_classical_continuations_pass(case: cf.FillCase) -> None:
    asset = audit(case)
    assert asset["passed"] is True, {k: c["reason"] for k, c in asset["checks"].items()}
    assert 0.05 < asset["generated_fraction"] < 0.2
    for name in ("luminance", "texture", "color"):
        generated = asset["checks"][name]["generated"]
        assert generated["passed"] is True and generated["per_side"]


def test_a_faithful_cooler_continuation_is_no_white_balance_failure() -> None:
    # The issue's phantom failures: narrow strips of blue backdrop, the demo half-page's cooler wall.
    for case in (cf.CONTINUATIONS[1], HALF_PAGE):  # grace hopper's portrait strip, the half-page
        color = audit(case)["checks"]["color"]
        assert color["passed"] is True and " K " not in color["reason"]
        assert color["generated"]["seam_delta_e"] < 1.0
        assert "cct" not in color["generated"]


@pytest.mark.parametrize(
    ("case", "where"),
    [(cf.SMEARS[0], "above the photo"), (cf.SMEARS[1], "below the photo")],
    ids=lambda v: getattr(v, "label", v),
)
def test_the_issues_missed_smears_fail_texture_in_words(case: cf.FillCase, where: str) -> None:
    texture = audit(case)["checks"]["texture"]
    assert texture["passed"] is False and texture["generated"]["passed"] is False
    assert f"generated area {where} is smeared: detail 0." in texture["reason"]
    assert texture["generated"]["detail_ratio"] < 0.3


def test_a_hue_shifted_continuation_fails_color_only() -> None:
    asset = audit(GREY_SQUARE, "hue-shifted fill")
    assert failed(asset) == {"color"}
    assert "does not match the photo's colour at the seam: ΔE2000" in asset["checks"]["color"]["reason"]


@pytest.mark.parametrize(
    ("defect", "words"),
    [
        ("mirrored subject", "repeats the photo mirrored across the seam"),
        ("tiled patch", "repeats a patch (tiling"),
        ("flat fill", "is smeared"),
        ("blur smear", "has no grain"),
    ],
)
def test_injected_fill_defects_fail_texture(defect: str, words: str) -> None:
    asset = audit(HALF_PAGE, defect)
    texture = asset["checks"]["texture"]
    assert texture["passed"] is False and words in texture["reason"], texture["reason"]
    assert {"subject", "design"}.isdisjoint(failed(asset))  # the photo's own pixels are untouched


def test_generated_blacks_below_the_masters_black_point_fail_luminance(calibration: Context) -> None:
    # A master whose blacks sit at L* ≈ 7: a generated area reaching L* 0 is darker than anything in it.
    lifted = Image.fromarray(cal.lift_blacks(np.asarray(calibration.master), 0.08))

    def dark(rgb: np.ndarray, generated: np.ndarray) -> np.ndarray:
        rgb[generated] = (rgb[generated] * 0.3).astype(np.uint8)
        return rgb

    v = cal.expand_variant(lifted, get_spec("linkedin-single"), dark)
    report = audit_batch(
        AuditMaster("lifted.png", lifted, "1" * 64),
        [AuditItem("linkedin-single", v.image, "linkedin-single", v.geometry, v.generated_mask, v.encoding)],
    )
    luminance = report["assets"][0]["checks"]["luminance"]
    assert luminance["passed"] is False
    assert luminance["generated"]["black_gap"] < -1.5
    assert "darker than the master's black point" in luminance["reason"]


def test_swap_mask_is_generated_too(calibration: Context, audit_variant: AuditOne) -> None:
    v = cal.clean_variant(calibration.master, get_spec("iab-half-page"), calibration.centre)
    mask = np.zeros((v.image.height, v.image.width), np.uint8)
    mask[:150] = 1  # pretend `swap` replaced the top quarter
    asset = audit_variant(cal.Variant(v.image, v.data, v.geometry, v.encoding, mask), "iab-half-page")
    assert asset["generated_fraction"] == pytest.approx(0.25)
    assert asset["checks"]["texture"]["generated"]["fraction"] == pytest.approx(0.25)
    assert asset["passed"] is True  # the "swapped" pixels are the master's own: nothing to find
