"""Audit fixtures: one grainy 1024² astronaut master for the session, its cached master-side work,
and a donor face (Grace Hopper, shipped with matplotlib) for the "different face" case."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from matplotlib import cbook
from PIL import Image
from skimage import data

from pipeline.audit import calibration as cal
from pipeline.audit import faces
from pipeline.audit.batch import AuditItem, AuditMaster, audit_batch, master_cache
from pipeline.audit.calibration_set import Context, variant


@pytest.fixture(scope="session")
def master() -> Image.Image:
    return cal.grainy_master(data.astronaut(), size=1024)


@pytest.fixture(scope="session")
def audit_cache(master: Image.Image) -> dict[str, Any]:
    cache: dict[str, Any] = {}
    assert master_cache(master, cache).face is not None  # computed once for the session
    return cache


@pytest.fixture(scope="session")
def donor() -> Image.Image:
    with Image.open(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)) as photo:
        return cal.soften_like_master(photo.convert("RGB"))


@pytest.fixture(scope="session")
def calibration(master: Image.Image, audit_cache: dict[str, Any], donor: Image.Image) -> Context:
    face = master_cache(master, audit_cache).face
    assert isinstance(face, faces.Face)
    return Context(master, face, np.asarray(donor), faces.main_face(donor))


REPORT_CASES = [
    ("iab-half-page", None),
    ("iab-medium-rectangle", "blacks lifted 3%"),
    ("iab-billboard", None),
    ("iab-wide-skyscraper", "white balance +300 K"),
]


@pytest.fixture(scope="session")
def report_bundle(
    calibration: Context, audit_cache: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Image.Image]]:
    items = []
    for spec, perturbation in REPORT_CASES:
        v = variant(perturbation, calibration, spec)
        items.append(
            AuditItem(
                f"out/variants/{spec}.jpg",
                v.image,
                spec,
                v.geometry,
                None,
                v.encoding,
                lineage={"engine": "classical", "seed": 7, "ops": [{"op": "fit"}, {"op": "export"}]},
            )
        )
    report = audit_batch(AuditMaster("master.png", calibration.master, "ab" * 32), items, cache=audit_cache)
    return report, {i.path: i.image for i in items}


AuditOne = Callable[..., dict[str, Any]]


@pytest.fixture(scope="session")
def audit_variant(master: Image.Image, audit_cache: dict[str, Any]) -> AuditOne:
    """Audit one calibration Variant against the session master; returns the asset dict."""

    def run(
        variant: cal.Variant, spec: str, *, lineage: bool = True, overlay: Any = None, **kwargs: Any
    ) -> dict[str, Any]:
        item = AuditItem(
            f"{spec}.{variant.encoding.format}",
            variant.image,
            spec,
            variant.geometry if lineage else None,
            variant.generated_mask,
            variant.encoding,
            overlay_mask=overlay,
        )
        report = audit_batch(AuditMaster("master.png", master, "0" * 64), [item], cache=audit_cache, **kwargs)
        return report["assets"][0]

    return run
