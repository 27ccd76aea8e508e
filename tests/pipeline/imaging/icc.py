"""Tiny ICC v2 profiles written by hand, so the colour tests need no profile files.

littleCMS (via Pillow) only creates sRGB/Lab/XYZ profiles, so an Adobe RGB (1998) matrix/TRC
profile and a CMYK printer profile with an A2B0 lookup table are assembled here byte by byte
(ICC.1:2001-04 layout: 128-byte header, tag table, tag data aligned to 4 bytes).
"""

from __future__ import annotations

import itertools
import struct

import numpy as np

D50 = (0.9642, 1.0, 0.8249)
# Adobe RGB (1998) colorants adapted to D50 (Bradford), as in Adobe's own profile; gamma 563/256.
ADOBE_RGB_D50 = ((0.60974, 0.31111, 0.01947), (0.20528, 0.62567, 0.06087), (0.14919, 0.06322, 0.74457))
ADOBE_GAMMA = 563 / 256


def _s15(v: float) -> bytes:
    return struct.pack(">i", round(v * 65536))


def _xyz(v: tuple[float, float, float]) -> bytes:
    return b"XYZ \0\0\0\0" + b"".join(_s15(c) for c in v)


def _desc(text: str) -> bytes:
    ascii_ = text.encode("ascii") + b"\0"
    return b"desc\0\0\0\0" + struct.pack(">I", len(ascii_)) + ascii_ + b"\0" * 8 + b"\0\0\0" + b"\0" * 67


def _profile(device_class: bytes, space: bytes, pcs: bytes, tags: list[tuple[bytes, bytes]]) -> bytes:
    table_len = 4 + 12 * len(tags)
    offset = 128 + table_len
    entries, blobs = [], b""
    for sig, data in tags:
        data += b"\0" * (-len(data) % 4)
        entries.append(struct.pack(">4sII", sig, offset + len(blobs), len(data)))
        blobs += data
    body = struct.pack(">I", len(tags)) + b"".join(entries) + blobs
    size = 128 + len(body)
    header = (
        struct.pack(">I", size)
        + b"lcms"
        + struct.pack(">I", 0x02100000)
        + device_class
        + space
        + pcs
        + b"\0" * 12
        + b"acsp"
        + b"\0" * 24
        + struct.pack(">I", 0)
        + b"".join(_s15(c) for c in D50)
    )
    header += b"\0" * (128 - len(header))
    return header + body


def adobe_rgb_profile() -> bytes:
    """An Adobe RGB (1998)-compatible matrix/TRC profile."""
    curve = b"curv\0\0\0\0" + struct.pack(">IH", 1, round(ADOBE_GAMMA * 256))
    red, green, blue = ADOBE_RGB_D50
    return _profile(
        b"mntr",
        b"RGB ",
        b"XYZ ",
        [
            (b"desc", _desc("Adobe RGB (1998) test")),
            (b"wtpt", _xyz(D50)),
            (b"rXYZ", _xyz(red)),
            (b"gXYZ", _xyz(green)),
            (b"bXYZ", _xyz(blue)),
            (b"rTRC", curve),
            (b"gTRC", curve),
            (b"bTRC", curve),
        ],
    )


# Process inks as seen on coated paper, in sRGB: full cyan is a mid blue, not (0, 255, 255).
INKS_SRGB = {"c": (0, 158, 224), "m": (236, 0, 140), "y": (255, 241, 0), "k": (35, 31, 32)}


def _srgb_to_linear(v: np.ndarray) -> np.ndarray:
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)


def _linear_to_srgb(v: np.ndarray) -> np.ndarray:
    return np.where(v <= 0.0031308, v * 12.92, 1.055 * np.clip(v, 0, None) ** (1 / 2.4) - 0.055)


def press_srgb(c: int, m: int, y: int, k: int) -> np.ndarray:
    """The sRGB colour the test press prints for solid inks (0/1 each): inks multiply in linear light."""
    light = np.ones(3)
    for on, ink in zip((c, m, y, k), "cmyk", strict=True):
        if on:
            light = light * _srgb_to_linear(np.array(INKS_SRGB[ink]) / 255)
    return _linear_to_srgb(light) * 255


# sRGB (linear) → XYZ, Bradford-adapted to the D50 profile connection space.
_SRGB_TO_XYZ_D50 = np.array(
    [[0.4360747, 0.3850649, 0.1430804], [0.2225045, 0.7168786, 0.0606169], [0.0139322, 0.0971045, 0.7141733]]
)


def _srgb_to_lab_d50(rgb255: np.ndarray) -> np.ndarray:
    xyz = _SRGB_TO_XYZ_D50 @ _srgb_to_linear(rgb255 / 255) / np.array(D50)
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def cmyk_press_profile() -> bytes:
    """A 'prtr' CMYK → Lab profile: lut8 A2B0 with a 2-point grid over the solid-ink combinations."""
    clut = b""
    for corner in itertools.product((0, 1), repeat=4):  # first channel (C) varies slowest, as ICC requires
        lab = _srgb_to_lab_d50(press_srgb(*corner))
        clut += bytes([round(lab[0] * 255 / 100), round(lab[1] + 128), round(lab[2] + 128)])
    identity = bytes(range(256))
    lut = (
        b"mft1\0\0\0\0"
        + bytes([4, 3, 2, 0])
        + b"".join(_s15(v) for v in (1, 0, 0, 0, 1, 0, 0, 0, 1))
        + identity * 4
        + clut
        + identity * 3
    )
    return _profile(
        b"prtr",
        b"CMYK",
        b"Lab ",
        [
            (b"desc", _desc("keyart test press CMYK")),
            (b"wtpt", _xyz(D50)),
            (b"A2B0", lut),
        ],
    )
