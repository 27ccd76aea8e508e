"""generate and variant on tiny FLUX, SD 1.5 and SDXL models: sizes, seeds, determinism, rounding notes."""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image

from pipeline.engines.diffusion.ops import generate_op, variant_op
from pipeline.ops.generate import GenerateParams
from pipeline.ops.variant import VariantParams
from tests.pipeline.diffusion.conftest import P, inputs_for, pixels

BLANK = Image.new("RGB", (8, 8))


def _generate(ctx: Any, **kw: Any) -> Any:
    params = P(
        GenerateParams, **{"prompt": "a photo of a cat", "count": 1, "width": 256, "height": 256, **kw}
    )
    return generate_op(inputs_for(BLANK), params, ctx)


def test_generate_makes_count_candidates_with_consecutive_recorded_seeds(family: str, ctx_for: Any) -> None:
    result = _generate(ctx_for(family, seed=40), count=3, width=320, height=256)
    seeds = [c["seed"] for c in result.record["candidates"]]
    assert seeds == result.record["seeds"] == [40, 41, 42] and result.seed == 40
    assert all(c["image"].size == (320, 256) for c in result.record["candidates"])
    assert result.image is result.record["candidates"][0]["image"] and result.image.size == (320, 256)
    assert (
        result.engine == "diffusion"
        and result.model
        and result.record["pipeline"].startswith("Flux" if family == "flux" else "StableDiffusion")
    )
    arrays = [pixels(c["image"]) for c in result.record["candidates"]]
    assert not np.array_equal(arrays[0], arrays[1]) and not np.array_equal(arrays[1], arrays[2])
    assert any("generated at" in n for n in result.notes)  # 320×256 is above the test's working budget


def test_sizes_are_rounded_to_the_model_multiple_and_recorded(family: str, ctx_for: Any) -> None:
    multiple = {"flux": 16, "sd15": 8, "sdxl": 8}[family]  # FLUX packs 2×2 latents on the 8× VAE stride
    result = _generate(ctx_for(family), width=300, height=260)
    work = result.record["work"]
    assert result.image.size == (300, 260) and work["size"] == [300, 260] and work["multiple"] == multiple
    assert all(p % multiple == 0 and p >= c for p, c in zip(work["padded"], work["content"], strict=True))
    assert work["padded"] != work["content"]  # 300×260 at the test's working budget needs padding
    assert any(f"multiple of {multiple}" in n and "cut off" in n for n in result.notes)


def test_a_candidate_is_reproduced_from_its_own_seed_whatever_the_count(family: str, ctx_for: Any) -> None:
    batch = _generate(ctx_for(family, seed=5), count=2)
    again = _generate(ctx_for(family, seed=5), count=2)
    alone = _generate(ctx_for(family, seed=6), count=1)
    second = pixels(batch.record["candidates"][1]["image"])
    assert np.array_equal(pixels(batch.image), pixels(again.image))
    assert np.array_equal(second, pixels(again.record["candidates"][1]["image"]))
    assert np.array_equal(second, pixels(alone.image))  # "re-roll candidate 2" = seed 6, count 1


def test_variant_reframes_to_the_spec_and_rerenders_at_low_strength(
    family: str, ctx_for: Any, master: Image.Image
) -> None:
    before = pixels(master)
    result = variant_op(
        inputs_for(master), P(VariantParams, spec="iab-medium-rectangle"), ctx_for(family, seed=3)
    )
    assert result.image.size == (300, 250) and result.seed == 3 and result.record["strength"] == 0.3
    left, top, right, bottom = result.record["crop_box"]
    assert abs((right - left) / (bottom - top) - 300 / 250) < 1e-3  # cropped to 6:5 before rendering
    assert result.geometry.output_size == (300, 250) and abs(result.geometry.anisotropy - 1) < 0.01
    assert any("rounded up" in n or "generated at" in n for n in result.notes)
    assert np.array_equal(pixels(master), before)  # the input is not modified
    same = variant_op(
        inputs_for(master), P(VariantParams, spec="iab-medium-rectangle"), ctx_for(family, seed=3)
    )
    other = variant_op(
        inputs_for(master), P(VariantParams, spec="iab-medium-rectangle"), ctx_for(family, seed=4)
    )
    assert np.array_equal(pixels(result.image), pixels(same.image))
    assert not np.array_equal(pixels(result.image), pixels(other.image))


def test_variant_raises_steps_so_a_small_strength_still_denoises(ctx_for: Any, master: Image.Image) -> None:
    result = variant_op(
        inputs_for(master), P(VariantParams, spec="iab-medium-rectangle", strength=0.1), ctx_for("sd15")
    )
    assert result.record["steps"] == 10  # the test models run 2 steps; 2 × 0.1 would run none
    assert any("steps raised from 2 to 10" in n for n in result.notes)


def test_variant_keeps_transparency(ctx_for: Any, master: Image.Image) -> None:
    rgba = master.convert("RGBA")
    alpha = np.full((96, 96), 255, np.uint8)
    alpha[:, :20] = 0
    rgba.putalpha(Image.fromarray(alpha))
    result = variant_op(inputs_for(rgba), P(VariantParams, spec="meta-feed-square"), ctx_for("flux"))
    assert result.image.mode == "RGBA" and result.image.size == (1080, 1080)
    assert (
        np.asarray(result.image)[:, :100, 3].max() == 0 and np.asarray(result.image)[:, 400:, 3].min() == 255
    )
