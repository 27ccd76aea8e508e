"""Fill calibration on real photos (issue 13): good fills that must pass, injected fill defects that
must fail on the check they belong to. Pure functions over images, used by the tests and by
``bench/audit_confusion.py --fills``.

Photos (all offline): scikit-image ``astronaut``, ``coffee``, ``chelsea``, ``rocket``,
``stereo_motorcycle()[0]`` and matplotlib's ``grace_hopper.jpg``, at their own sizes (framing and
fills are judged on the originals; the ops upscale to the spec).

* Good: plain crops (``fit`` choosing a crop), small classical continuations — the real ``fit`` /
  ``expand`` op at moderate expansion over low-structure edges (backdrop, wall, sky, blurred
  background; chosen by looking at them, listed in ``CONTINUATIONS``) — and designed panels
  (calibration_design.py).
* Defects, injected into those continuations' generated bands after the op, before export:
  ``flat fill`` (one colour, the neighbouring photo band's mean), ``blur smear`` (the edge row
  stretched out and blurred), ``hue-shifted fill`` (the continuation hue-rotated 40° in CIELAB),
  ``mirrored subject`` (the photo mirrored across the seam), ``tiled patch`` (the continuation's
  colours with the busiest patch of the photo's texture beside the seam repeated over it).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np
from PIL import Image

from pipeline.audit import calibration as cal
from pipeline.audit.encoding import probe
from pipeline.audit.fills import edge_bands
from pipeline.ops.base import Geometry, OpContext, OpInputs, OpResult
from pipeline.specs import get_spec

PHOTOS = ("astronaut", "coffee", "chelsea", "rocket", "motorcycle", "grace_hopper")


@cache
def photo(name: str) -> Image.Image:
    """One of the calibration photos, RGB, at its own size."""
    from matplotlib import cbook
    from skimage import data

    if name == "grace_hopper":
        with Image.open(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)) as image:
            return image.convert("RGB")
    if name == "motorcycle":
        return Image.fromarray(data.stereo_motorcycle()[0])
    if name not in PHOTOS:
        raise ValueError(f"unknown calibration photo {name!r}; one of {', '.join(PHOTOS)}")
    return Image.fromarray(getattr(data, name)())


@dataclass(frozen=True)
class FillCase:
    master: str
    spec: str
    op: str = "fit"  # fit | expand
    align: str = "center"  # expand only

    @property
    def label(self) -> str:
        return f"{self.master} {self.spec}" + (f" expand/{self.align}" if self.op == "expand" else "")


# Moderate expansion over low-structure edges (generated share, the edge it continues).
CONTINUATIONS: tuple[FillCase, ...] = (
    FillCase("grace_hopper", "meta-feed-square"),  # 6 %: blue backdrop right, flag edge left
    FillCase("grace_hopper", "meta-feed-portrait"),  # 6 %: backdrop above, uniform below
    FillCase("grace_hopper", "meta-feed-square", "expand"),  # 15 %: both sides, backdrop and flag
    FillCase("grace_hopper", "meta-feed-portrait", "expand", "top"),  # 6 % below the uniform
    FillCase("astronaut", "iab-half-page"),  # 8 %: the wall above her hair
    FillCase("chelsea", "landing-hero"),  # 7 %: the blurred room right of the cat
    FillCase("chelsea", "landing-hero", "expand"),  # 15 %: fur (left) and blurred room (right)
    FillCase("chelsea", "youtube-thumbnail", "expand"),
    FillCase("rocket", "iab-medium-rectangle", "expand", "bottom"),  # 20 % night sky above
    FillCase("motorcycle", "meta-feed-square"),  # 3 % concrete floor below
)

# The missed smears: classical continuations too deep for what they continue.
SMEARS: tuple[FillCase, ...] = (
    FillCase("motorcycle", "story"),  # top 29 %: a brown smear with a white blob
    FillCase("astronaut", "iab-wide-skyscraper"),  # lower third: flat mush
)


def run_op(case: FillCase) -> OpResult:
    """The real classical op on the photo, at the spec's size."""
    from pipeline.ops.expand import ExpandParams, expand
    from pipeline.ops.fit import FitParams, fit

    master = photo(case.master)
    spec = get_spec(case.spec)
    ctx = OpContext(seed=7, spec=spec, cache={})
    inputs = OpInputs(master, master, Geometry.identity(master.size))
    if case.op == "expand":
        return expand(inputs, ExpandParams(spec=case.spec, align=case.align), ctx)
    return fit(inputs, FitParams(spec=case.spec), ctx)


def variant(case: FillCase, defect: str | None = None) -> cal.Variant:
    """The op's result (``defect`` injected into its generated bands), exported like the export op."""
    result = run_op(case)
    rgb = np.asarray(result.image.convert("RGB"))
    generated = None if result.generated_mask is None else result.generated_mask > 0.5
    if defect is not None:
        if generated is None or not generated.any():
            raise ValueError(f"{case.label}: nothing generated to inject {defect!r} into")
        rgb = DEFECTS[defect][1](rgb.copy(), generated)
    data = cal.export(Image.fromarray(rgb), get_spec(case.spec))
    image = Image.open(io.BytesIO(data))
    image.load()
    return cal.Variant(image, data, result.geometry, probe(data), generated)


# ------------------------------------------------------------------ defects (band by band)


def _sides(generated: np.ndarray) -> dict[str, int]:
    return {side: t for side, t in edge_bands(generated, None).items() if t >= 3}


def _turn(a: np.ndarray, side: str) -> np.ndarray:
    """A view of ``a`` with ``side``'s band on top (writes go through to ``a``)."""
    if side in ("left", "right"):
        a = np.swapaxes(a, 0, 1)
    return a[::-1] if side in ("bottom", "right") else a


def flat_fill(rgb: np.ndarray, generated: np.ndarray) -> np.ndarray:
    """Each band one colour: the mean of the photo band of the same depth beside it."""
    for side, t in _sides(generated).items():
        view = _turn(rgb, side)
        depth = max(1, min(t, (view.shape[0] - t) // 2))
        view[:t] = view[t : t + depth].reshape(-1, 3).mean(axis=0).round().astype(np.uint8)
    return rgb


def blur_smear(rgb: np.ndarray, generated: np.ndarray) -> np.ndarray:
    """The photo's edge row stretched across each band and blurred (σ = 10 % of the frame's side)."""
    sigma = max(3.0, 0.1 * min(rgb.shape[:2]))
    for side, t in _sides(generated).items():
        view = _turn(rgb, side)
        band = np.repeat(view[t : t + 1].astype(np.float32), t, axis=0)
        view[:t] = np.clip(cv2.GaussianBlur(band, (0, 0), sigma), 0, 255).round().astype(np.uint8)
    return rgb


def hue_shift(rgb: np.ndarray, generated: np.ndarray, degrees: float = 40.0) -> np.ndarray:
    """The generated pixels' hue rotated in CIELAB (L* and chroma kept)."""
    from skimage.color import lab2rgb, rgb2lab

    lab = rgb2lab(rgb[generated][None])[0]
    angle = np.deg2rad(degrees)
    a, b = lab[:, 1].copy(), lab[:, 2].copy()
    lab[:, 1], lab[:, 2] = a * np.cos(angle) - b * np.sin(angle), a * np.sin(angle) + b * np.cos(angle)
    rgb[generated] = (np.clip(lab2rgb(lab[None])[0], 0, 1) * 255).round().astype(np.uint8)
    return rgb


def mirror_subject(rgb: np.ndarray, generated: np.ndarray) -> np.ndarray:
    """Each band the photo mirrored across its seam (what a careless outpaint repeats)."""
    for side, t in _sides(generated).items():
        view = _turn(rgb, side)
        rows = view.shape[0] - t
        index = np.arange(t)[::-1] % (2 * rows)
        view[:t] = view[t:][np.where(index >= rows, 2 * rows - 1 - index, index)]
    return rgb


def tiled_patch(rgb: np.ndarray, generated: np.ndarray) -> np.ndarray:
    """Each band's colours (σ6 low-pass) with one patch of the photo's texture tiled over them."""
    source = rgb.astype(np.float32)
    low = cv2.GaussianBlur(source, (0, 0), 6.0)
    out = source.copy()
    for side, t in _sides(generated).items():
        view, base, src = _turn(out, side), _turn(low, side), _turn(source, side)
        size = min(int(np.clip(t // 2, 12, 96)), src.shape[0] - t)
        x0 = _busiest(src[t : t + size], size)
        patch = np.ascontiguousarray(src[t : t + size, x0 : x0 + size])
        texture = patch - cv2.GaussianBlur(patch, (0, 0), 6.0)
        tiles = np.tile(texture, (-(-t // size), -(-src.shape[1] // size), 1))
        view[:t] = base[:t] + tiles[:t, : src.shape[1]]
    return np.clip(out, 0, 255).round().astype(np.uint8)


def _busiest(strip: np.ndarray, size: int) -> int:
    """Left edge of the ``size``-wide square of ``strip`` with the most texture (what shows repeated)."""
    grey = strip.mean(axis=2)
    energy = np.abs(np.diff(grey, axis=1)).sum(axis=0)
    window = np.convolve(energy, np.ones(size), mode="valid")
    return int(np.argmax(window)) if window.size else 0


Defect = Callable[[np.ndarray, np.ndarray], np.ndarray]
# name → (the check that must catch it, how it is made)
DEFECTS: dict[str, tuple[str, Defect]] = {
    "flat fill": ("texture", flat_fill),
    "blur smear": ("texture", blur_smear),
    "hue-shifted fill": ("color", hue_shift),
    "mirrored subject": ("texture", mirror_subject),
    "tiled patch": ("texture", tiled_patch),
}
