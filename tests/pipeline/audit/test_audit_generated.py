"""Generated regions (expand/swap) are judged against the master's global statistics."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image

from pipeline.audit import calibration as cal
from pipeline.audit.batch import AuditItem, AuditMaster, audit_batch
from pipeline.audit.calibration_set import Context
from pipeline.specs import get_spec
from tests.pipeline.audit.conftest import AuditOne

SPEC = "linkedin-single"  # 1.91:1 from a square master: 48 % of the frame is generated


def _flat(rgb: np.ndarray, generated: np.ndarray) -> np.ndarray:
    rgb[generated] = rgb[~generated].reshape(-1, 3).mean(axis=0).astype(np.uint8)
    return rgb


def _warm(rgb: np.ndarray, generated: np.ndarray) -> np.ndarray:
    rgb[generated] = cal.shift_white_balance(rgb, 1500)[generated]
    return rgb


def _dark(rgb: np.ndarray, generated: np.ndarray) -> np.ndarray:
    rgb[generated] = (rgb[generated] * 0.3).astype(np.uint8)
    return rgb


def test_clean_expand_passes_with_generated_results(calibration: Context, audit_variant: AuditOne) -> None:
    v = cal.expand_variant(calibration.master, get_spec(SPEC))
    asset = audit_variant(v, SPEC)
    assert asset["passed"] is True, asset["checks"]
    assert asset["generated_fraction"] == pytest.approx(0.48, abs=0.01)
    for name in ("luminance", "texture", "color"):
        assert asset["checks"][name]["generated"]["passed"] is True
    assert 0.8 < asset["checks"]["texture"]["generated"]["grain_ratio"] < 1.2


@pytest.mark.parametrize(("fill", "check"), [(_flat, "texture"), (_warm, "color")])
def test_bad_generated_region_fails_its_check(
    fill: Callable[[np.ndarray, np.ndarray], np.ndarray],
    check: str,
    calibration: Context,
    audit_variant: AuditOne,
) -> None:
    asset = audit_variant(cal.expand_variant(calibration.master, get_spec(SPEC), fill), SPEC)
    result = asset["checks"][check]
    assert result["passed"] is False and result["generated"]["passed"] is False
    assert result["reason"].startswith("generated area")
    # The master pixels of the frame are untouched: their own comparison still passes.
    failed = {k for k, c in asset["checks"].items() if c["passed"] is False}
    assert failed == {check}


def test_generated_blacks_below_the_masters_black_point_fail_luminance(
    calibration: Context, audit_variant: AuditOne
) -> None:
    # A master whose blacks sit at L* ≈ 7: a generated area reaching L* 0 is darker than anything in it.
    lifted = Image.fromarray(cal.lift_blacks(np.asarray(calibration.master), 0.08))
    v = cal.expand_variant(lifted, get_spec(SPEC), _dark)
    report = audit_batch(
        AuditMaster("lifted.png", lifted, "1" * 64),
        [AuditItem(SPEC, v.image, SPEC, v.geometry, v.generated_mask, v.encoding)],
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
