"""Brand overlays (logo, copy, scrim) are deliberate: given their boxes, they are left out."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from pipeline.audit import calibration as cal
from pipeline.audit.batch import overlay_mask
from pipeline.audit.calibration_set import Context
from pipeline.specs import get_spec
from tests.pipeline.audit.conftest import AuditOne

SPEC = "iab-half-page"
LOGO, COPY = (20, 470, 120, 570), (130, 490, 290, 560)


def _brand(rgb: np.ndarray) -> np.ndarray:
    image = Image.fromarray(rgb)
    draw = ImageDraw.Draw(image)
    draw.rectangle(LOGO, fill=(0, 90, 200))
    draw.rectangle(COPY, fill=(255, 255, 255))
    draw.text((COPY[0] + 8, COPY[1] + 8), "LAUNCH\nDAY", fill=(0, 0, 0), font_size=24)
    return np.asarray(image)


def test_overlay_boxes_are_left_out_of_the_comparison(calibration: Context, audit_variant: AuditOne) -> None:
    v = cal.clean_variant(calibration.master, get_spec(SPEC), calibration.centre, pixels=_brand)
    unmasked = audit_variant(v, SPEC)
    assert unmasked["passed"] is False  # a white card and a blue logo are not in the master

    mask = overlay_mask(v.image.size, [LOGO, COPY, None])
    assert mask.sum() == 100 * 100 + 160 * 70
    masked = audit_variant(v, SPEC, overlay=mask)
    assert masked["passed"] is True, masked["checks"]
    assert masked["overlay_fraction"] == round(mask.mean(), 4)


def test_a_logo_over_the_face_fails_the_subject_check(calibration: Context, audit_variant: AuditOne) -> None:
    clean = cal.clean_variant(calibration.master, get_spec(SPEC), calibration.centre)
    face = [round(v) for v in audit_variant(clean, SPEC)["checks"]["subject"]["expected_face_box"]]

    def logo_on_face(rgb: np.ndarray) -> np.ndarray:
        image = Image.fromarray(rgb)
        ImageDraw.Draw(image).rectangle(face, fill=(0, 90, 200))
        return np.asarray(image)

    covered = cal.clean_variant(calibration.master, get_spec(SPEC), calibration.centre, pixels=logo_on_face)
    result = audit_variant(covered, SPEC, overlay=overlay_mask(covered.image.size, [face]))
    subject = result["checks"]["subject"]
    assert subject["passed"] is False
    assert "covered by brand's logo / copy" in subject["reason"]
    assert all(result["checks"][c]["passed"] for c in ("luminance", "texture", "color"))
