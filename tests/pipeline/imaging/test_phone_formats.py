"""AVIF and HEIC/HEIF masters (phone and web exports), made in the test: decoded like JPEG, with
the EXIF orientation and the ICC profile honoured; a missing HEIC decoder is said plainly."""

from __future__ import annotations

import io

import numpy as np
import pillow_heif
import pytest
from PIL import Image

from pipeline.errors import BadInput
from pipeline.imaging import formats, load_image
from pipeline.imaging.sniff import sniff
from tests.pipeline.imaging.icc import adobe_rgb_profile
from tests.pipeline.imaging.test_load import _adobe_to_srgb

MB = 1_000_000
FORMATS = ["AVIF", "HEIF"]


def encode(im: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    if fmt == "HEIF":  # pillow-heif's encoder, without registering it with Pillow in this process
        if "icc_profile" in options:
            im = im.copy()
            im.info["icc_profile"] = options.pop("icc_profile")
        pillow_heif.from_pillow(im).save(out, quality=95, **options)
    else:
        im.save(out, fmt, quality=95, **options)
    return out.getvalue()


@pytest.fixture(autouse=True)
def pillow_here_cannot_read_heic(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in the bot: only the sandboxed decoder registers pillow-heif. (imageio, which scikit-image
    uses in tests, registers it in any process that has it installed: take it out again.)"""
    for name in ("register_heif_opener", "register_avif_opener"):
        if hasattr(pillow_heif, name):
            monkeypatch.setattr(pillow_heif, name, lambda *args, **kwargs: None)
    monkeypatch.setattr(Image, "OPEN", {k: v for k, v in Image.OPEN.items() if k != "HEIF"})
    monkeypatch.setattr(Image, "ID", [k for k in Image.ID if k != "HEIF"])


def two_halves() -> Image.Image:
    im = Image.new("RGB", (64, 32), (220, 0, 0))
    im.paste((0, 0, 220), (32, 0, 64, 32))  # stored: red left, blue right
    return im


@pytest.mark.parametrize("fmt", FORMATS)
def test_decodes_to_srgb_with_format_named(fmt: str) -> None:
    result = load_image(encode(two_halves(), fmt), name="photo.bin", max_bytes=MB)
    assert result.format == fmt.lower() and result.image.mode == "RGB" and result.size == (64, 32)
    px = np.asarray(result.image).astype(int)
    assert np.abs(px[16, 8] - (220, 0, 0)).max() <= 12 and np.abs(px[16, 56] - (0, 0, 220)).max() <= 12
    assert result.image.info == {}


@pytest.mark.parametrize("fmt", FORMATS)
def test_exif_orientation_turns_it_upright(fmt: str) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # display = stored rotated 90° clockwise
    result = load_image(encode(two_halves(), fmt, exif=exif.tobytes()), name="phone.heic", max_bytes=MB)
    assert result.size == (32, 64)
    top, bottom = np.asarray(result.image)[8, 16], np.asarray(result.image)[56, 16]
    assert top[0] > 180 > top[2] and bottom[2] > 180 > bottom[0]  # stored left is now the top


@pytest.mark.parametrize("fmt", FORMATS)
def test_icc_profile_converted_to_srgb(fmt: str) -> None:
    colour = (120, 160, 90)
    raw = encode(Image.new("RGB", (32, 32), colour), fmt, icc_profile=adobe_rgb_profile())
    result = load_image(raw, name="wide.avif", max_bytes=MB)
    got = np.asarray(result.image).astype(int)[16, 16]
    assert np.abs(got - _adobe_to_srgb(colour)).max() <= 6
    assert np.abs(got - colour).max() >= 15  # not passed through as if it were sRGB
    assert any("Adobe RGB" in note for note in result.notes)


@pytest.mark.parametrize("fmt", FORMATS)
def test_alpha_survives(fmt: str) -> None:
    result = load_image(encode(Image.new("RGBA", (16, 16), (10, 200, 30, 90)), fmt), name="a", max_bytes=MB)
    assert result.image.mode == "RGBA" and abs(int(np.asarray(result.image)[8, 8, 3]) - 90) <= 3


def test_sniffed_from_the_ftyp_brands() -> None:
    def ftyp(major: bytes, *compatible: bytes) -> bytes:
        body = major + b"\0\0\0\0" + b"".join(compatible)
        return (8 + len(body)).to_bytes(4, "big") + b"ftyp" + body + b"\0" * 64

    assert sniff(ftyp(b"heic", b"mif1", b"heic")) == "HEIF"
    assert sniff(ftyp(b"mif1", b"mif1", b"heic")) == "HEIF"
    assert sniff(ftyp(b"avif", b"avif", b"mif1")) == "AVIF"
    assert sniff(ftyp(b"mif1", b"mif1", b"avif")) == "AVIF"  # generic HEIF box, AV1 inside
    assert str(sniff(ftyp(b"isom", b"mp41"))) == "Refused(what='an MP4 video')"


def test_truncated_heic_is_corrupt() -> None:
    raw = encode(two_halves(), "HEIF")
    with pytest.raises(BadInput, match=r"^`cut.heic` is truncated or corrupt: it says it is a HEIC/HEIF"):
        load_image(raw[: len(raw) // 2], name="cut.heic", max_bytes=MB)


def test_without_the_heic_extra_the_message_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formats, "heif_available", lambda: False)
    with pytest.raises(BadInput) as err:
        load_image(encode(two_halves(), "HEIF"), name="IMG_0042.HEIC", max_bytes=MB)
    assert str(err.value) == (
        "`IMG_0042.HEIC` is a HEIC/HEIF photo, and this installation can't read HEIC: install the `heic` "
        "extra (`pip install 'keyart[heic]'`) or export it as JPEG or PNG. Nothing was stored."
    )
    assert "HEIC" not in formats.accepted()


def test_refusals_list_the_new_formats() -> None:
    with pytest.raises(BadInput) as err:
        load_image(b"%PDF-1.7\n", name="deck.pdf", max_bytes=MB)
    assert "Use PNG, JPEG, TIFF, WebP, AVIF, HEIC, GIF or BMP." in str(err.value)
