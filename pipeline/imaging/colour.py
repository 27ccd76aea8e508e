"""Bring any decoded image to 8-bit sRGB (RGB or RGBA), honouring its ICC profile.

Why not ``Image.convert``: it ignores embedded profiles (a CMYK or Adobe RGB upload comes out
visibly over-saturated) and it clips 16-bit data above 255 instead of scaling it. Alpha is split
off before any littleCMS transform (lcms zeroes alpha when the source has none) and put back after.
"""

from __future__ import annotations

import io
from functools import lru_cache

import numpy as np
from PIL import Image, ImageCms


class UnsupportedMode(ValueError):
    """A decoded pixel mode keyart has no faithful conversion for."""


@lru_cache(maxsize=1)
def srgb_profile() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@lru_cache(maxsize=1)
def srgb_icc_bytes() -> bytes:
    """The sRGB ICC profile keyart embeds in every file it writes (~600 bytes, made offline)."""
    return srgb_profile().tobytes()


_SPACE_FOR_MODE = {"L": "GRAY", "RGB": "RGB", "CMYK": "CMYK", "LAB": "LAB"}


def to_srgb(im: Image.Image, icc: bytes | None) -> tuple[Image.Image, list[str]]:
    """Return an 8-bit sRGB ``RGB``/``RGBA`` copy of ``im`` and notes on what was converted."""
    notes: list[str] = []
    colour, alpha = _split(im, notes)
    rgb = _colour_to_srgb(colour, icc, notes)
    if alpha is not None and alpha.getextrema() != (255, 255):
        rgb = rgb.copy()
        rgb.putalpha(alpha)
    elif rgb is im:
        rgb = im.copy()
    rgb.info = {}  # metadata from the upload is untrusted and never travels further
    return rgb, notes


def _split(im: Image.Image, notes: list[str]) -> tuple[Image.Image, Image.Image | None]:
    """Colour part (L, RGB, CMYK or LAB, 8-bit) and alpha (L) or None."""
    mode = im.mode
    if mode == "1":
        return im.convert("L"), None
    if mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    elif mode in ("PA", "RGBa", "La"):
        im = im.convert("RGBA" if mode != "La" else "LA")
    elif mode in ("RGBX", "YCbCr", "HSV"):
        im = im.convert("RGB")
    elif mode.startswith("I") or mode == "F":
        return _high_depth_to_l(im, notes), None
    if im.mode in ("RGBA", "LA"):
        bands = im.split()
        colour_mode = im.mode[:-1]
        colour = bands[0] if colour_mode == "L" else Image.merge("RGB", bands[:3])
        return colour, bands[-1]
    if im.mode not in _SPACE_FOR_MODE:
        raise UnsupportedMode(im.mode)
    return im, None


def _high_depth_to_l(im: Image.Image, notes: list[str]) -> Image.Image:
    """16-bit / 32-bit / float greyscale → 8-bit by *scaling* (Pillow's convert clips at 255)."""
    data = np.asarray(im).astype(np.float64)  # I;16B/I;16L arrive as >u2/<u2 arrays: byte order handled
    if im.mode.startswith("I;16") or (im.mode == "I" and data.min() >= 0 and data.max() <= 65535):
        scaled = data / 257.0
        notes.append("16-bit greyscale reduced to 8-bit (scaled, not clipped)")
    elif im.mode == "F" and data.min() >= 0 and data.max() <= 1:
        scaled = data * 255.0
        notes.append("floating-point greyscale reduced to 8-bit")
    else:
        lo, hi = float(data.min()), float(data.max())
        scaled = (data - lo) * (255.0 / (hi - lo)) if hi > lo else np.zeros_like(data)
        notes.append(f"{im.mode} data with range {lo:g}–{hi:g} stretched to 8-bit")
    return Image.fromarray(np.clip(np.rint(scaled), 0, 255).astype(np.uint8), "L")


def _read_profile(icc: bytes, mode: str, notes: list[str]) -> ImageCms.ImageCmsProfile | None:
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        space = profile.profile.xcolor_space.strip().upper()
    except (OSError, ValueError, ImageCms.PyCMSError):
        notes.append("its colour profile is unreadable; converted assuming sRGB/standard values")
        return None
    if space != _SPACE_FOR_MODE[mode]:
        notes.append(f"its colour profile is for {space}, not {mode} pixels; ignored it")
        return None
    return profile


def _is_srgb(profile: ImageCms.ImageCmsProfile) -> bool:
    description = (profile.profile.profile_description or "").lower()
    return "srgb" in description or "iec61966-2" in description


def _colour_to_srgb(colour: Image.Image, icc: bytes | None, notes: list[str]) -> Image.Image:
    mode = colour.mode
    profile = _read_profile(icc, mode, notes) if icc else None
    if profile is not None and not (mode == "RGB" and _is_srgb(profile)):
        name = (profile.profile.profile_description or "embedded profile").strip()
        try:
            out = ImageCms.profileToProfile(
                colour, profile, srgb_profile(), renderingIntent=ImageCms.Intent.PERCEPTUAL, outputMode="RGB"
            )
        except ImageCms.PyCMSError as exc:
            notes.append(f"could not apply its colour profile ({exc}); converted without it")
        else:
            assert out is not None  # inPlace=False always returns an image
            notes.append(f"converted from {mode} '{name}' to sRGB using its ICC profile")
            return out
    if mode == "RGB":
        return colour
    if mode == "L":
        return colour.convert("RGB")
    if mode == "CMYK":
        notes.append(
            "CMYK without a usable colour profile: converted with the standard formula; "
            "colours may differ from print"
        )
        return _cmyk_to_rgb(colour)
    lab = ImageCms.createProfile("LAB")
    out = ImageCms.profileToProfile(colour, lab, srgb_profile(), outputMode="RGB")
    assert out is not None
    notes.append("converted from CIELab to sRGB")
    return out


def _cmyk_to_rgb(im: Image.Image) -> Image.Image:
    """R = 255·(1−C)(1−K) etc.: inks absorb multiplicatively (Pillow's own formula has varied by version)."""
    cmyk = np.asarray(im).astype(np.float64) / 255.0
    keep = 1.0 - cmyk[..., 3:4]
    rgb = 255.0 * (1.0 - cmyk[..., :3]) * keep
    return Image.fromarray(np.rint(rgb).astype(np.uint8), "RGB")
