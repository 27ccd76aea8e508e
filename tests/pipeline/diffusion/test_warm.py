"""One warm model set per process: loaded once, shared between pipelines, replaced on a new config."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from PIL import Image

from pipeline.engines.diffusion.models import model_config
from pipeline.engines.diffusion.warm import WarmSet, from_context, warm_set_for
from pipeline.errors import BadRequest, EngineUnavailable
from pipeline.ops.base import OpContext
from pipeline.ops.registry import get_op
from pipeline.ops.variant import VariantParams
from tests.pipeline.diffusion.conftest import P, inputs_for, settings_from_env


def test_fifty_jobs_in_one_worker_load_each_model_once(
    tiny_env: dict[str, dict[str, str]], master: Image.Image
) -> None:
    settings = settings_from_env(tiny_env["flux"], diffusion_max_pixels=32 * 32, diffusion_steps=1)
    # Through the registry and the op modules' dispatch, as the worker runs them.
    jobs: list[tuple[Any, dict[str, Any]]] = [
        (get_op("generate"), {"prompt": "a cat", "count": 1, "width": 256, "height": 256}),
        (get_op("variant"), {"spec": "iab-mobile-banner"}),
        (get_op("expand"), {"spec": "iab-mobile-banner"}),
    ]
    for job in range(50):
        spec, raw = jobs[job % 3]
        spec.check_engine("diffusion")
        ctx = OpContext(engine="diffusion", seed=job, settings=settings)  # a fresh context per job
        result = spec.fn(inputs_for(master), spec.parse_params(raw), ctx)
        assert result.engine == "diffusion" and result.seed == job
    warm = warm_set_for(settings)
    assert dict(warm.loads) == {"generate": 1, "fill": 1}
    with pytest.raises(EngineUnavailable, match="needs the diffusion engine"):
        get_op("variant").check_engine("classical")


def test_derived_pipelines_share_modules_and_fill_borrows_the_text_encoders(warm: dict[str, Any]) -> None:
    flux = warm["flux"]
    base, i2i, fill = flux.text2img(), flux.img2img(), flux.inpaint()
    assert type(fill).__name__ == "FluxFillPipeline" and i2i.transformer is base.transformer
    assert fill.transformer is not base.transformer  # 20 input channels vs 4: cannot be shared
    assert fill.text_encoder is base.text_encoder and fill.text_encoder_2 is base.text_encoder_2
    sd = warm["sd15"]
    assert (
        sd.inpaint().unet.config.in_channels == 9 and sd.inpaint().text_encoder is sd.text2img().text_encoder
    )
    assert sd.img2img().unet is sd.text2img().unet
    xl = warm["sdxl"]
    names = [type(p).__name__ for p in (xl.text2img(), xl.img2img(), xl.inpaint())]
    assert names == [
        "StableDiffusionXLPipeline",
        "StableDiffusionXLImg2ImgPipeline",
        "StableDiffusionXLInpaintPipeline",
    ]
    assert xl.text2img().unet.config.addition_embed_type == "text_time"
    assert xl.img2img().unet is xl.text2img().unet and xl.inpaint().unet.config.in_channels == 9
    assert type(xl.text2img().text_encoder_2).__name__ == "CLIPTextModelWithProjection"
    assert xl.inpaint().text_encoder_2 is xl.text2img().text_encoder_2  # borrowed, not loaded twice
    assert (xl.loads["generate"], xl.loads["fill"]) == (1, 1)


def test_fill_base_derives_inpainting_from_the_generate_model(tiny_env: dict[str, dict[str, str]]) -> None:
    warm = WarmSet(model_config(settings_from_env(tiny_env["sd15"], model_fill="base")))
    inpaint = warm.inpaint()
    assert type(inpaint).__name__ == "StableDiffusionInpaintPipeline" and inpaint.unet is warm.text2img().unet
    assert dict(warm.loads) == {"generate": 1}
    assert "dtype" in warm._load_kwargs()  # diffusers ≥ 0.40: the non-deprecated name


def test_one_set_per_process_and_a_held_set_wins(
    tiny_env: dict[str, dict[str, str]], warm: dict[str, Any]
) -> None:
    first = settings_from_env(tiny_env["sd15"])
    second = settings_from_env(tiny_env["sd15"], diffusion_steps=3)
    a = warm_set_for(first)
    assert warm_set_for(first) is a
    b = warm_set_for(second)
    assert b is not a and warm_set_for(second) is b
    held = OpContext(engine="diffusion", diffusion=warm["flux"], settings=first)
    assert from_context(held) is warm["flux"]


def test_bad_device_and_upscaler_settings_are_refused(tiny_env: dict[str, dict[str, str]]) -> None:
    with pytest.raises(BadRequest, match="no such spandrel model file"):
        model_config(settings_from_env(tiny_env["flux"], model_upscaler="/nowhere/x4.pth"))
    with pytest.raises(BadRequest, match="KEYART_DEVICE"):
        model_config(settings_from_env(tiny_env["flux"], device="tpu"))
    if not torch.cuda.is_available():
        with pytest.raises(EngineUnavailable, match="no cuda device"):
            model_config(settings_from_env(tiny_env["flux"], device="cuda:0"))


def test_jobs_in_worker_threads_give_the_same_pixels_as_one_by_one(
    tiny_env: dict[str, dict[str, str]], master: Image.Image
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from pipeline.engines.diffusion.ops import variant_op

    warm = WarmSet(
        model_config(settings_from_env(tiny_env["sd15"], diffusion_steps=8, diffusion_max_pixels=64 * 64))
    )

    def run(job: int) -> Any:
        # 0.1 raises the steps from 8 to 10: a scheduler shared without the lock would mix them up.
        params = P(VariantParams, spec="iab-mobile-banner", strength=(0.1, 0.5, 0.8)[job % 3])
        ctx = OpContext(engine="diffusion", seed=job, diffusion=warm)
        return np.asarray(variant_op(inputs_for(master), params, ctx).image)

    alone = [run(job) for job in range(6)]
    with ThreadPoolExecutor(3) as pool:  # the local queue's worker threads share one warm set
        together = list(pool.map(run, range(6)))
    assert all(np.array_equal(a, b) for a, b in zip(alone, together, strict=True))
