"""IP-Adapter through diffusers' real ``load_ip_adapter``: a tiny random-weight adapter and image encoder.

The adapter folder is written in code (``tiny.write_ip_adapter``) in h94/IP-Adapter's layout and
named by ``KEYART_IP_ADAPTER``, so the warm set loads it exactly as it would a downloaded one.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from skimage import data

from pipeline.engines.diffusion.models import model_config
from pipeline.engines.diffusion.ops import clean_op, expand_op, variant_op
from pipeline.engines.diffusion.warm import WarmSet
from pipeline.ops.base import Geometry, OpContext, OpInputs
from pipeline.ops.clean import CleanParams
from pipeline.ops.expand import ExpandParams
from pipeline.ops.variant import VariantParams
from tests.pipeline.diffusion.conftest import OP_MAX_PIXELS, P, inputs_for, pixels, settings_from_env

IP_FAMILIES = ("sd15", "sdxl")  # FLUX's (XLabs) adapter has its own loader: not covered here
SCALE = 1.0
VARIANT = {"spec": "meta-feed-square", "prompt": "portrait"}  # square: the master's own aspect


@pytest.fixture(scope="module")
def ip_env(
    tiny_env: dict[str, dict[str, str]], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[str, str]]:
    from pipeline.engines.diffusion.tiny import write_ip_adapter

    root = tmp_path_factory.mktemp("tiny-ip-adapter")
    return {f: {**tiny_env[f], "KEYART_IP_ADAPTER": write_ip_adapter(root / f, f)} for f in IP_FAMILIES}


@pytest.fixture(scope="module")
def ip_warm(ip_env: dict[str, dict[str, str]]) -> dict[str, WarmSet]:
    return {
        f: WarmSet(
            model_config(
                settings_from_env(ip_env[f], diffusion_max_pixels=OP_MAX_PIXELS, ip_adapter_scale=SCALE)
            )
        )
        for f in IP_FAMILIES
    }


@pytest.fixture(params=IP_FAMILIES)
def ip_family(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _ip_processors(pipe: Any) -> dict[str, Any]:
    return {n: p for n, p in pipe.unet.attn_processors.items() if type(p).__name__.startswith("IPAdapter")}


def test_the_adapter_loads_through_diffusers_once_per_unet(
    ip_family: str, ip_warm: dict[str, WarmSet], warm: dict[str, Any], master: Image.Image
) -> None:
    from transformers import CLIPVisionModelWithProjection

    w = ip_warm[ip_family]
    assert w.config.ip_adapter is not None and w.config.ip_adapter.weight_name.endswith(".safetensors")
    base, i2i, fill = w.text2img(), w.img2img(), w.inpaint()
    w.img2img(), w.inpaint()  # asked again: nothing reloads
    # The base UNet (shared by img2img) and the fill model's own UNet each get the adapter once.
    assert dict(w.loads) == {"generate": 1, "fill": 1, "ip_adapter": 2}
    assert i2i.unet is base.unet and fill.unet is not base.unet
    for pipe in (base, fill):
        procs = _ip_processors(pipe)
        cross = [n for n in pipe.unet.attn_processors if n.endswith("attn2.processor")]
        assert sorted(procs) == sorted(cross) and cross  # every cross-attention, no self-attention
        assert all(p.scale == [SCALE] and p.num_tokens == [4] for p in procs.values())
        assert type(pipe.unet.encoder_hid_proj).__name__ == "MultiIPAdapterImageProjection"
    # The encoder was found at <subfolder>/image_encoder; the fill model borrows it rather than reloading.
    assert isinstance(base.image_encoder, CLIPVisionModelWithProjection)
    assert fill.image_encoder is base.image_encoder and i2i.image_encoder is base.image_encoder
    assert base.feature_extractor.crop_size["height"] == 32  # built by the loader for a 32 px encoder
    assert w.ip_adapter_kwargs(i2i, master) == {"ip_adapter_image": master}
    # Off (the default): nothing is loaded and no image prompt is passed.
    off = warm[ip_family]
    assert off.config.ip_adapter is None
    assert not _ip_processors(off.img2img()) and not _ip_processors(off.inpaint())
    assert "ip_adapter" not in off.loads and off.img2img().image_encoder is None
    assert off.ip_adapter_kwargs(off.img2img(), master) == {}


def test_variant_takes_the_master_as_image_prompt(
    ip_family: str, ip_warm: dict[str, WarmSet], warm: dict[str, Any], master: Image.Image
) -> None:
    def run(w: Any, seed: int = 5, prompt_image: Image.Image = master) -> np.ndarray:
        inputs = OpInputs(master, prompt_image, Geometry.identity(master.size))
        ctx = OpContext("diffusion", seed=seed, diffusion=w)
        result = variant_op(inputs, P(VariantParams, **VARIANT), ctx)
        assert result.seed == seed and result.image.size == (1080, 1080)
        assert result.record["ip_adapter"] is (w.config.ip_adapter is not None)  # in the lineage
        return pixels(result.image)

    w = ip_warm[ip_family]
    with_ip = run(w)
    assert np.array_equal(with_ip, run(w))  # same seed, same pixels
    assert not np.array_equal(with_ip, run(w, seed=6))
    assert not np.array_equal(with_ip, run(warm[ip_family]))  # the adapter changes the picture …
    cat = Image.fromarray(data.chelsea()).resize((96, 96), Image.Resampling.LANCZOS)
    assert not np.array_equal(with_ip, run(w, prompt_image=cat))  # … through the master's content
    pipe = w.img2img()
    pipe.set_ip_adapter_scale(0.0)
    try:  # at scale 0 the image branch adds nothing: exactly the adapter-off picture
        assert np.array_equal(run(w), run(warm[ip_family]))
    finally:
        pipe.set_ip_adapter_scale(SCALE)


def test_expand_and_clean_record_the_image_prompt_and_keep_the_rest(
    ip_warm: dict[str, WarmSet], warm: dict[str, Any], master: Image.Image
) -> None:
    banner = master.resize((100, 50), Image.Resampling.LANCZOS)
    params = P(ExpandParams, spec="iab-mobile-banner", prompt="sky")

    def expand(w: Any, seed: int = 9) -> Any:
        return expand_op(inputs_for(banner), params, OpContext("diffusion", seed=seed, diffusion=w))

    result = expand(ip_warm["sd15"])
    out = pixels(result.image)
    x0, y0, x1, y1 = result.record["kept_rect"]
    assert result.record["ip_adapter"] is True
    assert result.record["pipeline"] == "StableDiffusionInpaintPipeline"
    assert np.array_equal(out[y0:y1, x0:x1], pixels(banner))  # the master, bit for bit
    assert np.array_equal(out, pixels(expand(ip_warm["sd15"]).image))
    plain = expand(warm["sd15"])
    assert plain.record["ip_adapter"] is False
    assert not np.array_equal(out[:, :x0], pixels(plain.image)[:, :x0])  # the generated strip differs
    # The image prompt is the campaign's master, not the step's input: another master, another fill.
    cat = Image.fromarray(data.chelsea()).resize((96, 96), Image.Resampling.LANCZOS)
    other = OpInputs(banner, cat, Geometry.identity(banner.size))
    by_cat = expand_op(other, params, OpContext("diffusion", seed=9, diffusion=ip_warm["sd15"]))
    assert np.array_equal(pixels(by_cat.image)[y0:y1, x0:x1], pixels(banner))
    assert not np.array_equal(pixels(by_cat.image)[:, :x0], out[:, :x0])

    box = {"left": 0.25, "top": 0.3, "right": 0.6, "bottom": 0.7}
    clean = P(CleanParams, mode="box", box=box)

    def run_clean(w: Any) -> Any:
        return clean_op(inputs_for(master), clean, OpContext("diffusion", seed=2, diffusion=w))

    cleaned = run_clean(ip_warm["sd15"])
    hole = cleaned.generated_mask
    assert hole is not None and cleaned.record["ip_adapter"] is True
    outside = hole == 0
    assert np.array_equal(pixels(cleaned.image)[outside], pixels(master)[outside])
    assert np.array_equal(pixels(cleaned.image), pixels(run_clean(ip_warm["sd15"]).image))
    plain_clean = run_clean(warm["sd15"])
    assert plain_clean.record["ip_adapter"] is False
    assert not np.array_equal(pixels(cleaned.image)[~outside], pixels(plain_clean.image)[~outside])
    assert not any("IP-Adapter not used" in n for n in cleaned.notes)


def test_weights_at_the_folder_top_load_too(ip_env: dict[str, dict[str, str]], tmp_path: Path) -> None:
    """``folder:weights.safetensors`` (no subfolder): the encoder is the folder's ``image_encoder``."""
    repo, _, weights = ip_env["sd15"]["KEYART_IP_ADAPTER"].partition(":")
    flat = tmp_path / "flat"
    shutil.copytree(Path(repo) / Path(weights).parent, flat)
    env = {**ip_env["sd15"], "KEYART_IP_ADAPTER": f"{flat}:{Path(weights).name}"}
    w = WarmSet(model_config(settings_from_env(env)))
    assert w.config.ip_adapter is not None and w.config.ip_adapter.subfolder == ""
    assert _ip_processors(w.text2img()) and dict(w.loads) == {"generate": 1, "ip_adapter": 1}
