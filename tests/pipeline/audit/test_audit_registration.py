"""Without lineage the geometry comes from registration (SIFT + RANSAC, else a search confirmed by
agreeing details): it must recover the crop box and aspect, feed the same checks, and fail clearly
— saying what it tried — on a file that is not from the master.
tests/pipeline/audit/test_audit_outside_files.py audits degraded crops of real photos."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from PIL import Image
from skimage import data

from pipeline.audit import corruptions, register
from pipeline.audit.batch import AuditItem, AuditMaster, audit_batch, master_cache
from pipeline.audit.calibration_set import Context, variant
from pipeline.errors import BadInput
from tests.pipeline.audit.conftest import AuditOne


@pytest.mark.parametrize("spec", ["iab-half-page", "iab-billboard", "youtube-thumbnail"])
def test_registration_recovers_the_crop_box(
    spec: str, calibration: Context, audit_cache: dict[str, Any]
) -> None:
    v = variant(None, calibration, spec)
    shared = master_cache(calibration.master, audit_cache)
    reg = register.register(shared.features, calibration.master.size, v.image.convert("RGB"), spec)
    assert reg.inliers >= 40
    # Within one master pixel on every edge, and the aspect to 0.3 %.
    assert np.allclose(reg.geometry.source_box, v.geometry.source_box, atol=1.0), reg.geometry
    assert abs(reg.anisotropy - 1.0) < 0.003
    assert abs(reg.rotation_deg) < 0.1


def test_clean_variant_without_lineage_passes(calibration: Context, audit_variant: AuditOne) -> None:
    asset = audit_variant(variant(None, calibration, "iab-half-page"), "iab-half-page", lineage=False)
    assert asset["passed"] is True, asset["checks"]
    assert asset["geometry"]["source"] == "registration"
    assert asset["registration"]["inliers"] >= 12
    assert asset["checks"]["subject"]["frame_source"] == "registration"


def test_stretched_variant_without_lineage_fails_subject(
    calibration: Context, audit_variant: AuditOne
) -> None:
    asset = audit_variant(
        variant("frame stretched 5%", calibration, "iab-half-page"), "iab-half-page", lineage=False
    )
    subject = asset["checks"]["subject"]
    assert subject["passed"] is False
    assert subject["frame_anisotropy"] == pytest.approx(1.05, abs=0.004)
    assert "frame stretched +5.0% (registration" in subject["reason"]
    assert {k for k, c in asset["checks"].items() if c["passed"] is False} == {"subject"}


def test_unrelated_file_fails_clearly(master: Image.Image, audit_cache: dict[str, Any]) -> None:
    coffee = Image.fromarray(data.coffee())
    report = audit_batch(
        AuditMaster("master.png", master, "0" * 64),
        [AuditItem("shots/coffee.jpg", coffee)],
        cache=audit_cache,
    )
    asset = report["assets"][0]
    assert report["passed"] is False and asset["passed"] is False
    assert asset["error"].startswith(
        "could not register `coffee.jpg` to the master: it does not look like a crop or resize of it. "
        "Tried matching details: only "
    )
    assert "searching crop sizes and positions: the closest candidate is " in asset["error"]
    assert "but only 0 details agree with it (need 3)" in asset["error"]
    assert all(c["passed"] is None and c["reason"] == asset["error"] for c in asset["checks"].values())


def test_a_uniform_file_says_there_is_nothing_to_match(
    master: Image.Image, audit_cache: dict[str, Any]
) -> None:
    flat = Image.new("RGB", (300, 250), (128, 128, 128))
    with pytest.raises(BadInput) as raised:
        register.register(master_cache(master, audit_cache).features, master.size, flat, "flat.png")
    assert str(raised.value) == (
        "could not register `flat.png` to the master: it does not look like a crop or resize of it. "
        "Tried matching details: only 0 points agree (need 12); searching crop sizes and positions: the "
        "file is almost uniform, nothing to match. Is this the right master? Flipped or heavily retouched "
        "files, and files that are mostly new pixels, cannot be compared with it."
    )


def test_a_blurred_low_contrast_crop_registers_by_search(
    calibration: Context, audit_cache: dict[str, Any]
) -> None:
    v = variant(None, calibration, "iab-half-page")
    damaged = corruptions.contrast(corruptions.defocus_blur(np.asarray(v.image.convert("RGB")), 3), 3)
    shared = master_cache(calibration.master, audit_cache)
    reg = register.register(shared.features, calibration.master.size, Image.fromarray(damaged), "soft.png")
    assert reg.method in ("search-ecc-affine", "search-box") and reg.detail["sift_inliers"] < 12
    assert reg.inliers >= register.MIN_AGREEING
    assert np.allclose(reg.geometry.source_box, v.geometry.source_box, atol=4.0), reg.geometry
    assert abs(reg.anisotropy - 1.0) < 0.01
