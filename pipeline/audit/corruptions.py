"""ImageNet-C-style corruptions (Hendrycks & Dietterich 2019) for the registration calibration.

The published parameters at a given severity (1–5; 3 is the benchmark's middle, "moderate"),
re-implemented here on numpy / OpenCV / Pillow: the ``imagecorruptions`` package imports
``pkg_resources`` (gone from setuptools ≥ 82) and calls ``skimage.filters.gaussian`` with
``multichannel=``, removed in scikit-image 0.19, so it does not run beside this project.
Every function takes and returns (H, W, 3) uint8 RGB; the random ones take an explicit seed.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import cv2
import numpy as np
from PIL import Image
from skimage import color as skcolor

Corruption = Callable[[np.ndarray, int, int], np.ndarray]  # (rgb, severity, seed) → rgb


def _to_uint8(unit: np.ndarray) -> np.ndarray:
    return (np.clip(unit, 0.0, 1.0) * 255.0).round().astype(np.uint8)


def _unit(rgb: np.ndarray) -> np.ndarray:
    return rgb.astype(np.float32) / 255.0


def gaussian_noise(rgb: np.ndarray, severity: int = 3, seed: int = 0) -> np.ndarray:
    sigma = (0.08, 0.12, 0.18, 0.26, 0.38)[severity - 1]
    noise = np.random.default_rng(seed).normal(0.0, sigma, rgb.shape)
    return _to_uint8(_unit(rgb) + noise)


def shot_noise(rgb: np.ndarray, severity: int = 3, seed: int = 0) -> np.ndarray:
    photons = (60, 25, 12, 5, 3)[severity - 1]
    return _to_uint8(np.random.default_rng(seed).poisson(_unit(rgb) * photons) / photons)


def gaussian_blur(rgb: np.ndarray, severity: int = 3, seed: int = 0) -> np.ndarray:
    sigma = (1, 2, 3, 4, 6)[severity - 1]
    return cv2.GaussianBlur(rgb, (0, 0), sigma, borderType=cv2.BORDER_REFLECT)


def _disk(radius: float, alias_blur: float) -> np.ndarray:
    """A flat disk kernel (the defocused aperture), lightly anti-aliased."""
    reach = max(8, int(np.ceil(radius)))
    ys, xs = np.mgrid[-reach : reach + 1, -reach : reach + 1]
    disk = ((xs**2 + ys**2) <= radius**2).astype(np.float32)
    disk /= disk.sum()
    size = 3 if radius <= 8 else 5
    return cv2.GaussianBlur(disk, (size, size), alias_blur)


def defocus_blur(rgb: np.ndarray, severity: int = 3, seed: int = 0) -> np.ndarray:
    radius, alias = ((3, 0.1), (4, 0.5), (6, 0.5), (8, 0.5), (10, 0.5))[severity - 1]
    out = cv2.filter2D(_unit(rgb), -1, _disk(radius, alias), borderType=cv2.BORDER_REFLECT_101)
    return _to_uint8(out)


def zoom_blur(rgb: np.ndarray, severity: int = 3, seed: int = 0) -> np.ndarray:
    """The mean of the image and centre zooms of it up to 1.1–1.3× (radial blur, sharp centre)."""
    top = (1.11, 1.16, 1.21, 1.26, 1.31)[severity - 1]
    step = (0.01, 0.01, 0.02, 0.02, 0.03)[severity - 1]
    height, width = rgb.shape[:2]
    unit = _unit(rgb)
    total = unit.copy()
    factors = np.arange(1.0, top, step)
    for factor in factors:
        # Magnify about the centre: output pixel centre c maps to source (c − mid) / factor + mid.
        matrix = np.array(
            [[factor, 0, (1 - factor) * (width - 1) / 2], [0, factor, (1 - factor) * (height - 1) / 2]],
            np.float32,
        )
        total += cv2.warpAffine(unit, matrix, (width, height), flags=cv2.INTER_LINEAR)
    return _to_uint8(total / (len(factors) + 1))


def contrast(rgb: np.ndarray, severity: int = 3, seed: int = 0) -> np.ndarray:
    keep = (0.4, 0.3, 0.2, 0.1, 0.05)[severity - 1]
    unit = _unit(rgb)
    means = unit.mean(axis=(0, 1), keepdims=True)
    return _to_uint8((unit - means) * keep + means)


def _hsv_edit(rgb: np.ndarray, channel: int, edit: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    hsv = skcolor.rgb2hsv(_unit(rgb))
    hsv[..., channel] = np.clip(edit(hsv[..., channel]), 0.0, 1.0)
    return _to_uint8(skcolor.hsv2rgb(hsv))


def brightness(rgb: np.ndarray, severity: int = 3, seed: int = 0) -> np.ndarray:
    lift = (0.1, 0.2, 0.3, 0.4, 0.5)[severity - 1]
    return _hsv_edit(rgb, 2, lambda v: v + lift)


def saturate(rgb: np.ndarray, severity: int = 3, seed: int = 0) -> np.ndarray:
    gain, offset = ((0.3, 0.0), (0.1, 0.0), (2.0, 0.0), (5.0, 0.1), (20.0, 0.2))[severity - 1]
    return _hsv_edit(rgb, 1, lambda s: s * gain + offset)


def jpeg(rgb: np.ndarray, severity: int = 3, seed: int = 0) -> np.ndarray:
    quality = (25, 18, 15, 10, 7)[severity - 1]
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "JPEG", quality=quality)
    return np.asarray(Image.open(buffer).convert("RGB"))


def pixelate(rgb: np.ndarray, severity: int = 3, seed: int = 0) -> np.ndarray:
    factor = (0.6, 0.5, 0.4, 0.3, 0.25)[severity - 1]
    image = Image.fromarray(rgb)
    small = image.resize((int(image.width * factor), int(image.height * factor)), Image.Resampling.BOX)
    return np.asarray(small.resize(image.size, Image.Resampling.NEAREST))


def elastic(rgb: np.ndarray, severity: int = 3, seed: int = 0) -> np.ndarray:
    """A smooth random displacement field (uniform noise, Gaussian σ = 1 % of the size, × alpha):
    ~1–2 px of local wobble at 400 px, sampled bilinearly."""
    alpha = 250 * (0.05, 0.065, 0.085, 0.1, 0.12)[severity - 1]
    height, width = rgb.shape[:2]
    reach = height * 0.005
    rng = np.random.default_rng(seed)
    sigma = (height * 0.01, width * 0.01)

    def field() -> np.ndarray:
        noise = rng.uniform(-reach, reach, (height, width)).astype(np.float32)
        # truncate at 3σ like the reference implementation
        ksize = (2 * int(3 * sigma[1]) + 1, 2 * int(3 * sigma[0]) + 1)
        smooth = cv2.GaussianBlur(noise, ksize, sigma[1], sigmaY=sigma[0], borderType=cv2.BORDER_REFLECT)
        return smooth * alpha

    xs, ys = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    out = cv2.remap(_unit(rgb), xs + field(), ys + field(), cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    return _to_uint8(out)


def stretch(rgb: np.ndarray, severity: int = 3, seed: int = 0) -> np.ndarray:
    """Not ImageNet-C: the frame resized 2–8 % wider than tall (a wrong-aspect export)."""
    amount = (0.02, 0.03, 0.04, 0.06, 0.08)[severity - 1]
    height, width = rgb.shape[:2]
    return np.asarray(
        Image.fromarray(rgb).resize((round(width * (1 + amount)), height), Image.Resampling.LANCZOS)
    )


def rotate(rgb: np.ndarray, severity: int = 3, seed: int = 0) -> np.ndarray:
    """Not ImageNet-C: the frame turned 1–4° about its centre (a tilted re-shoot or scan), corners
    filled by reflection."""
    degrees = (1.0, 1.5, 2.0, 3.0, 4.0)[severity - 1]
    height, width = rgb.shape[:2]
    matrix = cv2.getRotationMatrix2D(((width - 1) / 2, (height - 1) / 2), degrees, 1.0)
    return cv2.warpAffine(rgb, matrix, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT)


CORRUPTIONS: dict[str, Corruption] = {
    "gaussian blur": gaussian_blur,
    "defocus blur": defocus_blur,
    "zoom blur": zoom_blur,
    "contrast": contrast,
    "gaussian noise": gaussian_noise,
    "shot noise": shot_noise,
    "elastic transform": elastic,
    "jpeg": jpeg,
    "brightness": brightness,
    "saturate": saturate,
    "pixelate": pixelate,
    "stretch": stretch,
    "rotate": rotate,
}
