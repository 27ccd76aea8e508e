"""`swap`: background → colour keeps the face and changes the corners; replacement images are
cover-fitted and harmonised; nothing outside the feathered region changes; clear errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from PIL import Image
from skimage import data
from skimage.color import rgb2lab

from pipeline.engines.classical.masks import dilate
from pipeline.errors import BadRequest, EngineUnavailable
from pipeline.ops.base import Geometry, OpContext, OpInputs, OpResult
from pipeline.ops.swap import SwapParams, swap

FACE_CORE = (195, 100, 250, 150)  # eyes to mouth, 512² astronaut
BOX = {"left": 0.1, "top": 0.1, "right": 0.4, "bottom": 0.5}


@pytest.fixture(scope="module")
def astronaut() -> Image.Image:
    return Image.fromarray(data.astronaut())


@pytest.fixture(scope="module")
def cache() -> dict[str, Any]:
    return {}  # one batch: the subject segmentation is computed once for the module


def _run(image: Image.Image, cache: dict[str, Any] | None = None, seed: int = 2, **params: Any) -> OpResult:
    extras = params.pop("extras", {})
    inputs = OpInputs(image=image, master=image, geometry=Geometry.identity(image.size), extras=extras)
    ctx = OpContext(seed=seed, cache=cache if cache is not None else {})
    return swap(inputs, SwapParams.model_validate(params), ctx)


@pytest.fixture(scope="module")
def blue_background(astronaut: Image.Image, cache: dict[str, Any]) -> OpResult:
    return _run(astronaut, cache, color="#1E3C96")


def test_background_to_colour_keeps_the_face_and_changes_the_corners(
    astronaut: Image.Image, blue_background: OpResult
) -> None:
    before, after = np.asarray(astronaut), np.asarray(blue_background.image)
    x0, y0, x1, y1 = FACE_CORE
    assert np.array_equal(after[y0:y1, x0:x1], before[y0:y1, x0:x1])
    for corner in (after[:30, :30], after[:30, -30:]):
        # The requested colour, give or take the matched grain.
        assert np.abs(corner.reshape(-1, 3).mean(axis=0) - (0x1E, 0x3C, 0x96)).max() < 2
        assert 0.5 < corner.reshape(-1, 3).std(axis=0).mean() < 6
    assert blue_background.record["region"] == "background"
    assert blue_background.record["subject"]["source"] == "faces"
    assert any("grain" in n for n in blue_background.notes)


def test_nothing_changes_outside_the_feathered_region(
    astronaut: Image.Image, blue_background: OpResult
) -> None:
    weight = blue_background.generated_mask
    assert weight is not None and weight.shape == (512, 512)
    before, after = np.asarray(astronaut), np.asarray(blue_background.image)
    assert np.array_equal(after[weight == 0], before[weight == 0])
    assert (weight == 0).mean() > 0.3  # the subject is a large untouched area
    assert blue_background.image.size == astronaut.size
    assert blue_background.geometry == Geometry.identity((512, 512))


def test_box_swap_with_an_image_is_cover_fitted_and_feathered(astronaut: Image.Image) -> None:
    replacement = Image.fromarray(data.coffee())  # 600×400 into a 154×205 box: cover, centred
    result = _run(astronaut, box=BOX, region="box", use_image=True, harmonize=False, feather=6,
                  extras={"replacement": replacement})
    before, after = np.asarray(astronaut), np.asarray(result.image)
    x0, y0, x1, y1 = 51, 51, 205, 256
    region = np.zeros((512, 512), np.float32)
    region[y0:y1, x0:x1] = 1
    outside = dilate(region, 6) == 0
    assert np.array_equal(after[outside], before[outside])
    fitted = np.asarray(replacement.resize((round(600 * 205 / 400), 205), Image.Resampling.LANCZOS))
    left = (fitted.shape[1] - (x1 - x0)) // 2
    expected = fitted[:, left : left + (x1 - x0)].astype(float)
    inner = after[y0 + 8 : y1 - 8, x0 + 8 : x1 - 8].astype(float)
    assert np.abs(inner - expected[8:-8, 8:-8]).mean() < 3
    assert result.record["replacement"]["placed"] == [x0, y0, x1, y1]


def test_harmonise_moves_the_replacement_towards_the_scene(astronaut: Image.Image) -> None:
    night = Image.fromarray(data.rocket())
    kwargs: dict[str, Any] = {"region": "box", "box": BOX, "use_image": True}
    plain = np.asarray(_run(astronaut, harmonize=False, extras={"replacement": night}, **kwargs).image)
    matched_result = _run(astronaut, harmonize=True, extras={"replacement": night}, **kwargs)
    matched = np.asarray(matched_result.image)
    box = (slice(60, 246), slice(60, 196))
    ring_mean = np.array(matched_result.record["harmonize"]["reference_mean"])
    lab_plain = rgb2lab(plain[box]).reshape(-1, 3).mean(axis=0)
    lab_matched = rgb2lab(matched[box]).reshape(-1, 3).mean(axis=0)
    # Half way in mean (default strength 0.5): distance to the scene's L*a*b* roughly halves.
    assert np.linalg.norm(lab_matched - ring_mean) < 0.65 * np.linalg.norm(lab_plain - ring_mean)


def test_alpha_is_kept(astronaut: Image.Image) -> None:
    rgba = astronaut.convert("RGBA")
    alpha = np.asarray(rgba)[..., 3].copy()
    alpha[:100] = 60
    rgba = Image.fromarray(np.dstack([np.asarray(rgba)[..., :3], alpha]), "RGBA")
    result = _run(rgba, region="box", box=BOX, color="#FF0000")
    assert result.image.mode == "RGBA" and np.array_equal(np.asarray(result.image)[..., 3], alpha)


def test_deterministic_for_a_seed(astronaut: Image.Image) -> None:
    runs = [
        _run(astronaut, seed=s, region="box", box=BOX, color="#808080").image.tobytes()
            for s in (1, 1, 2)]
    assert runs[0] == runs[1] and runs[0] != runs[2]


def test_clear_errors(astronaut: Image.Image) -> None:
    small = astronaut.resize((64, 64))
    with pytest.raises(BadRequest, match="say what to put there"):
        _run(small, region="box", box=BOX)
    with pytest.raises(BadRequest, match="set use_image"):
        _run(small, region="box", box=BOX, extras={"replacement": small})
    with pytest.raises(BadRequest, match="use_image=true needs an uploaded replacement"):
        _run(small, region="box", box=BOX, use_image=True)
    with pytest.raises(EngineUnavailable, match="needs the diffusion engine"):
        _run(small, region="box", box=BOX, prompt="Tokyo skyline at dusk")
    with pytest.raises(BadRequest, match="not both"):
        _run(small, region="box", box=BOX, color="#000000", use_image=True, extras={"replacement": small})
    with pytest.raises(BadRequest, match="region=box needs a `box`"):
        _run(small, region="box", color="#000000")
    with pytest.raises(BadRequest, match="only used with region=box"):
        _run(small, box=BOX, color="#000000")


def test_prompt_with_a_colour_is_noted_on_classical(astronaut: Image.Image) -> None:
    result = _run(astronaut.resize((64, 64)), region="box", box=BOX, color="#000000", prompt="a beach")
    assert any("prompt is not used" in n for n in result.notes)
