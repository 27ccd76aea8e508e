"""`recolor`: hue moves as asked, L* stays (< 0.5 on average), nothing outside the feathered mask
changes, a target colour is reached, near-neutral regions are tinted, clear errors."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from PIL import Image
from skimage import data

from pipeline.engines.classical.colour import lstar
from pipeline.engines.classical.lch import lch_of, mean_hue_chroma
from pipeline.engines.classical.masks import dilate
from pipeline.errors import BadRequest
from pipeline.ops.base import Geometry, OpContext, OpInputs, OpResult
from pipeline.ops.recolor import RecolorParams, recolor

SUIT = {"left": 0.05, "top": 0.55, "right": 0.3, "bottom": 0.95}  # orange sleeve, 512² astronaut
SUIT_PX = (26, 282, 154, 486)


@pytest.fixture(scope="module")
def astronaut() -> Image.Image:
    return Image.fromarray(data.astronaut())


def _run(image: Image.Image, **params: Any) -> OpResult:
    inputs = OpInputs(image=image, master=image, geometry=Geometry.identity(image.size))
    return recolor(inputs, RecolorParams.model_validate(params), OpContext(seed=9))


def _hue_chroma(rgb: np.ndarray) -> tuple[float, float]:
    hue, chroma = mean_hue_chroma(lch_of(rgb), np.ones(rgb.shape[:2]))
    return math.degrees(hue), chroma


def _inner(rgb: np.ndarray, pad: int = 6) -> np.ndarray:
    x0, y0, x1, y1 = SUIT_PX
    return rgb[y0 + pad : y1 - pad, x0 + pad : x1 - pad]


def _hue_diff(a: float, b: float) -> float:
    return abs((a - b + 180) % 360 - 180)


@pytest.mark.parametrize("shift", [120.0, -45.0])
def test_hue_shift_keeps_lightness(astronaut: Image.Image, shift: float) -> None:
    result = _run(astronaut, region="box", box=SUIT, hue_shift=shift)
    before, after = np.asarray(astronaut), np.asarray(result.image)
    assert np.abs(lstar(_inner(after)) - lstar(_inner(before))).mean() < 0.5
    hue_before, _ = _hue_chroma(_inner(before))
    hue_after, _ = _hue_chroma(_inner(after))
    assert _hue_diff(hue_after, hue_before + shift) < 2.0
    region = np.zeros((512, 512), np.float32)
    x0, y0, x1, y1 = SUIT_PX
    region[y0:y1, x0:x1] = 1
    outside = dilate(region, 4) == 0  # default feather 4 px
    assert np.array_equal(after[outside], before[outside])
    assert result.record["hue_shift_deg"] == shift


def test_chroma_scale_zero_makes_grey_at_same_lightness(astronaut: Image.Image) -> None:
    after = np.asarray(_run(astronaut, region="box", box=SUIT, chroma_scale=0.0).image)
    _, chroma = _hue_chroma(_inner(after))
    assert chroma < 1.5
    assert np.abs(lstar(_inner(after)) - lstar(_inner(np.asarray(astronaut)))).mean() < 0.5


def test_target_colour_is_reached(astronaut: Image.Image) -> None:
    target = "#2E8B57"  # sea green, reachable at the sleeve's lightness
    result = _run(astronaut, region="box", box=SUIT, target_color=target)
    after = np.asarray(result.image)
    t_hue, t_chroma = _hue_chroma(np.array([[[0x2E, 0x8B, 0x57]]], np.uint8))
    hue, chroma = _hue_chroma(_inner(after))
    assert _hue_diff(hue, t_hue) < 3.0
    assert abs(chroma - t_chroma) < 0.15 * t_chroma
    assert np.abs(lstar(_inner(after)) - lstar(_inner(np.asarray(astronaut)))).mean() < 0.5
    assert result.record["mode"] == "rotate"


def test_neutral_region_is_tinted() -> None:
    grey = np.tile(np.linspace(60, 200, 96, dtype=np.uint8)[None, :, None], (64, 1, 3))
    result = _run(Image.fromarray(grey), region="box", box={"left": 0, "top": 0, "right": 1, "bottom": 1},
                  target_color="#3366CC")
    after = np.asarray(result.image)
    hue, chroma = _hue_chroma(after)
    t_hue, _ = _hue_chroma(np.array([[[0x33, 0x66, 0xCC]]], np.uint8))
    assert result.record["mode"] == "tint" and chroma > 20 and _hue_diff(hue, t_hue) < 3
    assert np.abs(lstar(after) - lstar(grey)).mean() < 0.5


def test_rgba_alpha_is_kept() -> None:
    rgba = np.asarray(Image.fromarray(data.logo()).convert("RGBA").resize((128, 128))).copy()
    result = _run(Image.fromarray(rgba, "RGBA"), region="box", box=SUIT, hue_shift=90)
    assert result.image.mode == "RGBA" and np.array_equal(np.asarray(result.image)[..., 3], rgba[..., 3])


def test_clear_errors(astronaut: Image.Image) -> None:
    small = astronaut.resize((64, 64))
    with pytest.raises(BadRequest, match="nothing to change"):
        _run(small, region="box", box=SUIT)
    with pytest.raises(BadRequest, match="not both"):
        _run(small, region="box", box=SUIT, hue_shift=10, target_color="#FF0000")
    with pytest.raises(BadRequest, match="region=box needs a `box`"):
        _run(small, region="box", hue_shift=10)
