"""Outside files for the registration calibration (issue 13): crops of real photos, degraded
ImageNet-C-style (pipeline/audit/corruptions.py, severity 3) or merely re-encoded / nudged.

A degraded crop must register and then fail on the check its damage belongs to; a good crop
(JPEG q85–95, a 1 px shift, a 2 % different size) must pass. Files are JPEG q90 like most
delivered files, so the audit reads their encoding from the header like any outside file.
Used by bench/audit_registration.py and tests/pipeline/audit/test_audit_registration.py.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from matplotlib import cbook
from PIL import Image
from skimage import data

from pipeline.audit import corruptions

Box = tuple[float, float, float, float]
PHOTOS = ("astronaut", "coffee", "chelsea", "rocket", "motorcycle", "grace_hopper")
FILE_QUALITY = 90


def photo(name: str) -> Image.Image:
    """One of the calibration photos, shipped with scikit-image or matplotlib (nothing downloaded)."""
    if name == "motorcycle":
        return Image.fromarray(data.stereo_motorcycle()[0])
    if name == "grace_hopper":
        with Image.open(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)) as opened:
            return opened.convert("RGB")
    return Image.fromarray(getattr(data, name)()).convert("RGB")


@dataclass(frozen=True)
class Crop:
    """A crop of ``aspect`` covering ``share`` of the largest such box, centred at ``centre``
    (fractions of the free room), resized by ``scale`` (output px per master px)."""

    name: str
    aspect: float
    share: float
    scale: float
    centre: tuple[float, float] = (0.5, 0.5)

    def box(self, size: tuple[int, int], shift: tuple[float, float] = (0.0, 0.0)) -> Box:
        mw, mh = size
        w, h = (mw, mw / self.aspect) if mw / self.aspect <= mh else (mh * self.aspect, mh)
        w, h = w * self.share, h * self.share
        left = (mw - w) * self.centre[0] + shift[0]
        top = (mh - h) * self.centre[1] + shift[1]
        return (left, top, left + w, top + h)


CROPS = (
    Crop("4:5 at 1×", 0.8, 0.96, 1.0),  # room for the 1 px shifts
    Crop("16:9 at 0.75×", 16 / 9, 0.9, 0.75, (0.4, 0.55)),
    Crop("1:1 at 1.5×", 1.0, 0.6, 1.5, (0.55, 0.45)),
)

# The check each corruption's damage belongs to.
EXPECTED = {
    "gaussian blur": "texture",
    "defocus blur": "texture",
    "zoom blur": "texture",
    "pixelate": "texture",
    "jpeg": "texture",
    "gaussian noise": "texture",
    "shot noise": "texture",
    "contrast": "luminance",
    "brightness": "luminance",
    "saturate": "color",
    # ImageNet-C's elastic warp at severity 3 is a fine wobble (1.7 px RMS, correlation length 1 %
    # of the frame): the detail no longer lines up, which the texture check's detail correlation sees
    "elastic transform": "texture",
    # the geometry is wrong: the frame check (subject) sees it
    "stretch": "subject",
    "rotate": "subject",
}


@dataclass(frozen=True)
class OutsideFile:
    data: bytes
    box: Box  # the true crop box in master px (before any damage)
    size: tuple[int, int]


def _encode(rgb: np.ndarray, quality: int) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def _cut(
    master: Image.Image, crop: Crop, shift: tuple[float, float] = (0.0, 0.0), resize: float = 1.0
) -> tuple[np.ndarray, Box]:
    box = crop.box(master.size, shift)
    size = (round((box[2] - box[0]) * crop.scale * resize), round((box[3] - box[1]) * crop.scale * resize))
    return np.asarray(master.convert("RGB").resize(size, Image.Resampling.LANCZOS, box=box)), box


def degraded(master: Image.Image, crop: Crop, corruption: str, seed: int = 0) -> OutsideFile:
    rgb, box = _cut(master, crop)
    damaged = corruptions.CORRUPTIONS[corruption](np.ascontiguousarray(rgb), 3, seed)
    return OutsideFile(_encode(damaged, FILE_QUALITY), box, (rgb.shape[1], rgb.shape[0]))


GOOD: dict[str, Callable[[Image.Image, Crop], OutsideFile]] = {}


def _good(
    name: str, quality: int = FILE_QUALITY, shift: tuple[float, float] = (0, 0), resize: float = 1.0
) -> None:
    def make(master: Image.Image, crop: Crop) -> OutsideFile:
        rgb, box = _cut(master, crop, shift, resize)
        return OutsideFile(_encode(rgb, quality), box, (rgb.shape[1], rgb.shape[0]))

    GOOD[name] = make


for _q in (85, 92, 95):
    _good(f"JPEG q{_q}", quality=_q)
for _dx, _dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
    _good(f"shifted {_dx:+d},{_dy:+d} px", shift=(_dx, _dy))
_good("2% smaller", resize=0.98)
_good("2% larger", resize=1.02)


def resaved(master: Image.Image, crop: Crop, first: int, second: int) -> OutsideFile:
    """A good crop saved at ``first`` and re-saved at ``second`` (a delivered file someone re-saved):
    the audit encodes the reference once, with the last encoder's tables."""
    rgb, box = _cut(master, crop)
    once = Image.open(io.BytesIO(_encode(rgb, first))).convert("RGB")
    return OutsideFile(_encode(np.asarray(once), second), box, (rgb.shape[1], rgb.shape[0]))
