"""Resolution pyramid: lazy halvings, level choice, box resampling, edge padding, batch sharing."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from PIL import Image
from skimage import data

from pipeline.engines.classical.pyramid import Pyramid, pyramid_for


@pytest.fixture(scope="module")
def big() -> Image.Image:
    return Image.fromarray(data.astronaut()).resize((1024, 1024), Image.Resampling.BICUBIC)


def _mad(a: Image.Image, b: Image.Image) -> float:
    return float(np.abs(np.asarray(a, np.float32) - np.asarray(b, np.float32)).mean())


def test_levels_are_built_lazily_and_kept(big: Image.Image) -> None:
    pyramid = Pyramid(big)
    assert len(pyramid._levels) == 1
    level2 = pyramid.level(2)
    assert level2.size == (256, 256) and len(pyramid._levels) == 3
    assert pyramid.level(2) is level2


@pytest.mark.parametrize(("box", "size", "level"), [
    ((0, 0, 1024, 1024), (600, 600), 0),  # 1.7×: straight from the master
    ((0, 0, 1024, 1024), (300, 300), 1),  # 3.4×: from 512², Lanczos 1.7×
    ((0, 0, 1024, 1024), (128, 128), 3),  # exactly 8×: from 128², no final reduction
    ((0, 0, 1024, 1024), (100, 100), 3),
    ((0, 400, 1024, 527), (728, 90), 0),
])
def test_level_choice_is_the_smallest_still_at_least_the_target(
        box: tuple[float, float, float, float], size: tuple[int, int], level: int, big: Image.Image) -> None:
    pyramid = Pyramid(big)
    assert pyramid.level_for(box, size) == level


def test_odd_sizes_keep_exact_coordinates() -> None:
    odd = Image.fromarray(data.astronaut()[:501, :499])
    pyramid = Pyramid(odd)
    assert pyramid.level(2).size == pyramid.level_size(2) == (124, 125)
    assert pyramid.scale(2) == (124 / 499, 125 / 501)
    box = (10.0, 20.0, 490.0, 500.0)  # 480² → 100²: level 2 holds 119×119 of it
    assert pyramid.level_for(box, (100, 100)) == 2
    direct = odd.resize((100, 100), Image.Resampling.LANCZOS, box=box)
    assert _mad(pyramid.resample(box, (100, 100)), direct) < 1.5


@pytest.mark.parametrize(("box", "size"), [
    ((0, 0, 1024, 1024), (100, 100)),
    ((100.5, 50.25, 700.5, 800.75), (96, 120)),
    ((0, 0, 1024, 1024), (1500, 1500)),
])
def test_resample_matches_a_direct_lanczos(box: tuple[float, float, float, float], size: tuple[int, int],
                                           big: Image.Image) -> None:
    got = Pyramid(big).resample(box, size)
    assert got.size == size
    direct = big.resize(size, Image.Resampling.LANCZOS, box=box)
    assert _mad(got, direct) < 1.0
    # …and differs clearly from a box 30 px smaller on each side (the comparison can fail).
    inner = (box[0] + 30, box[1] + 30, box[2] - 30, box[3] - 30)
    other = big.resize(size, Image.Resampling.LANCZOS, box=inner)
    assert _mad(got, other) > 4 * _mad(got, direct)


def test_box_outside_the_image_is_edge_padded() -> None:
    image = Image.fromarray(data.coffee())  # 600×400
    got = np.asarray(Pyramid(image).resample((-50, 0, 650, 400), (700, 400)))
    arr = np.asarray(image)
    assert np.abs(got[:, 60:640].astype(int) - arr[:, 10:590]).mean() < 1.0
    assert np.abs(got[:, :40].astype(int) - arr[:, :1]).mean() < 2.0  # the first column, repeated


def test_rejects_an_empty_request(big: Image.Image) -> None:
    with pytest.raises(ValueError, match="empty resample"):
        Pyramid(big).resample((10, 10, 10, 20), (5, 5))


def test_one_pyramid_per_image_in_a_batch(big: Image.Image) -> None:
    cache: dict[str, Any] = {}
    first = pyramid_for(big, cache)
    assert pyramid_for(big, cache) is first
    assert pyramid_for(big.copy(), cache) is not first
