"""`harmonize`: a variant with lifted blacks and a warm cast is brought back to the master *crop it
shows* (audit_specs §1a/§1d metrics), pixels outside the master are ignored, strength 0 is a no-op."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from skimage import data

from pipeline.engines.classical.colour import grey_world_cct, lstar, to_linear, to_srgb
from pipeline.errors import BadRequest
from pipeline.ops.base import Geometry, OpContext, OpInputs, OpResult
from pipeline.ops.harmonize import HarmonizeParams, harmonize


def _encode(linear: np.ndarray) -> np.ndarray:
    return np.clip(to_srgb(np.clip(linear, 0, 1)) * 255 + 0.5, 0, 255).astype(np.uint8)


def warm(rgb: np.ndarray, target: float) -> np.ndarray:
    """Bring the grey-world CCT down to ``target`` K with R↑ B↓ gains in linear light (bisection on
    the mean, which is what grey-world reads)."""
    linear = to_linear(rgb / 255.0)
    mean = np.clip(linear, 0, 1).reshape(-1, 3).mean(axis=0)
    lo, hi = 0.0, 0.5
    for _ in range(30):
        a = (lo + hi) / 2
        shifted = _encode(mean * [1 + a, 1, 1 - a])[None, None]
        lo, hi = (a, hi) if grey_world_cct(shifted) > target else (lo, a)
    return _encode(linear * [1 + lo, 1, 1 - lo])


def lift_blacks(rgb: np.ndarray, share: float = 0.03) -> np.ndarray:
    """Raise black by ``share`` of the code range (a flat, 'milky' grade)."""
    return np.clip(share * 255 + (1 - share) * rgb.astype(np.float64) + 0.5, 0, 255).astype(np.uint8)


def black_point(rgb: np.ndarray) -> float:
    return float(np.percentile(lstar(rgb), 0.5))


def _crop(master: Image.Image, box: tuple[float, float, float, float], size: tuple[int, int]) -> tuple[
    np.ndarray, Geometry
]:
    geometry = Geometry.identity(master.size).then_crop(box, size)
    return np.asarray(master.resize(size, Image.Resampling.BILINEAR, box=box)), geometry


def _run(variant: np.ndarray, master: Image.Image, geometry: Geometry, **params: object) -> OpResult:
    inputs = OpInputs(image=Image.fromarray(variant), master=master, geometry=geometry)
    return harmonize(inputs, HarmonizeParams.model_validate(params), OpContext(seed=1))


@pytest.mark.parametrize(
    ("name", "box", "size"),
    [
        ("astronaut", (96.0, 0.0, 416.0, 400.0), (320, 400)),
        ("chelsea", (60.0, 20.0, 420.0, 290.0), (240, 180)),
    ],
)
def test_lifted_warm_variant_is_brought_back(name: str, box: tuple[float, float, float, float],
                                             size: tuple[int, int]) -> None:
    master = Image.fromarray(getattr(data, name)())
    reference, geometry = _crop(master, box, size)
    variant = warm(lift_blacks(reference), grey_world_cct(reference) - 300)
    # The damage is measurable before: blacks ≥ 1 L* up, ≥ 200 K warmer.
    assert black_point(variant) - black_point(reference) > 1.5
    assert grey_world_cct(reference) - grey_world_cct(variant) > 200
    result = _run(variant, master, geometry)
    fixed = np.asarray(result.image)
    assert abs(black_point(fixed) - black_point(reference)) < 1.0
    assert abs(grey_world_cct(fixed) - grey_world_cct(reference)) < 100
    white = [float(np.percentile(lstar(x), 99.5)) for x in (fixed, reference)]
    assert abs(white[0] - white[1]) < 1.5
    assert result.record["after"]["black_lstar"] == pytest.approx(black_point(fixed), abs=1e-3)
    assert result.image.size == size and result.geometry == geometry


def test_aligned_to_the_crop_not_the_whole_master() -> None:
    # A dark crop of a bright master: matching the whole master would wrongly brighten it.
    master = Image.fromarray(data.astronaut())
    reference, geometry = _crop(master, (280.0, 300.0, 500.0, 500.0), (220, 200))  # helmet area
    result = _run(reference, master, geometry)
    assert np.abs(np.asarray(result.image).astype(int) - reference).mean() < 1.0
    assert result.record["reference_px"] == 220 * 200


def test_regions_outside_the_master_are_ignored() -> None:
    master = Image.fromarray(data.chelsea())
    mw, mh = master.size
    # An expanded canvas: 60 px of generated (here: flat grey) padding left and right.
    geometry = Geometry((-60.0, 0.0, mw + 60.0, float(mh)), (mw + 120, mh), (mw, mh))
    canvas = np.full((mh, mw + 120, 3), 128, np.uint8)
    canvas[:, 60:-60] = warm(lift_blacks(np.asarray(master)), grey_world_cct(np.asarray(master)) - 300)
    result = _run(canvas, master, geometry)
    fixed = np.asarray(result.image)
    inner = fixed[:, 60:-60]
    assert abs(black_point(inner) - black_point(np.asarray(master))) < 1.0
    assert abs(grey_world_cct(inner) - grey_world_cct(np.asarray(master))) < 100
    assert result.record["reference_px"] == mw * mh
    assert any("master pixels" in n for n in result.notes)


def test_strength_and_match_select(astronaut_variant: tuple[np.ndarray, Image.Image, Geometry]) -> None:
    variant, master, geometry = astronaut_variant
    assert np.array_equal(np.asarray(_run(variant, master, geometry, strength=0.0).image), variant)
    half = np.asarray(_run(variant, master, geometry, strength=0.5).image)
    full = np.asarray(_run(variant, master, geometry).image)
    assert black_point(full) < black_point(half) < black_point(variant)
    levels_only = _run(variant, master, geometry, match="levels")
    assert "wb_gains" not in levels_only.record and "levels_curve_lstar" in levels_only.record
    wb_only = _run(variant, master, geometry, match="white_balance")
    assert "levels_curve_lstar" not in wb_only.record and "wb_gains" in wb_only.record


def test_deterministic_and_alpha_kept(astronaut_variant: tuple[np.ndarray, Image.Image, Geometry]) -> None:
    variant, master, geometry = astronaut_variant
    alpha = np.full(variant.shape[:2], 255, np.uint8)
    alpha[:50] = 0
    rgba = Image.fromarray(np.dstack([variant, alpha]), "RGBA")
    params = HarmonizeParams.model_validate({})
    runs = [harmonize(OpInputs(rgba, master, geometry), params, OpContext(seed=s)) for s in (1, 2)]
    assert runs[0].image.tobytes() == runs[1].image.tobytes()
    assert runs[0].image.mode == "RGBA" and np.array_equal(np.asarray(runs[0].image)[..., 3], alpha)


def test_no_overlap_with_the_master_is_refused() -> None:
    master = Image.fromarray(data.chelsea())
    geometry = Geometry((1000.0, 0.0, 1100.0, 100.0), (100, 100), master.size)
    with pytest.raises(BadRequest, match="none of the master"):
        _run(np.zeros((100, 100, 3), np.uint8), master, geometry)


@pytest.fixture(scope="module")
def astronaut_variant() -> tuple[np.ndarray, Image.Image, Geometry]:
    master = Image.fromarray(data.astronaut())
    reference, geometry = _crop(master, (96.0, 0.0, 416.0, 400.0), (160, 200))
    return warm(lift_blacks(reference), grey_world_cct(reference) - 300), master, geometry
