"""Outpainting engine: original pixels bit-identical, no seam, no streaks, grain matched, seeded."""

from __future__ import annotations

import numpy as np
import pytest
from skimage import data

from pipeline.engines.classical.outpaint import IntBox, estimate_grain, expand_canvas

# Seam bound: the mean grey step across the border may exceed the mean step between neighbouring
# columns (rows) just inside the original by at most 50 % plus 1 grey level (room for grain).
SEAM_RATIO, SEAM_SLACK = 1.5, 1.0


def _grey(a: np.ndarray) -> np.ndarray:
    return a.astype(np.float32).mean(axis=2)


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def _image(name: str) -> np.ndarray:
    return np.asarray(getattr(data, name)())


BOXES: list[tuple[str, IntBox]] = [
    ("right", (0, 0, 700, 512)), ("left+right", (-150, 0, 662, 512)), ("top+bottom", (0, -200, 512, 700)),
    ("all sides", (-40, -60, 560, 580)), ("crop+pad", (100, -100, 400, 600)),
]


@pytest.mark.parametrize(("label", "box"), BOXES, ids=[b[0] for b in BOXES])
def test_original_pixels_are_bit_identical(label: str, box: IntBox) -> None:
    image = _image("astronaut")
    canvas, generated = expand_canvas(image, box, rng=_rng())
    assert canvas.shape == (box[3] - box[1], box[2] - box[0], 3) and canvas.dtype == np.uint8
    x0, y0 = max(0, -box[0]), max(0, -box[1])
    src = image[max(0, box[1]) : min(512, box[3]), max(0, box[0]) : min(512, box[2])]
    h, w = src.shape[:2]
    assert np.array_equal(canvas[y0 : y0 + h, x0 : x0 + w], src)
    expected = np.ones(canvas.shape[:2], bool)
    expected[y0 : y0 + h, x0 : x0 + w] = False
    assert np.array_equal(generated, expected)


def _seam_steps(canvas: np.ndarray, edge: int, axis: int) -> tuple[float, float]:
    """Mean |step| across the border at index ``edge`` (first generated) and just inside the original."""
    g = _grey(canvas) if axis == 1 else _grey(canvas).T
    across = float(np.abs(g[:, edge] - g[:, edge - 1]).mean())
    inside = float(np.abs(np.diff(g[:, edge - 9 : edge], axis=1)).mean())
    return across, inside


@pytest.mark.parametrize("name", ["astronaut", "coffee", "chelsea"])
def test_no_seam_at_the_border(name: str) -> None:
    image = _image(name)
    h, w = image.shape[:2]
    wide, _ = expand_canvas(image, (0, 0, w + w // 2, h), rng=_rng())
    tall, _ = expand_canvas(image, (0, 0, w, h + h // 2), rng=_rng())
    for canvas, edge, axis in ((wide, w, 1), (tall, h, 0)):
        across, inside = _seam_steps(canvas, edge, axis)
        assert across <= SEAM_RATIO * inside + SEAM_SLACK, (name, axis, across, inside)
        # No hard edge a little further out either (where the mirror band hands over to the fill).
        g = _grey(canvas) if axis == 1 else _grey(canvas).T
        steps = np.abs(np.diff(g[:, edge : edge + 40], axis=1)).mean(axis=0)
        assert steps.max() <= 2 * inside + 2 * SEAM_SLACK, (name, axis, steps.max(), inside)
    # The bound can fail: a flat fill with the image's mean colour leaves a visible edge.
    flat = wide.copy()
    flat[:, w:] = image.reshape(-1, 3).mean(axis=0)
    across, inside = _seam_steps(flat, w, 1)
    assert across > SEAM_RATIO * inside + SEAM_SLACK


def test_large_areas_fade_without_streaks() -> None:
    image = _image("astronaut")
    canvas, _ = expand_canvas(image, (0, 0, 1024, 512), rng=_rng(), grain=False)
    far = _grey(canvas)[:, 640:]
    inside_dy = np.abs(np.diff(_grey(image), axis=0)).mean()
    # Smearing the border outwards leaves horizontal streaks: steps between rows stay large.
    assert np.abs(np.diff(far, axis=0)).mean() < 0.05 * inside_dy
    smeared = _grey(np.repeat(image[:, -1:], 384, axis=1))
    assert np.abs(np.diff(smeared, axis=0)).mean() > 0.05 * inside_dy
    # It continues the border's colours rather than inventing one: close to the right edge's mean.
    assert np.abs(canvas[:, -1].mean(axis=0) - image[:, -64:].reshape(-1, 3).mean(axis=0)).max() < 40


def test_grain_matches_the_master() -> None:
    rng = np.random.default_rng(3)
    ramp = np.linspace(60, 190, 256, dtype=np.float32)[None, :, None] * np.ones((256, 1, 3), np.float32)
    master = np.clip(ramp + rng.normal(0, 5, ramp.shape) + 0.5, 0, 255).astype(np.uint8)
    sigma = estimate_grain(master)
    assert sigma == pytest.approx([5, 5, 5], rel=0.15)
    grainy, _ = expand_canvas(master, (-256, 0, 512, 256), rng=_rng())
    plain, _ = expand_canvas(master, (-256, 0, 512, 256), rng=_rng(), grain=False)
    far = slice(0, 200)  # well beyond the mirrored band at the left
    ratio = estimate_grain(grainy[:, far]) / sigma
    assert np.all((ratio > 0.7) & (ratio < 1.4)), ratio
    assert np.all(estimate_grain(plain[:, far]) / sigma < 0.3)  # without grain the fill is visibly smooth


@pytest.mark.parametrize("true_sigma", [1.0, 3.0, 8.0])
def test_estimate_grain_is_accurate_and_ignores_edges(true_sigma: float) -> None:
    rng = np.random.default_rng(4)
    yy, xx = np.mgrid[0:256, 0:256]
    # Hard-edged 16-px checkerboard on a ramp: edges everywhere, which the median must ignore.
    base = np.where((yy // 16 + xx // 16) % 2 == 0, 60.0, 190.0) + xx * 0.1
    noisy = np.clip(base[..., None] + rng.normal(0, true_sigma, (256, 256, 3)) + 0.5, 0, 255).astype(np.uint8)
    assert estimate_grain(noisy) == pytest.approx([true_sigma] * 3, rel=0.15)


def test_seeded_and_only_generated_pixels_vary() -> None:
    image = _image("coffee")
    box = (-100, -50, 700, 450)
    a, generated = expand_canvas(image, box, rng=_rng(1))
    b, _ = expand_canvas(image, box, rng=_rng(1))
    c, _ = expand_canvas(image, box, rng=_rng(2))
    assert np.array_equal(a, b)
    differs = np.any(a != c, axis=2)
    assert differs.any() and not differs[~generated].any()


def test_grey_and_rgba_images() -> None:
    grey = _image("camera")[::2, ::2]  # 256², one channel
    canvas, _ = expand_canvas(grey, (0, -64, 256, 320), rng=_rng())
    assert canvas.shape == (384, 256) and np.array_equal(canvas[64:320], grey)
    logo = _image("logo")[::2, ::2]  # RGBA
    canvas, _ = expand_canvas(logo, (-50, 0, 300, 250), rng=_rng())
    assert canvas.shape == (250, 350, 4) and np.array_equal(canvas[:, 50:300], logo)


def test_box_must_overlap_the_image() -> None:
    with pytest.raises(ValueError, match="does not overlap"):
        expand_canvas(_image("coffee"), (700, 0, 900, 100), rng=_rng())
