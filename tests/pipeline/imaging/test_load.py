"""The hostile-input set: every file is built here, and each must get its specific refusal or conversion."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage import data

from pipeline.errors import BadInput
from pipeline.imaging import LoadedImage, load_image
from tests.pipeline.imaging.icc import ADOBE_GAMMA, adobe_rgb_profile, cmyk_press_profile

MB = 1_000_000


def encode(im: Image.Image, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def raw_png(width: int, height: int, depth: int, colour_type: int, row: Callable[[int], bytes]) -> bytes:
    """A PNG written by hand (Pillow cannot write 16-bit RGB, and a 20000² bitmap would need 400 MB)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(b"\0" + row(y)) for y in range(height)) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def load(raw: bytes, name: str = "upload.png", **kw: int) -> LoadedImage:
    kw.setdefault("max_bytes", 20 * MB)
    return load_image(raw, name=name, **kw)


@pytest.fixture(scope="module")
def astronaut() -> Image.Image:
    return Image.fromarray(data.astronaut())


# ---- refusals -------------------------------------------------------------------------------------


def test_zero_bytes_is_empty() -> None:
    with pytest.raises(BadInput, match=r"^`empty.jpg` is empty"):
        load(b"", "empty.jpg")


def test_html_named_png_is_named_for_what_it_is() -> None:
    with pytest.raises(BadInput) as err:
        load(b"\n<!DOCTYPE html><html><body>hi</body></html>", "banner.png")
    assert str(err.value).startswith("`banner.png` isn't an image I can use: it is an HTML file.")
    assert "Nothing was stored." in str(err.value)


@pytest.mark.parametrize(
    ("raw", "what"),
    [
        (b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n", "PostScript/EPS"),
        (b"\xc5\xd0\xd3\xc6" + b"\0" * 40, "EPS"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>', "SVG"),
        (b"8BPS\0\1" + b"\0" * 30, "Photoshop"),
        (b"\0\0\0\x18ftypqt  " + b"\0" * 16, "a QuickTime video"),
        (b"just some notes\n", "a text file"),
        (bytes(range(7, 200)), "in a format I don't recognise"),
    ],
)
def test_non_images_are_refused_by_content(raw: bytes, what: str) -> None:
    with pytest.raises(BadInput, match=r"^`x.png` isn't an image I can use: it is .*" + what):
        load(raw, "x.png")


def test_byte_cap_checked_before_decoding(tmp_path: Path, astronaut: Image.Image) -> None:
    raw = encode(astronaut, "PNG")
    with pytest.raises(BadInput, match=r"^`a.png` is 0\.\d+ MB; the limit is 0\.1 MB"):
        load(raw, "a.png", max_bytes=100_000)
    path = tmp_path / "big.png"
    path.write_bytes(raw)
    with pytest.raises(BadInput, match=r"^`big.png` is "):
        load_image(path, max_bytes=100_000)
    assert load_image(path, max_bytes=MB).size == (512, 512)


def test_missing_path_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match=r"^`nope.png` doesn't exist"):
        load_image(tmp_path / "nope.png", max_bytes=MB)


def test_truncated_jpeg(astronaut: Image.Image) -> None:
    raw = encode(astronaut, "JPEG", quality=90)
    with pytest.raises(BadInput, match=r"^`cut.jpg` is truncated or corrupt"):
        load(raw[: len(raw) * 2 // 3], "cut.jpg")


def test_corrupt_png_data(astronaut: Image.Image) -> None:
    raw = bytearray(encode(astronaut, "PNG"))
    raw[200:260] = bytes(60)  # inside IDAT: zlib stream and CRC broken
    with pytest.raises(BadInput, match=r"^`bad.png` is truncated or corrupt"):
        load(bytes(raw), "bad.png")


def test_png_bomb_refused_from_header() -> None:
    row = bytes(20000 // 8)
    bomb = raw_png(20000, 20000, 1, 0, lambda y: row)  # 400 MP bitmap, ~50 KB on disk
    assert len(bomb) < 200_000
    with pytest.raises(BadInput, match=r"^`bomb.png`: that image is 400 megapixels; the limit is 89\."):
        load(bomb, "bomb.png")


def test_pillow_bomb_warning_is_an_error() -> None:
    row = bytes(10000 // 8)
    png = raw_png(10000, 9000, 1, 0, lambda y: row)  # 90 MP: above Pillow's 89.5 MP warning
    with pytest.raises(BadInput, match=r"that image is 90 megapixels; the limit is 89\."):
        load(png, "warn.png", max_pixels=200_000_000)


def test_own_pixel_limit_applies_before_decoding(astronaut: Image.Image) -> None:
    with pytest.raises(
        BadInput, match=r"that image is 0\.3 megapixels; the limit is 0\.1\. Export it smaller"
    ):
        load(encode(astronaut, "PNG"), max_pixels=100_000)


# ---- conversions ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "TIFF", "WEBP", "GIF", "BMP"])
def test_allowed_formats_decode_to_srgb(fmt: str, astronaut: Image.Image) -> None:
    result = load(encode(astronaut.resize((64, 48)), fmt), "picture.bin")
    assert result.format == fmt.lower()
    assert result.image.mode == "RGB" and result.size == (64, 48)
    assert result.image.info == {}


def test_format_comes_from_bytes_and_sha_from_original(astronaut: Image.Image) -> None:
    import hashlib

    raw = encode(astronaut, "JPEG")
    result = load(raw, "really-a-jpeg.png")
    assert result.format == "jpeg" and result.original_mode == "RGB"
    assert result.sha256 == hashlib.sha256(raw).hexdigest()


def _cmyk_patches() -> Image.Image:
    im = Image.new("CMYK", (32, 16), (0, 0, 0, 0))
    im.paste((255, 0, 0, 0), (0, 0, 16, 16))  # solid cyan
    im.paste((0, 0, 0, 128), (16, 0, 32, 16))  # half black
    return im


def test_cmyk_jpeg_without_profile_uses_multiplicative_formula() -> None:
    result = load(encode(_cmyk_patches(), "JPEG", quality=100), "print.jpg")
    px = np.asarray(result.image).astype(int)
    assert result.original_mode == "CMYK" and result.image.mode == "RGB"
    assert np.abs(px[8, 8] - (0, 255, 255)).max() <= 3
    assert np.abs(px[8, 24] - (127, 127, 127)).max() <= 3
    assert any("standard formula" in n for n in result.notes)


def test_cmyk_jpeg_with_profile_uses_it() -> None:
    raw = encode(_cmyk_patches(), "JPEG", quality=100, icc_profile=cmyk_press_profile())
    result = load(raw, "print.jpg")
    cyan = np.asarray(result.image).astype(int)[8, 8]
    # The profile prints cyan as a mid blue, far from the formula's (0, 255, 255).
    assert np.abs(cyan - (5, 158, 224)).max() <= 4
    assert any("using its ICC profile" in n for n in result.notes)


def _adobe_to_srgb(rgb: tuple[int, int, int]) -> np.ndarray:
    """Adobe RGB (1998) → sRGB by the published matrices (both D65), to check littleCMS against."""
    linear = (np.array(rgb) / 255) ** ADOBE_GAMMA
    xyz = (
        np.array(
            [
                [0.5767309, 0.1855540, 0.1881852],
                [0.2973769, 0.6273491, 0.0752741],
                [0.0270343, 0.0706872, 0.9911085],
            ]
        )
        @ linear
    )
    srgb_lin = (
        np.array(
            [
                [3.2404542, -1.5371385, -0.4985314],
                [-0.9692660, 1.8760108, 0.0415560],
                [0.0556434, -0.2040259, 1.0572252],
            ]
        )
        @ xyz
    )
    return np.where(srgb_lin <= 0.0031308, 12.92 * srgb_lin, 1.055 * srgb_lin ** (1 / 2.4) - 0.055) * 255


def test_adobe_rgb_tagged_png_converted_to_srgb() -> None:
    colour = (120, 160, 90)
    raw = encode(Image.new("RGB", (8, 8), colour), "PNG", icc_profile=adobe_rgb_profile())
    result = load(raw)
    got = np.asarray(result.image).astype(int)[4, 4]
    assert np.abs(got - _adobe_to_srgb(colour)).max() <= 2
    assert np.abs(got - colour).max() >= 15  # not passed through as if it were sRGB
    assert any("Adobe RGB" in n for n in result.notes)


def test_alpha_survives_profile_conversion() -> None:
    im = Image.new("RGBA", (8, 8), (120, 160, 90, 77))
    result = load(encode(im, "PNG", icc_profile=adobe_rgb_profile()))
    assert result.image.mode == "RGBA" and np.asarray(result.image)[1, 1, 3] == 77


def test_unreadable_profile_falls_back_with_note() -> None:
    raw = encode(Image.new("RGB", (8, 8), (10, 200, 30)), "PNG", icc_profile=b"not a profile" * 10)
    result = load(raw)
    assert result.image.getpixel((0, 0)) == (10, 200, 30)
    assert any("unreadable" in n for n in result.notes)


def test_srgb_tagged_pixels_untouched(astronaut: Image.Image) -> None:
    from pipeline.imaging import srgb_icc_bytes

    small = astronaut.resize((32, 32))
    result = load(encode(small, "PNG", icc_profile=srgb_icc_bytes()))
    assert np.array_equal(np.asarray(result.image), np.asarray(small)) and result.notes == []


def test_16bit_grey_png_is_scaled_not_clipped() -> None:
    values = np.array([[0, 257 * 100, 32768, 65535]], dtype=np.uint16)
    result = load(encode(Image.fromarray(values), "PNG"))
    assert result.original_mode.startswith("I;16")
    assert np.asarray(result.image)[0, :, 0].tolist() == [0, 100, 128, 255]
    assert any("scaled, not clipped" in n for n in result.notes)


def test_16bit_rgb_png_scaled() -> None:
    pixels = np.array([[[65535, 32768, 0], [257 * 200, 257 * 20, 257 * 7]]], dtype=">u2")
    result = load(raw_png(2, 1, 16, 2, lambda y: pixels[y].tobytes()))
    got = np.asarray(result.image).astype(int)[0]
    assert np.abs(got - np.rint(pixels[0] / 257)).max() <= 1
    assert any("16-bit" in n for n in result.notes)


def test_animated_gif_first_frame_with_note() -> None:
    frames = [Image.new("RGB", (16, 16), c) for c in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    raw = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    result = load(raw, "anim.gif")
    assert result.image.getpixel((5, 5)) == (255, 0, 0)
    assert any("animated GIF: used the first frame" in n for n in result.notes)


def test_exif_orientation_honoured() -> None:
    im = Image.new("RGB", (64, 32), (220, 0, 0))
    im.paste((0, 0, 220), (32, 0, 64, 32))  # stored: red left, blue right
    exif = Image.Exif()
    exif[0x0112] = 6  # display = stored rotated 90° clockwise
    result = load(encode(im, "JPEG", exif=exif.tobytes(), quality=95), "phone.jpg")
    assert result.size == (32, 64)
    top, bottom = np.asarray(result.image)[8, 16], np.asarray(result.image)[56, 16]
    assert top[0] > 180 > top[2] and bottom[2] > 180 > bottom[0]  # stored left is now the top
    assert any("EXIF orientation (6)" in n for n in result.notes)


def test_palette_transparency_and_grey_alpha_become_rgba() -> None:
    pal = Image.new("P", (8, 8), 1)
    pal.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    pal.paste(0, (0, 0, 4, 8))
    result = load(encode(pal, "PNG", transparency=0))
    assert result.image.mode == "RGBA"
    assert np.asarray(result.image)[1, 1, 3] == 0 and result.image.getpixel((6, 1)) == (255, 0, 0, 255)
    grey = load(encode(Image.new("LA", (4, 4), (90, 10)), "PNG"))
    assert grey.image.mode == "RGBA" and grey.image.getpixel((0, 0)) == (90, 90, 90, 10)


def test_grey_becomes_rgb_and_opaque_alpha_is_dropped() -> None:
    assert load(encode(Image.new("L", (4, 4), 77), "PNG")).image.getpixel((0, 0)) == (77, 77, 77)
    assert load(encode(Image.new("RGBA", (4, 4), (1, 2, 3, 255)), "PNG")).image.mode == "RGB"
