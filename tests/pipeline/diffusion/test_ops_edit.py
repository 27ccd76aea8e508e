"""expand, fit, clean, swap, reframe on the diffusion engine: only the region changes, bit for bit."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from PIL import Image

from pipeline.engines.classical.masks import feather_outward
from pipeline.engines.diffusion.ops import clean_op, expand_op, fit_op, reframe_op, swap_op
from pipeline.errors import BadRequest
from pipeline.ops.clean import CleanParams
from pipeline.ops.expand import ExpandParams
from pipeline.ops.fit import FitParams
from pipeline.ops.reframe import ReframeParams
from pipeline.ops.swap import SwapParams
from tests.pipeline.diffusion.conftest import P, inputs_for, pixels

BOX = {"left": 0.25, "top": 0.3, "right": 0.6, "bottom": 0.7}


@pytest.fixture(scope="module")
def banner_master(master: Image.Image) -> Image.Image:
    """100×50: for the 320×50 mobile banner the canvas is only widened, at scale 1."""
    return master.resize((100, 50), Image.Resampling.LANCZOS)


def test_expand_keeps_the_master_bit_identical_and_generates_the_rest(
    family: str, ctx_for: Any, banner_master: Image.Image
) -> None:
    before = pixels(banner_master)
    result = expand_op(
        inputs_for(banner_master),
        P(ExpandParams, spec="iab-mobile-banner", prompt="sky"),
        ctx_for(family, seed=9),
    )
    out = pixels(result.image)
    x0, y0, x1, y1 = result.record["kept_rect"]
    assert result.image.size == (320, 50) and (x1 - x0, y1 - y0) == (100, 50) and x0 == 110  # centred
    assert np.array_equal(out[y0:y1, x0:x1], before)  # every master pixel, unchanged
    assert np.array_equal(pixels(banner_master), before)
    mask = result.generated_mask
    assert (
        mask is not None and mask.shape == (50, 320) and mask[:, x0:x1].max() == 0 and mask[:, :x0].min() == 1
    )
    assert result.record["colour_match"]["applied"] and result.record["grain_sigma"] is not None
    left, top, right, bottom = result.geometry.source_box
    assert (round(left, 3), round(right, 3), top, bottom) == (-110.0, 210.0, 0.0, 50.0)
    assert result.geometry.generated_fraction() == pytest.approx(1 - 100 / 320)
    same = expand_op(
        inputs_for(banner_master),
        P(ExpandParams, spec="iab-mobile-banner", prompt="sky"),
        ctx_for(family, seed=9),
    )
    other = expand_op(
        inputs_for(banner_master),
        P(ExpandParams, spec="iab-mobile-banner", prompt="sky"),
        ctx_for(family, seed=10),
    )
    assert np.array_equal(out, pixels(same.image)) and same.seed == 9
    assert not np.array_equal(out[:, :x0], pixels(other.image)[:, :x0])


def test_expand_at_a_resampled_scale_keeps_the_resampled_master(ctx_for: Any, master: Image.Image) -> None:
    result = expand_op(
        inputs_for(master), P(ExpandParams, spec="iab-leaderboard", align="left"), ctx_for("flux")
    )
    x0, y0, x1, y1 = result.record["kept_rect"]
    assert result.image.size == (728, 90) and x0 == 0 and (y0, y1) == (0, 90)
    expected = np.asarray(master.resize((x1 - x0, 90), Image.Resampling.LANCZOS, box=(0, 0, 96, 96)))
    assert np.array_equal(pixels(result.image)[:, x0:x1], expected)
    assert any("multiple of 16" in n for n in result.notes)


def test_fit_outpaints_moderate_expansions_and_lays_out_banners(
    family: str, ctx_for: Any, master: Image.Image
) -> None:
    wide = fit_op(inputs_for(master), P(FitParams, spec="landing-hero", prefer="expand"), ctx_for(family))
    assert wide.engine == "diffusion" and wide.record["rule"] in ("expand", "expand+crop")
    assert wide.image.size == (1920, 1080) and wide.generated_mask is not None
    assert 0 < wide.generated_mask.mean() <= 0.6 + 1e-6  # max_expand
    x0, y0, x1, y1 = wide.record["kept_rect"]
    visible = np.asarray(
        master.resize(
            (x1 - x0, y1 - y0),
            Image.Resampling.LANCZOS,
            box=tuple(max(0.0, min(v, 96.0)) for v in wide.record["box"]),
        )
    )
    assert np.abs(pixels(wide.image)[y0:y1, x0:x1].astype(int) - visible).max() <= 1
    # A banner-shaped extreme is a layout on every engine: designed, never generated.
    banner = fit_op(inputs_for(master), P(FitParams, spec="iab-leaderboard"), ctx_for(family))
    assert banner.engine == "classical" and banner.record["rule"] == "layout"
    assert banner.generated_mask is None and banner.designed_mask is not None
    assert banner.image.size == (728, 90)
    square = fit_op(inputs_for(master), P(FitParams, spec="meta-feed-square"), ctx_for(family))
    assert square.engine == "classical" and square.record["rule"] == "crop"
    assert any("nothing to generate" in n for n in square.notes)


def test_clean_box_changes_nothing_outside_the_box(family: str, ctx_for: Any, master: Image.Image) -> None:
    params = P(CleanParams, mode="box", box=BOX)
    result = clean_op(inputs_for(master), params, ctx_for(family, seed=2))
    hole = result.generated_mask
    assert hole is not None and hole.shape == (96, 96)
    outside = hole == 0
    assert np.array_equal(pixels(result.image)[outside], pixels(master)[outside])
    assert not np.array_equal(pixels(result.image)[~outside], pixels(master)[~outside])
    assert result.record["removed_px"] == int((~outside).sum()) and result.seed == 2
    again = clean_op(inputs_for(master), params, ctx_for(family, seed=2))
    assert np.array_equal(pixels(result.image), pixels(again.image))


def test_clean_keeps_alpha_and_leaves_specks_to_the_classical_engine(
    ctx_for: Any, master: Image.Image
) -> None:
    rgba = master.convert("RGBA")
    rgba.putalpha(128)
    boxed = clean_op(inputs_for(rgba), P(CleanParams, mode="box", box=BOX), ctx_for("flux"))
    assert boxed.image.mode == "RGBA" and np.asarray(boxed.image)[..., 3].min() == 128
    auto = clean_op(inputs_for(master), P(CleanParams, mode="auto"), ctx_for("flux"))
    assert auto.engine == "classical" and any("specks" in n for n in auto.notes)


def test_swap_by_prompt_keeps_everything_outside_the_feathered_region(
    family: str, ctx_for: Any, master: Image.Image
) -> None:
    params = P(SwapParams, region="box", box=BOX, prompt="a city at dusk", feather=4)
    result = swap_op(inputs_for(master), params, ctx_for(family, seed=21))
    weight = result.generated_mask
    assert weight is not None
    box = np.zeros((96, 96), np.float32)
    box[29:67, 24:58] = 1  # BOX in pixels (Box.pixels rounds 0.3·96 = 28.8 to 29, …)
    assert np.array_equal(weight, feather_outward(box, 4))  # the classical engine's feather, outward
    outside = weight == 0
    assert np.array_equal(pixels(result.image)[outside], pixels(master)[outside])
    assert not np.array_equal(pixels(result.image)[weight == 1], pixels(master)[weight == 1])
    other = swap_op(inputs_for(master), params, ctx_for(family, seed=22))
    assert not np.array_equal(pixels(result.image), pixels(other.image))
    assert result.record["prompt"] == "a city at dusk" and result.record["colour_match"]["applied"]


def test_swap_with_a_colour_and_a_prompt_starts_from_the_colour(ctx_for: Any, master: Image.Image) -> None:
    params = P(SwapParams, region="box", box=BOX, prompt="red wall", color="#C01010")
    result = swap_op(inputs_for(master), params, ctx_for("sd15"))
    assert result.record["strength"] == 0.9 and result.record["prefill"] == "#C01010"


def test_swap_without_a_prompt_is_a_classical_swap(ctx_for: Any, master: Image.Image) -> None:
    result = swap_op(
        inputs_for(master), P(SwapParams, region="box", box=BOX, color="#204060"), ctx_for("flux")
    )
    assert result.engine == "classical" and any("no `prompt`" in n for n in result.notes)
    with pytest.raises(BadRequest, match="region=box"):
        swap_op(inputs_for(master), P(SwapParams, region="subject", box=BOX, prompt="x"), ctx_for("flux"))


def test_reframe_is_the_classical_crop(ctx_for: Any, master: Image.Image) -> None:
    result = reframe_op(inputs_for(master), P(ReframeParams, spec="iab-half-page"), ctx_for("flux"))
    assert result.engine == "classical" and result.image.size == (300, 600)
    assert any("reframe only crops" in n for n in result.notes)
