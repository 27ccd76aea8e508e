"""Encoding detection (JPEG tables, WebP VP8 quantisers) and encoding the reference like the variant."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from skimage import data

from pipeline.audit import vp8
from pipeline.audit.calibration_set import Context, variant
from pipeline.audit.encoding import LOSSLESS, encode_like, encoding_of, from_lineage, jpeg_quality, probe
from tests.pipeline.audit.conftest import AuditOne


def _encoded(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def chelsea() -> Image.Image:
    return Image.fromarray(data.chelsea())


@pytest.mark.parametrize("quality", [35, 60, 75, 85, 90, 95])
def test_jpeg_quality_is_read_from_the_quantisation_tables(chelsea: Image.Image, quality: int) -> None:
    found = probe(_encoded(chelsea, "JPEG", quality=quality))
    assert found.format == "jpeg" and found.lossy
    assert found.quality == quality
    assert found.qtables is not None and jpeg_quality(found.qtables) == quality
    assert found.subsampling == 2  # Pillow's default 4:2:0
    assert probe(_encoded(chelsea, "JPEG", quality=quality, subsampling=0)).subsampling == 0


@pytest.mark.parametrize("quality", [50, 80, 90])
def test_webp_quality_is_recovered_from_the_vp8_quantisers(chelsea: Image.Image, quality: int) -> None:
    found = probe(_encoded(chelsea, "WEBP", quality=quality, icc_profile=b""))
    assert found.format == "webp" and found.lossy and found.vp8_quantizers
    reference, resolved = encode_like(chelsea, found)
    assert resolved.quality is not None and abs(resolved.quality - quality) <= 1
    # Same quantisers on the reference as on the variant: the encoder was reproduced.
    again = vp8.segment_quantizers(_encoded(chelsea, "WEBP", quality=resolved.quality))
    assert again == found.vp8_quantizers
    assert reference.size == chelsea.size


def test_lossless_files_are_not_reencoded(chelsea: Image.Image) -> None:
    assert probe(_encoded(chelsea, "WEBP", lossless=True)).lossy is False
    png = probe(_encoded(chelsea, "PNG"))
    assert png.format == "png" and not png.lossy
    assert vp8.segment_quantizers(_encoded(chelsea, "PNG")) is None
    same, _ = encode_like(chelsea, png)
    assert same is chelsea


def test_opened_images_and_lineage_say_what_they_know(chelsea: Image.Image) -> None:
    jpeg = encoding_of(Image.open(io.BytesIO(_encoded(chelsea, "JPEG", quality=80))))
    assert (jpeg.format, jpeg.quality, jpeg.subsampling) == ("jpeg", 80, 2)
    webp = encoding_of(Image.open(io.BytesIO(_encoded(chelsea, "WEBP", quality=80))))
    assert webp.quality == 90 and "assumed" in webp.to_json()["notes"][0]  # an assumption, said out loud
    assert encoding_of(chelsea) == LOSSLESS
    assert from_lineage("JPG", 72).to_json() == {
        "format": "jpeg",
        "lossy": True,
        "quality": 72,
        "source": "lineage",
    }
    _, resolved = encode_like(chelsea, from_lineage("webp", 85))
    assert resolved.quality == 85


def test_reference_encoded_with_the_variants_tables_is_pixel_identical(chelsea: Image.Image) -> None:
    data_ = _encoded(chelsea, "JPEG", quality=72, subsampling=1)
    variant_pixels = np.asarray(Image.open(io.BytesIO(data_)).convert("RGB"))
    reference, _ = encode_like(chelsea, probe(data_))
    assert np.array_equal(np.asarray(reference), variant_pixels)


def test_jpeg_grain_loss_is_accounted_for_not_tolerated(
    calibration: Context, audit_variant: AuditOne
) -> None:
    """A q50 JPEG keeps well under half the master's grain. Compared with the reference encoded the
    same way it passes; compared with the unencoded reference the same file fails on grain."""
    v = variant(None, calibration, "iab-half-page")
    data_ = _encoded(v.image.convert("RGB"), "JPEG", quality=50)  # the q90 export, re-encoded at q50
    low = type(v)(Image.open(io.BytesIO(data_)), data_, v.geometry, probe(data_))
    honest = audit_variant(low, "iab-half-page")
    assert honest["checks"]["texture"]["passed"] is True, honest["checks"]["texture"]
    assert honest["encoding"]["quality"] == 50
    naive = audit_variant(type(v)(low.image, data_, v.geometry, LOSSLESS), "iab-half-page")
    assert naive["checks"]["texture"]["passed"] is False
    assert naive["checks"]["texture"]["grain_ratio"] < 0.8
