"""Subject check edges: no faces extra, no face in the master, a face too small or cut off,
and the licence rule (only dlib's 5-point landmark model is ever loaded)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image
from skimage import data

from pipeline.audit import calibration as cal
from pipeline.audit import faces
from pipeline.audit.batch import AuditItem, AuditMaster, audit_batch
from pipeline.audit.calibration_set import Context, variant
from pipeline.ops.base import Geometry
from pipeline.specs import get_spec


@pytest.fixture
def fresh_models() -> Iterator[None]:
    faces.load_models.cache_clear()
    yield
    faces.load_models.cache_clear()


def _audit(
    master: Image.Image, items: list[AuditItem], cache: dict[str, Any] | None = None
) -> dict[str, Any]:
    return audit_batch(AuditMaster("master.png", master, "0" * 64), items, cache=cache)["assets"][0]


def test_without_the_faces_extra_subject_is_null_not_pass(
    calibration: Context, fresh_models: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "dlib", None)  # `import dlib` now raises ImportError
    v = variant(None, calibration, "iab-half-page")
    asset = _audit(
        calibration.master, [AuditItem("v.jpg", v.image, "iab-half-page", v.geometry, None, v.encoding)]
    )
    subject = asset["checks"]["subject"]
    assert subject["passed"] is None
    assert "install" in subject["reason"] and "keyart[faces]" in subject["reason"]
    # Frame distortion needs no model, so it is still caught.
    s = variant("frame stretched 5%", calibration, "iab-half-page")
    stretched = _audit(
        calibration.master, [AuditItem("s.jpg", s.image, "iab-half-page", s.geometry, None, s.encoding)]
    )
    assert stretched["checks"]["subject"]["passed"] is False
    assert "frame stretched" in stretched["checks"]["subject"]["reason"]


def test_only_the_five_point_model_is_loaded(fresh_models: None, monkeypatch: pytest.MonkeyPatch) -> None:
    import dlib

    loaded: list[str] = []
    real = dlib.shape_predictor

    def recording(path: str) -> Any:
        loaded.append(path)
        return real(path)

    monkeypatch.setattr(dlib, "shape_predictor", recording)
    faces.load_models()
    assert len(loaded) == 1 and loaded[0].endswith("shape_predictor_5_face_landmarks.dat")
    assert not any("68" in path for path in loaded)


def test_no_face_in_master() -> None:
    master = cal.grainy_master(data.coffee()[:, 100:500], size=512)
    v = cal.clean_variant(master, get_spec("iab-medium-rectangle"), (256, 256))
    asset = _audit(master, [AuditItem("mr.jpg", v.image, None, v.geometry, None, v.encoding)])
    assert asset["checks"]["subject"] == {
        **asset["checks"]["subject"],
        "passed": None,
        "reason": "no face in master",
    }
    assert asset["passed"] is True


def test_face_too_small_or_cut_is_null_with_reason(calibration: Context, audit_cache: dict[str, Any]) -> None:
    m = calibration.master
    tiny = m.resize((128, 128), Image.Resampling.LANCZOS)
    geometry = Geometry((0.0, 0.0, 1024.0, 1024.0), (128, 128), m.size)
    small = _audit(m, [AuditItem("tiny.png", tiny, None, geometry)], audit_cache)["checks"]["subject"]
    assert small["passed"] is None and small["reason"].startswith("face too small to check (23 px wide")
    banner = variant(None, calibration, "iab-leaderboard")
    cut = _audit(
        m, [AuditItem("lb.jpg", banner.image, None, banner.geometry, None, banner.encoding)], audit_cache
    )
    assert cut["checks"]["subject"]["passed"] is None
    assert "cut by this frame" in cut["checks"]["subject"]["reason"]
