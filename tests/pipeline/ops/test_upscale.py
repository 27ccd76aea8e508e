"""upscale: tiles meet without seams, geometry and dpi are recorded, grain is not amplified."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from skimage import data

from pipeline.engines.classical.resample import resample_tiled
from pipeline.errors import BadRequest
from pipeline.ops.base import Geometry, OpContext, OpInputs, OpResult
from pipeline.ops.upscale import UpscaleParams, upscale


@pytest.fixture(scope="module")
def coffee() -> Image.Image:
    return Image.fromarray(data.coffee()).resize((120, 80), Image.Resampling.LANCZOS)


def run(image: Image.Image, **params: object) -> OpResult:
    inputs = OpInputs(image=image, master=image, geometry=Geometry.identity(image.size))
    return upscale(inputs, UpscaleParams(**params), OpContext(seed=7))  # type: ignore[arg-type]


def diff(a: Image.Image, b: Image.Image) -> int:
    return int(np.abs(np.asarray(a).astype(int) - np.asarray(b).astype(int)).max())


@pytest.mark.parametrize(("sharpen", "tolerance"), [(0.0, 1), (0.5, 2)])
def test_tiles_match_untiled(coffee: Image.Image, sharpen: float, tolerance: int) -> None:
    # Pillow places each tile's filter taps from float box maths, so a rare pixel rounds the
    # other way (±1); sharpening amplifies that by at most 1 + amount. No seam line is allowed.
    box = (10.3, 4.0, 110.7, 76.5)
    tiled = np.asarray(resample_tiled(coffee, box, (333, 250), tile=48, sharpen=sharpen)).astype(int)
    whole = np.asarray(resample_tiled(coffee, box, (333, 250), tile=10_000, sharpen=sharpen)).astype(int)
    assert tiled.shape == (250, 333, 3)
    error = np.abs(tiled - whole)
    assert error.max() <= tolerance
    seams = np.r_[47, 48, 95, 96, 143, 144]
    assert error[:, seams].mean() < 0.05 and error[seams, :].mean() < 0.05


def test_without_sharpening_it_is_lanczos(coffee: Image.Image) -> None:
    box = (0.0, 0.0, 120.0, 80.0)
    tiled = resample_tiled(coffee, box, (300, 200), tile=64, sharpen=0)
    assert diff(tiled, coffee.resize((300, 200), Image.Resampling.LANCZOS)) <= 1


def test_spec_cover_and_centre_crop(coffee: Image.Image) -> None:
    before = np.asarray(coffee).copy()
    result = run(coffee, spec="story", tile=256)
    assert result.image.size == (1080, 1920) and result.image.mode == "RGB"
    # 120×80 covering 9:16 → full height, a 45-px wide centre strip.
    assert result.geometry.source_box == pytest.approx((37.5, 0.0, 82.5, 80.0))
    assert result.geometry.scale == pytest.approx((24.0, 24.0))
    assert result.record["dpi"] == 72 and result.record["factor"] == 24.0
    assert any("centre-cropped" in n for n in result.notes)
    assert any("expect softness" in n for n in result.notes)
    assert np.array_equal(np.asarray(coffee), before)  # input untouched
    assert diff(run(coffee, scale=2).image, run(coffee, scale=2).image) == 0  # deterministic


def test_print_spec_records_300_dpi_and_override() -> None:
    small = Image.new("RGB", (124, 175), (90, 100, 110))
    assert run(small, spec="print-a4-300dpi", sharpen=0).record["dpi"] == 300
    assert run(small, scale=2, dpi=150).record["dpi"] == 150


def test_scale_and_geometry(coffee: Image.Image) -> None:
    result = run(coffee, scale=2.5)
    assert result.image.size == (300, 200)
    assert result.geometry.source_box == (0.0, 0.0, 120.0, 80.0)
    assert result.geometry.scale == pytest.approx((2.5, 2.5))
    assert result.record["dpi"] is None


def test_spec_and_scale_conflict_and_missing(coffee: Image.Image) -> None:
    with pytest.raises(BadRequest, match="not both"):
        run(coffee, spec="story", scale=2)
    with pytest.raises(BadRequest, match="needs a `spec`"):
        run(coffee)


def test_sharpening_skips_grain_but_steepens_edges() -> None:
    rng = np.random.default_rng(0)
    grain = np.clip(128 + rng.normal(0, 0.8, (64, 64, 3)), 0, 255).astype(np.uint8)
    grain[:, 32:] = np.clip(grain[:, 32:].astype(int) + 80, 0, 255).astype(np.uint8)  # one hard edge
    src = Image.fromarray(grain)
    box = (0.0, 0.0, 64.0, 64.0)
    plain = np.asarray(resample_tiled(src, box, (192, 192), sharpen=0)).astype(float)
    sharp = np.asarray(resample_tiled(src, box, (192, 192), sharpen=1.5)).astype(float)
    flat = (slice(20, 170), slice(10, 70))
    assert sharp[flat].std() <= plain[flat].std() * 1.05  # grain below the threshold left alone
    assert np.abs(np.diff(sharp[96], axis=0)).max() > np.abs(np.diff(plain[96], axis=0)).max() * 1.1


def test_rgba_edges_do_not_bleed_hidden_colour() -> None:
    im = Image.new("RGBA", (40, 40), (255, 0, 0, 0))  # invisible red
    im.paste((0, 0, 255, 255), (20, 0, 40, 40))
    out = run(im, scale=3).image
    assert out.mode == "RGBA"
    px = np.asarray(out).astype(int)
    visible = px[..., 3] > 128
    assert px[..., 0][visible].max() <= 8  # no red fringe on the blue edge
