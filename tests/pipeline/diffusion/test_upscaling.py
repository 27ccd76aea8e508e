"""Model upscaling: a spandrel file loaded by spandrel's own loader, tiled without seams; SD x4."""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image

from pipeline.engines.diffusion.ops import upscale_op
from pipeline.engines.diffusion.upscaling import spandrel_fn, tiled
from pipeline.ops.upscale import UpscaleParams
from tests.pipeline.diffusion.conftest import P, inputs_for, needs_spandrel, pixels


@needs_spandrel
def test_the_upscaler_file_is_loaded_by_spandrel(warm: dict[str, Any]) -> None:
    from spandrel import ImageModelDescriptor

    model = warm["flux"].upscaler()
    assert isinstance(model, ImageModelDescriptor) and model.architecture.name == "RealESRGAN Compact"
    assert model.scale == 2


@needs_spandrel
def test_tiles_blend_into_the_same_image_as_one_pass(warm: dict[str, Any], master: Image.Image) -> None:
    rgb = pixels(master.resize((100, 72)))
    fn = spandrel_fn(warm["flux"].upscaler())
    whole = tiled(rgb, 1000, 2, fn, lambda f: None)
    pieces = tiled(rgb, 40, 2, fn, lambda f: None)  # 3×2 tiles with 16 px overlaps
    assert whole.shape == pieces.shape == (144, 200, 3)
    assert np.abs(whole.astype(int) - pieces).max() <= 1


@needs_spandrel
def test_upscale_to_a_spec_reaches_its_exact_size(ctx_for: Any, master: Image.Image) -> None:
    result = upscale_op(
        inputs_for(master), P(UpscaleParams, spec="iab-medium-rectangle", tile=256), ctx_for("flux")
    )
    assert result.image.size == (300, 250) and result.engine == "diffusion"
    assert result.record["method"] == "spandrel" and result.record["passes"] == 2  # ×2 model, ×3.125 needed
    assert result.geometry.output_size == (300, 250) and abs(result.geometry.anisotropy - 1) < 1e-6
    left, top, right, bottom = result.geometry.source_box
    assert (left, right) == (0.0, 96.0) and round(bottom - top, 3) == 80.0  # cover, then centre crop


def test_sd_x4_upscale_is_tiled_seeded_and_exact(ctx_for: Any, master: Image.Image) -> None:
    rgba = master.convert("RGBA")
    rgba.putalpha(200)
    params = P(UpscaleParams, scale=2, tile=256)
    result = upscale_op(inputs_for(rgba), params, ctx_for("sd15", seed=1))
    assert result.image.size == (192, 192) and result.image.mode == "RGBA"
    assert result.record["method"] == "sd-x4" and np.asarray(result.image)[..., 3].min() == 200
    same = upscale_op(inputs_for(rgba), params, ctx_for("sd15", seed=1))
    assert np.array_equal(pixels(result.image), pixels(same.image))


def test_no_enlargement_needs_no_model(ctx_for: Any, master: Image.Image) -> None:
    big = master.resize((400, 400))
    result = upscale_op(inputs_for(big), P(UpscaleParams, spec="iab-medium-rectangle"), ctx_for("flux"))
    assert result.engine == "classical" and any("no enlargement" in n for n in result.notes)
