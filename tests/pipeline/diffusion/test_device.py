"""Device options on the CPU: VAE tiling really tiles (and keeps the master), CPU offload is ignored aloud.

Model offload needs an accelerator (CUDA); MPS cannot be exercised here either. What the CPU can
check is that the option is not silently pretended and that the accelerator branch asks diffusers
for model offload instead of moving the pipeline.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import numpy as np
import pytest
from PIL import Image

from pipeline.engines.diffusion.models import model_config
from pipeline.engines.diffusion.ops import expand_op, generate_op
from pipeline.engines.diffusion.warm import OFFLOAD_IGNORED, WarmSet
from pipeline.ops.base import OpContext
from pipeline.ops.expand import ExpandParams
from pipeline.ops.generate import GenerateParams
from tests.pipeline.diffusion.conftest import OP_MAX_PIXELS, P, inputs_for, pixels, settings_from_env


def _spy(vae: Any, name: str, calls: list[str]) -> None:
    """Count calls of ``vae.<name>`` (an instance attribute shadows the method the VAE calls)."""
    real = getattr(vae, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(name)
        return real(*args, **kwargs)

    setattr(vae, name, counted)


def test_vae_tiling_tiles_canvases_larger_than_a_tile_and_keeps_the_master(
    family: str, tiny_env: dict[str, dict[str, str]], warm: dict[str, Any], master: Image.Image
) -> None:
    settings = settings_from_env(tiny_env[family], vae_tiling=True, diffusion_max_pixels=OP_MAX_PIXELS)
    tiled = WarmSet(model_config(settings))
    pipes = [tiled.text2img(), tiled.img2img(), tiled.inpaint()]
    assert all(p.vae.use_tiling for p in pipes)
    assert not warm[family].inpaint().vae.use_tiling  # the shared (untiled) set is another load
    fill_vae, calls = pipes[2].vae, list[str]()
    _spy(fill_vae, "tiled_decode", calls)
    _spy(fill_vae, "_tiled_encode", calls)

    banner = master.resize((100, 50), Image.Resampling.LANCZOS)
    params = P(ExpandParams, spec="iab-mobile-banner", prompt="sky")
    out = expand_op(inputs_for(banner), params, OpContext(engine="diffusion", seed=9, diffusion=tiled))
    assert max(out.record["work"]["padded"]) > fill_vae.tile_sample_min_size  # bigger than one tile …
    assert {"tiled_decode", "_tiled_encode"} <= set(calls)  # … so it was encoded and decoded in tiles
    x0, y0, x1, y1 = out.record["kept_rect"]
    assert out.image.size == (320, 50) and np.array_equal(pixels(out.image)[y0:y1, x0:x1], pixels(banner))
    plain = expand_op(
        inputs_for(banner), params, OpContext(engine="diffusion", seed=9, diffusion=warm[family])
    )
    assert plain.record["kept_rect"] == out.record["kept_rect"]

    base_calls: list[str] = []
    _spy(pipes[0].vae, "tiled_decode", base_calls)
    gen = generate_op(
        inputs_for(master),
        P(GenerateParams, prompt="a cat", count=1, width=256, height=256),
        OpContext(engine="diffusion", seed=1, diffusion=tiled),
    )
    assert gen.image.size == (256, 256) and base_calls == ["tiled_decode"]


def test_cpu_offload_on_the_cpu_is_ignored_and_said_once(
    tiny_env: dict[str, dict[str, str]], master: Image.Image, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_from_env(tiny_env["sd15"], cpu_offload=True, diffusion_max_pixels=32 * 32)
    with caplog.at_level(logging.INFO, logger="pipeline.engines.diffusion.warm"):
        offload = WarmSet(model_config(settings))
        pipes = [offload.text2img(), offload.img2img(), offload.inpaint()]
        generate_op(
            inputs_for(master),
            P(GenerateParams, prompt="a cat", count=1, width=256, height=256),
            OpContext(engine="diffusion", seed=1, diffusion=offload),
        )
    assert offload.config.cpu_offload and offload.notes == [OFFLOAD_IGNORED]
    assert [r.getMessage() for r in caplog.records].count(OFFLOAD_IGNORED) == 1
    for pipe in pipes:  # no accelerate hooks: everything simply stays on the CPU
        assert not getattr(pipe, "_all_hooks", None) and getattr(pipe.unet, "_hf_hook", None) is None
        assert pipe.device.type == "cpu"
    plain = WarmSet(model_config(settings_from_env(tiny_env["sd15"])))
    assert plain.notes == []


class _Placed:
    """Records how ``WarmSet._finish`` places a pipeline (no accelerator is needed to check the branch)."""

    vae = None

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def set_progress_bar_config(self, **_: Any) -> None:
        pass

    def enable_model_cpu_offload(self, device: str) -> None:
        self.calls.append(("offload", device))

    def to(self, device: str) -> None:
        self.calls.append(("to", device))


def test_offload_on_an_accelerator_is_diffusers_model_offload(warm: dict[str, Any]) -> None:
    gpu = dataclasses.replace(warm["sd15"].config, device="cuda:1", cpu_offload=True)
    pipe = _Placed()
    WarmSet(gpu)._finish(pipe, placed=False)
    assert pipe.calls == [("offload", "cuda:1")]  # offload places it; no .to() that would defeat it
    cpu = _Placed()
    WarmSet(dataclasses.replace(gpu, device="cpu"))._finish(cpu, placed=False)
    assert cpu.calls == [("to", "cpu")]
