"""The calibration set behind the audit tolerances: clean variants that must pass and single
perturbations that must fail on their own check (issue 4). Pure functions over images, used by
the tests and by ``bench/audit_confusion.py``; run it on a real campaign master to re-calibrate.

Clean variants are made the way the pipeline makes them: a crop of the spec's aspect centred on
the face, a Lanczos resize to the spec's pixels, export to the spec's format at quality 90
(lowered in steps of 5 only to meet a byte cap), or an expand (mirror fill) for the generated path.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from pipeline.audit import colorspace
from pipeline.audit.encoding import Encoding, probe
from pipeline.ops.base import Geometry
from pipeline.specs import ChannelSpec

EXPORT_QUALITY = 90


@dataclass(frozen=True)
class Variant:
    image: Image.Image  # decoded from ``data`` (a JPEG keeps its quantisation tables)
    data: bytes
    geometry: Geometry
    encoding: Encoding
    generated_mask: np.ndarray | None = None


def grainy_master(base: np.ndarray, size: int = 1024, sigma: float = 2.0, seed: int = 0) -> Image.Image:
    """A test master with texture: ``base`` resized to ``size`` plus mild monochrome grain."""
    image = Image.fromarray(base).convert("RGB").resize((size, size), Image.Resampling.LANCZOS)
    grain = np.random.default_rng(seed).normal(0.0, sigma, (size, size, 1))
    return Image.fromarray(np.clip(np.asarray(image, np.float32) + grain, 0, 255).round().astype(np.uint8))


def soften_like_master(image: Image.Image, factor: int = 2, sigma: float = 2.0, seed: int = 2) -> Image.Image:
    """A donor photo given the test master's look (down- then up-sampled, mild grain), so that a
    pasted face differs in identity, not in sharpness."""
    small = image.convert("RGB").reduce(factor)
    big = small.resize(image.size, Image.Resampling.LANCZOS)
    grain = np.random.default_rng(seed).normal(0.0, sigma, (image.height, image.width, 1))
    return Image.fromarray(np.clip(np.asarray(big, np.float32) + grain, 0, 255).round().astype(np.uint8))


def crop_box(
    master_size: tuple[int, int], aspect: float, centre: tuple[float, float], stretch: float = 1.0
) -> tuple[float, float, float, float]:
    """The largest box of ``aspect`` (÷ ``stretch``) inside the master, centred on ``centre`` if it fits."""
    mw, mh = master_size
    aspect = aspect / stretch
    w, h = (float(mw), mw / aspect) if aspect >= mw / mh else (mh * aspect, float(mh))
    left = min(max(centre[0] - w / 2, 0.0), mw - w)
    top = min(max(centre[1] - h / 2, 0.0), mh - h)
    return (left, top, left + w, top + h)


def export(image: Image.Image, spec: ChannelSpec, quality: int = EXPORT_QUALITY) -> bytes:
    """Encode like the export op: spec format, quality lowered by 5 until under the byte cap."""
    while True:
        buffer = io.BytesIO()
        fmt = {"jpeg": "JPEG", "webp": "WEBP", "png": "PNG"}[spec.format]
        image.save(buffer, fmt, **({} if fmt == "PNG" else {"quality": quality}))
        if spec.max_bytes is None or buffer.tell() <= spec.max_bytes or quality <= 30:
            return buffer.getvalue()
        quality -= 5


RESAMPLERS = ("lanczos", "bicubic", "reduce", "cv2")


def resize(
    image: Image.Image,
    size: tuple[int, int],
    box: tuple[float, float, float, float],
    resample: str = "lanczos",
) -> Image.Image:
    """The crop-and-resize step, with the resamplers other tools use (to calibrate against them too):
    Pillow Lanczos (keyart's), Pillow bicubic, Pillow Lanczos with ``reducing_gap=2``, and OpenCV
    (INTER_AREA down, INTER_CUBIC up) on the integer-rounded crop."""
    if resample == "lanczos":
        return image.resize(size, Image.Resampling.LANCZOS, box=box)
    if resample == "bicubic":
        return image.resize(size, Image.Resampling.BICUBIC, box=box)
    if resample == "reduce":
        return image.resize(size, Image.Resampling.LANCZOS, box=box, reducing_gap=2.0)
    if resample == "cv2":
        crop = np.asarray(image)[round(box[1]) : round(box[3]), round(box[0]) : round(box[2])]
        down = size[0] < crop.shape[1]
        return Image.fromarray(
            cv2.resize(crop, size, interpolation=cv2.INTER_AREA if down else cv2.INTER_CUBIC)
        )
    raise ValueError(f"unknown resampler {resample!r}")


def _decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def clean_variant(
    master: Image.Image,
    spec: ChannelSpec,
    centre: tuple[float, float],
    *,
    stretch: float = 1.0,
    pixels: Callable[[np.ndarray], np.ndarray] | None = None,
    resample: str = "lanczos",
) -> Variant:
    """Crop + resize + export; ``pixels`` perturbs the resized image before export."""
    box = crop_box(master.size, spec.aspect_ratio, centre, stretch)
    resized = resize(master.convert("RGB"), spec.size, box, resample)
    if pixels is not None:
        resized = Image.fromarray(pixels(np.asarray(resized)))
    data = export(resized, spec)
    return Variant(_decode(data), data, Geometry(box, spec.size, master.size), probe(data))


def expand_variant(
    master: Image.Image, spec: ChannelSpec, fill: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None
) -> Variant:
    """A wider-than-master spec by expanding: the whole master height, sides mirror-filled
    (a crude outpaint that keeps the master's grain); ``fill`` may replace the generated pixels."""
    mw, mh = master.size
    width = mh * spec.aspect_ratio
    pad = (width - mw) / 2
    box = (-pad, 0.0, mw + pad, float(mh))
    arr = np.asarray(master.convert("RGB"))
    p = int(np.ceil(pad)) + 2
    padded = Image.fromarray(np.pad(arr, ((0, 0), (p, p), (0, 0)), mode="symmetric"))
    resized = np.asarray(
        padded.resize(spec.size, Image.Resampling.LANCZOS, box=(box[0] + p, 0, box[2] + p, mh))
    )
    geometry = Geometry(box, spec.size, master.size)
    from pipeline.audit.align import inside_mask

    generated = ~inside_mask(geometry)
    if fill is not None:
        resized = fill(resized.copy(), generated)
    data = export(Image.fromarray(resized), spec)
    return Variant(_decode(data), data, geometry, probe(data), generated)


# ---------------------------------------------------------------- pixel perturbations (variant stage)


def lift_blacks(rgb: np.ndarray, amount: float = 0.03) -> np.ndarray:
    return np.clip(amount * 255 + (1 - amount) * rgb.astype(np.float32), 0, 255).round().astype(np.uint8)


def crush_whites(rgb: np.ndarray, amount: float = 0.03) -> np.ndarray:
    return np.clip((1 - amount) * rgb.astype(np.float32), 0, 255).round().astype(np.uint8)


def add_grain(rgb: np.ndarray, sigma: float = 4.0, seed: int = 1) -> np.ndarray:
    noise = np.random.default_rng(seed).normal(0.0, sigma, (*rgb.shape[:2], 1))
    return np.clip(rgb.astype(np.float32) + noise, 0, 255).round().astype(np.uint8)


def denoise(rgb: np.ndarray) -> np.ndarray:
    """Heavy non-local-means denoise (h = 10), the look of an over-cleaned render."""
    return cv2.fastNlMeansDenoisingColored(np.ascontiguousarray(rgb), None, 10, 10, 7, 21)


def blur(rgb: np.ndarray, sigma: float = 1.5) -> np.ndarray:
    return cv2.GaussianBlur(rgb, (0, 0), sigma, borderType=cv2.BORDER_REFLECT)


def cct_to_xy(kelvin: float) -> tuple[float, float]:
    """Planckian locus chromaticity (Kang et al. 2002 cubic fit, 1667–25000 K)."""
    t = kelvin
    x = (
        (-3.0258469e9 / t**3 + 2.1070379e6 / t**2 + 0.2226347e3 / t + 0.24039)
        if t > 4000
        else (-0.2661239e9 / t**3 - 0.2343589e6 / t**2 + 0.8776956e3 / t + 0.179910)
    )
    if t <= 2222:
        y = -1.1063814 * x**3 - 1.34811020 * x**2 + 2.18555832 * x - 0.20219683
    elif t <= 4000:
        y = -0.9549476 * x**3 - 1.37418593 * x**2 + 2.09137015 * x - 0.16748867
    else:
        y = 3.0817580 * x**3 - 5.87338670 * x**2 + 3.75112997 * x - 0.37001483
    return (x, y)


def _xy_to_linear_rgb(xy: tuple[float, float]) -> np.ndarray:
    x, y = xy
    xyz = np.array([x / y, 1.0, (1 - x - y) / y])
    return np.linalg.solve(colorspace._SRGB_TO_XYZ, xyz)


def _relight(rgb: np.ndarray, from_k: float, to_k: float) -> np.ndarray:
    gains = _xy_to_linear_rgb(cct_to_xy(to_k)) / _xy_to_linear_rgb(cct_to_xy(from_k))
    gains /= gains @ np.array([0.2126, 0.7152, 0.0722])  # keep the luminance of grey
    return colorspace.to_encoded(colorspace.to_linear(rgb) * gains)


def shift_white_balance(rgb: np.ndarray, kelvin: float = 300.0) -> np.ndarray:
    """Re-light the image (von Kries gains in linear sRGB along the Planckian locus) so that its
    grey-world McCamy CCT — what the audit measures — moves by ``kelvin`` (±3 K)."""
    now = colorspace.grey_world_cct(rgb)
    step, out = kelvin, rgb
    for _ in range(8):
        out = _relight(rgb, now, now + step)
        got = colorspace.grey_world_cct(out) - now
        if abs(got - kelvin) <= 3.0 or got == 0:
            break
        step *= kelvin / got
    return out


def shift_tint(rgb: np.ndarray, delta_duv: float = 0.006) -> np.ndarray:
    """A green (+) / magenta (−) cast: green gain at constant grey luminance until the grey-world
    Duv moves by ``delta_duv``."""
    lin = colorspace.to_linear(rgb)
    start = colorspace.grey_world_white(lin)[1]
    gain, out = 1.0 + 2.0 * delta_duv / 0.006 * 0.02, rgb
    for _ in range(8):
        gains = np.array([1.0, gain, 1.0])
        gains /= gains @ np.array([0.2126, 0.7152, 0.0722])
        out = colorspace.to_encoded(lin * gains)
        got = colorspace.grey_world_white(colorspace.to_linear(out))[1] - start
        if abs(got - delta_duv) <= 0.0002 or got == 0:
            break
        gain = 1.0 + (gain - 1.0) * delta_duv / got
    return out
