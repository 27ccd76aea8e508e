"""Fill calibration on real photos (issue 13): good fills that must pass, injected fill defects that
must fail on the check they belong to. Pure functions over images, used by the tests and by
``bench/audit_confusion.py --fills``.

Photos (all offline): scikit-image ``astronaut``, ``coffee``, ``chelsea``, ``rocket``,
``stereo_motorcycle()[0]`` and matplotlib's ``grace_hopper.jpg``, at their own sizes (framing and
fills are judged on the originals; the ops upscale to the spec).

* Good: plain crops (the real ``fit`` choosing a crop), small classical continuations — the real
  ``expand`` op, or a window drawn by the engine `fit` draws its expansions with, at moderate
  expansion over low-structure edges (backdrop, wall, sky, blurred background; chosen by looking
  at them, listed in ``CONTINUATIONS``) — and designed panels (calibration_design.py: the real
  ``fit`` layouts with the real ``brand`` copy, and panels composed here for the design defects).
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
    """One classical continuation: the ``expand`` op (with ``align``), or — ``box`` given — the
    window of the photo (master px, reaching outside it) drawn by the engine `fit` and `expand`
    share (``render_window``), as `fit` draws an expansion it chose."""

    master: str
    spec: str
    align: str = "center"
    box: tuple[float, float, float, float] | None = None

    @property
    def label(self) -> str:
        return f"{self.master} {self.spec} " + ("window" if self.box else f"expand/{self.align}")


# Moderate expansion over low-structure edges (generated share, the edge it continues).
CONTINUATIONS: tuple[FillCase, ...] = (
    FillCase("grace_hopper", "meta-feed-square", box=(-5.0, 20.0, 537.1, 562.1)),  # 6 %: backdrop right
    FillCase("grace_hopper", "meta-feed-portrait", box=(0.0, -39.8, 512.0, 600.0)),  # 6 %: backdrop above
    FillCase("grace_hopper", "meta-feed-square"),  # 15 %: both sides, backdrop and flag
    FillCase("grace_hopper", "meta-feed-portrait", "top"),  # 6 % below the uniform
    FillCase("astronaut", "iab-half-page", box=(117.0, -41.7, 395.3, 514.8)),  # 8 %: the wall above her
    FillCase("chelsea", "landing-hero", box=(0.0, 13.0, 487.0, 287.0)),  # 7 %: the blurred room right
    FillCase("chelsea", "landing-hero"),  # 15 %: fur (left) and blurred room (right)
    FillCase("chelsea", "youtube-thumbnail"),
    FillCase("rocket", "iab-medium-rectangle", "bottom"),  # 20 % night sky above
    FillCase("motorcycle", "meta-feed-square", box=(113.6, 0.0, 627.4, 513.8)),  # 3 % concrete floor
)

# The missed smears, as keyart's `fit` drew them before it chose layouts for such frames.
SMEARS: tuple[FillCase, ...] = (
    FillCase("motorcycle", "story", box=(114.3, -263.7, 625.7, 645.4)),  # top 29 %: brown smear, white blob
    FillCase("astronaut", "iab-wide-skyscraper", box=(116.7, -205.5, 395.3, 839.5)),  # lower third: mush
)


def run_op(case: FillCase) -> OpResult:
    """The classical continuation at the spec's size: the ``expand`` op, or the window as `fit` draws it."""
    from pipeline.engines.classical.pyramid import pyramid_for
    from pipeline.engines.classical.render import render_window
    from pipeline.ops.expand import ExpandParams, expand

    master = photo(case.master)
    spec = get_spec(case.spec)
    ctx = OpContext(seed=7, spec=spec, cache={})
    inputs = OpInputs(master, master, Geometry.identity(master.size))
    if case.box is None:
        return expand(inputs, ExpandParams(spec=case.spec, align=case.align), ctx)
    drawn = render_window(pyramid_for(master, ctx.cache), case.box, spec.size, rng=ctx.rng())
    geometry = inputs.geometry.then_crop(drawn.box, spec.size)
    return OpResult(drawn.image, geometry, seed=ctx.seed, generated_mask=drawn.generated)


@cache
def fitted(master: str, spec: str) -> tuple[OpResult, cal.Variant]:
    """The real `fit` on the photo (it chooses crop, expansion or layout), exported like the export op."""
    from pipeline.ops.fit import FitParams, fit

    image = photo(master)
    ctx = OpContext(seed=7, spec=get_spec(spec), cache={})
    result = fit(OpInputs(image, image, Geometry.identity(image.size)), FitParams(spec=spec), ctx)
    return result, _export(result, get_spec(spec).name)


def _export(result: OpResult, spec: str, rgb: np.ndarray | None = None) -> cal.Variant:
    """``rgb`` (default: the op's pixels) encoded like the export op, with the op's geometry and mask."""
    pixels = np.asarray(result.image.convert("RGB")) if rgb is None else rgb
    data = cal.export(Image.fromarray(pixels), get_spec(spec))
    image = Image.open(io.BytesIO(data))
    image.load()
    generated = None if result.generated_mask is None else result.generated_mask > 0.5
    return cal.Variant(image, data, result.geometry, probe(data), generated)


def variant(case: FillCase, defect: str | None = None) -> cal.Variant:
    """The op's result (``defect`` injected into its generated bands), exported like the export op."""
    result = run_op(case)
    rgb = np.asarray(result.image.convert("RGB"))
    generated = None if result.generated_mask is None else result.generated_mask > 0.5
    if defect is not None:
        if generated is None or not generated.any():
            raise ValueError(f"{case.label}: nothing generated to inject {defect!r} into")
        rgb = DEFECTS[defect][1](rgb.copy(), generated)
    return _export(result, case.spec, rgb)


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
