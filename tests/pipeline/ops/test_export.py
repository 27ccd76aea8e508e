"""export: every contract spec gets exact pixels, format, byte cap, sRGB, DPI and readable provenance."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageCms, JpegImagePlugin
from skimage import data

from pipeline.credentials.keys import signing_keys
from pipeline.credentials.manifest import Production, approval_manifest
from pipeline.credentials.reader import read_credentials
from pipeline.credentials.sealing import CredentialJob
from pipeline.credentials.signer import CredentialSigner
from pipeline.errors import BadRequest
from pipeline.imaging.colour import srgb_icc_bytes
from pipeline.imaging.provenance import IPTC_TYPES, digital_source_type
from pipeline.ops.base import Geometry, OpContext, OpInputs, OpResult
from pipeline.ops.export import ExportParams, export, read_provenance
from pipeline.specs import CONTRACT_SPECS, get_spec
from storage.settings import Settings

PROVENANCE = {
    "asset_ref": "job-42",
    "parent_sha256": "ab" * 32,
    "ops": "fit, upscale, brand",
    "campaign": "autumn",
}
MAGIC = {"jpeg": b"\xff\xd8\xff", "png": b"\x89PNG", "webp": b"RIFF"}


def noisy_photo(size: tuple[int, int], sigma: float = 12, seed: int = 0) -> Image.Image:
    """The astronaut at ``size`` with Gaussian grain (a 512² noise tile repeated: cheap at print size)."""
    base = np.asarray(Image.fromarray(data.astronaut()).resize(size, Image.Resampling.BILINEAR)).astype(
        np.int16
    )
    tile = np.rint(np.random.default_rng(seed).normal(0, sigma, (512, 512, 3))).astype(np.int16)
    reps = (-(-size[1] // 512), -(-size[0] // 512), 1)
    return Image.fromarray(np.clip(base + np.tile(tile, reps)[: size[1], : size[0]], 0, 255).astype(np.uint8))


def run(
    image: Image.Image, engine: str = "classical", provenance: dict[str, str] | None = None, **params: object
) -> OpResult:
    inputs = OpInputs(image, image, Geometry.identity(image.size))
    ctx = OpContext(engine=engine, seed=5, provenance=dict(PROVENANCE if provenance is None else provenance))
    return export(inputs, ExportParams(**params), ctx)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", CONTRACT_SPECS)
def test_every_contract_spec(name: str) -> None:
    spec = get_spec(name)
    result = run(noisy_photo(spec.size), spec=name)
    data_ = result.encoded
    assert data_ is not None and data_.startswith(MAGIC[spec.format])
    assert result.format == spec.format == result.record["format"]
    if spec.max_bytes:
        assert len(data_) <= spec.max_bytes
    assert result.record["bytes"] == len(data_)
    decoded = Image.open(io.BytesIO(data_))
    assert decoded.size == spec.size == result.image.size
    assert decoded.info["icc_profile"] == srgb_icc_bytes()
    profile = ImageCms.ImageCmsProfile(io.BytesIO(decoded.info["icc_profile"]))
    assert "sRGB" in (profile.profile.profile_description or "")
    assert "exif" not in decoded.info
    if spec.format in ("jpeg", "png"):
        assert tuple(round(v) for v in decoded.info["dpi"]) == (spec.dpi, spec.dpi)
    provenance = read_provenance(data_)
    assert provenance["dpi"] == spec.dpi
    assert provenance["asset_ref"] == "job-42" and provenance["parent_sha256"] == "ab" * 32
    assert provenance["ops"] == ["fit", "upscale", "brand"] and provenance["campaign"] == "autumn"
    assert provenance["spec"] == name
    assert provenance["digital_source_type"] == IPTC_TYPES + "composite"
    decoded.load()
    assert np.array_equal(np.asarray(decoded.convert("RGB")), np.asarray(result.image))


def test_print_is_300_dpi() -> None:
    result = run(Image.new("RGB", (2480, 3508), (120, 130, 140)), spec="print-a4-300dpi")
    assert result.encoded is not None
    assert Image.open(io.BytesIO(result.encoded)).info["dpi"] == (300, 300)
    assert result.record["dpi"] == 300


def test_mobile_banner_cap_on_noisy_photo_lowers_quality() -> None:
    harsh = noisy_photo((320, 50), sigma=60, seed=1)
    result = run(harsh, spec="iab-mobile-banner")
    assert result.encoded is not None and len(result.encoded) <= 50_000
    tighter = run(harsh, spec="iab-mobile-banner", max_bytes=15_000)
    assert tighter.encoded is not None and len(tighter.encoded) <= 15_000
    assert tighter.record["quality"] < 90
    assert f"quality lowered from 90 to {tighter.record['quality']} to meet the 15 KB cap" in tighter.notes
    # The search returns the *highest* quality that fits: one step up must not fit.
    above = run(harsh, spec="iab-mobile-banner", quality=tighter.record["quality"] + 1)
    assert above.encoded is not None and len(above.encoded) > 15_000


def test_unreachable_cap_is_refused() -> None:
    with pytest.raises(BadRequest, match=r"`iab-half-page` cannot get under 1 KB as JPEG even at quality 30"):
        run(noisy_photo((300, 600), sigma=60), spec="iab-half-page", max_bytes=1000)


def test_chroma_subsampling_policy() -> None:
    small = run(noisy_photo((300, 250)), spec="iab-medium-rectangle", quality=80)
    assert small.record["subsampling"] == "4:4:4"
    big = run(noisy_photo((1080, 1080)), spec="meta-feed-square", quality=80)
    assert big.record["subsampling"] == "4:2:0"
    for result, sampling in ((small, 0), (big, 2)):
        assert result.encoded is not None
        decoded = Image.open(io.BytesIO(result.encoded))
        assert isinstance(decoded, JpegImagePlugin.JpegImageFile)
        assert JpegImagePlugin.get_sampling(decoded) == sampling and decoded.info["progressive"]


def test_png_quantises_to_meet_cap_then_refuses() -> None:
    image = noisy_photo((300, 250), sigma=4)
    lossless = run(image, spec="iab-medium-rectangle", format="png", max_bytes=10_000_000)
    assert lossless.record["quantized"] is False
    assert np.array_equal(np.asarray(lossless.image), np.asarray(image))
    capped = run(image, spec="iab-medium-rectangle", format="png", max_bytes=len(lossless.encoded or b"") - 1)
    assert capped.record["quantized"] is True and "reduced to 256 colours" in capped.notes[0]
    assert read_provenance(capped.encoded or b"")["asset_ref"] == "job-42"
    with pytest.raises(BadRequest, match="as a 256-colour PNG"):
        run(image, spec="iab-medium-rectangle", format="png", max_bytes=5000)


def test_jpeg_flattens_alpha_on_white_and_png_keeps_it() -> None:
    image = Image.new("RGBA", (300, 250), (200, 0, 0, 0))
    image.paste((0, 0, 200, 255), (0, 0, 150, 250))
    jpeg = run(image, spec="iab-medium-rectangle")
    assert jpeg.image.mode == "RGB" and "flattened onto white" in jpeg.notes[0]
    assert np.asarray(jpeg.image)[100, 250].min() >= 250  # transparent half is white, not hidden red
    png = run(image, spec="iab-medium-rectangle", format="png")
    assert png.image.mode == "RGBA" and np.asarray(png.image)[100, 250, 3] == 0


def test_export_never_resizes_and_strips_upload_metadata() -> None:
    with pytest.raises(BadRequest, match=r"exactly 300×250, but the image is 301×250.*never resizes"):
        run(noisy_photo((301, 250)), spec="iab-medium-rectangle")
    image = noisy_photo((300, 250))
    image.info.update(exif=b"Exif\x00\x00GPS-secret", icc_profile=b"junk profile")
    for fmt in ("jpeg", "png", "webp"):
        encoded = run(image, spec="iab-medium-rectangle", format=fmt).encoded or b""
        assert b"GPS-secret" not in encoded and b"junk profile" not in encoded


def test_webp_for_web_hero_carries_dpi_in_xmp() -> None:
    result = run(noisy_photo((1920, 1080), sigma=4), spec="landing-hero", provenance={})
    assert result.format == "webp" and any("no DPI field" in n for n in result.notes)
    assert read_provenance(result.encoded or b"")["dpi"] == 72


@pytest.mark.parametrize(
    ("ops", "diffusion", "code"),
    [
        (["reframe", "upscale", "export"], False, "algorithmicallyEnhanced"),
        (["fit", "brand", "export"], False, "composite"),
        (["expand", "export"], False, "compositeSynthetic"),
        (["expand", "brand", "export"], True, "compositeWithTrainedAlgorithmicMedia"),
        (["generate", "export"], True, "trainedAlgorithmicMedia"),
    ],
)
def test_digital_source_type_codes(ops: list[str], diffusion: bool, code: str) -> None:
    assert digital_source_type(ops, diffusion) == IPTC_TYPES + code


def test_diffusion_engine_declares_trained_media() -> None:
    image = noisy_photo((300, 250))
    result = run(image, engine="diffusion", spec="iab-medium-rectangle")
    assert (
        read_provenance(result.encoded or b"")["digital_source_type"]
        == IPTC_TYPES + "compositeWithTrainedAlgorithmicMedia"
    )
    declared = run(
        image,
        engine="diffusion",
        provenance={**PROVENANCE, "diffusion": "false", "ops": "reframe"},
        spec="iab-medium-rectangle",
    )
    assert declared.record["digital_source_type"] == IPTC_TYPES + "algorithmicallyEnhanced"
    assert read_provenance(b"no xmp here") == {}


def test_pixels_hidden_under_transparency_never_ship() -> None:
    from pipeline.ops.export import clear_hidden

    rgba = np.zeros((40, 60, 4), np.uint8)
    rgba[..., :3] = (255, 0, 255)  # a retoucher's leftovers under the cut-out's transparent area
    rgba[10:30, 20:40] = (120, 70, 40, 255)
    cleared = np.asarray(clear_hidden(Image.fromarray(rgba, "RGBA")))
    assert not cleared[cleared[..., 3] == 0, :3].any()
    assert (cleared[10:30, 20:40] == (120, 70, 40, 255)).all()


# -- Content Credentials (C2PA) -------------------------------------------------------------------


@pytest.fixture
def credentials(tmp_path: Path) -> CredentialJob:
    """The executor's view of a signer: the workspace's development CA, and a one-step record."""
    signer = CredentialSigner(signing_keys(Settings(data_dir=tmp_path, _env_file=None)))  # type: ignore[call-arg]
    return CredentialJob(signer, Production(master_sha256="ab" * 32, facts={"unit": "banner"}))


def signed_run(image: Image.Image, job: CredentialJob, **params: object) -> OpResult:
    inputs = OpInputs(image, image, Geometry.identity(image.size))
    ctx = OpContext(seed=5, provenance=dict(PROVENANCE), credentials=job)
    return export(inputs, ExportParams(**params), ctx)  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", ["jpeg", "png", "webp"])
def test_export_signs_and_the_pixels_are_the_unsigned_ones(credentials: CredentialJob, fmt: str) -> None:
    image = noisy_photo((300, 250), sigma=4)
    signed = signed_run(image, credentials, spec="iab-medium-rectangle", format=fmt)
    plain = run(image, spec="iab-medium-rectangle", format=fmt)
    record = signed.record["credentials"]
    assert record["signed"] and record["development"] and record["alg"] == "es256"
    assert 2000 < record["manifest_bytes"] < 8000 and record["approval_reserve_bytes"] > 2000
    assert len(signed.encoded or b"") == len(plain.encoded or b"") + record["manifest_bytes"]
    assert np.array_equal(np.asarray(signed.image), np.asarray(plain.image))
    assert read_provenance(signed.encoded or b"")["asset_ref"] == "job-42", "the XMP is still there"
    creds = read_credentials(signed.encoded or b"", anchors_pem=credentials.signer.keys.anchors_pem)
    assert (
        creds.state == "trusted" and creds.development and creds.production["spec"] == "iab-medium-rectangle"
    )
    assert not [n for n in signed.notes if "Content Credentials" in n]


def test_the_manifest_and_the_approval_room_are_inside_the_byte_cap(credentials: CredentialJob) -> None:
    harsh = noisy_photo((320, 50), sigma=60, seed=1)
    unsigned = run(harsh, spec="iab-mobile-banner", max_bytes=20_000)
    signed = signed_run(harsh, credentials, spec="iab-mobile-banner", max_bytes=20_000)
    record = signed.record["credentials"]
    data_ = signed.encoded or b""
    assert record["signed"] and len(data_) + record["approval_reserve_bytes"] <= 20_000
    assert signed.record["quality"] < unsigned.record["quality"], "the manifest took bytes from the pixels"
    approved = credentials.signer.countersign(
        data_,
        "jpeg",
        approval_manifest(
            title="banner.jpg",
            mime="image/jpeg",
            approval={"user": "U" + "Z" * 20, "via": "slack", "at": "2026-03-02T10:00:00+00:00"},
        ),
    )
    assert len(approved) <= 20_000, "the approved copy still meets the cap"


def test_a_cap_too_small_for_a_signed_file_falls_back_to_xmp_with_a_note(credentials: CredentialJob) -> None:
    image = noisy_photo((300, 250), sigma=4)
    smallest = run(image, spec="iab-medium-rectangle", format="png", max_bytes=10_000_000)
    quantized = run(
        image, spec="iab-medium-rectangle", format="png", max_bytes=len(smallest.encoded or b"") - 1
    )
    cap = len(quantized.encoded or b"") + 500  # room for the pixels, not for a manifest
    result = signed_run(image, credentials, spec="iab-medium-rectangle", format="png", max_bytes=cap)
    assert result.record["credentials"]["signed"] is False
    assert len(result.encoded or b"") <= cap
    note = next(n for n in result.notes if "Content Credentials left out" in n)
    assert f"no signed PNG fits the {cap / 1000:g} KB cap" in note and "XMP provenance only" in note
    assert read_credentials(result.encoded or b"").state == "none"
    assert read_provenance(result.encoded or b"")["asset_ref"] == "job-42"


@pytest.mark.parametrize("fmt", ["png", "webp"])
def test_transparent_packshots_are_signed_with_their_alpha(credentials: CredentialJob, fmt: str) -> None:
    image = Image.new("RGBA", (300, 250), (200, 0, 0, 0))
    image.paste((0, 0, 200, 255), (0, 0, 150, 250))
    result = signed_run(image, credentials, spec="iab-medium-rectangle", format=fmt)
    assert result.record["credentials"]["signed"] and result.image.mode == "RGBA"
    alpha = np.asarray(result.image)[:, :, 3]
    assert alpha[100, 250] == 0 and alpha[100, 50] == 255
    creds = read_credentials(result.encoded or b"", anchors_pem=credentials.signer.keys.anchors_pem)
    assert creds.state == "trusted"
