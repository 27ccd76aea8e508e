"""img2img throughput and peak memory of full-size SDXL and FLUX denoisers — a benchmark, not a test.

Run: ``python bench/gpu_throughput.py`` (CUDA: full size; elsewhere: toy sizes, which only proves
the script works). Nothing is downloaded: an SDXL UNet (2.6 B parameters) and a FLUX.1-dev-size
transformer (11.9 B) are built from their published configs with random weights, directly in
fp16/bf16 on the GPU, with full-size VAEs. Text encoders are left out: prompt embeddings of the
right shapes are passed instead (the encoders run once per prompt, not per denoising step).

Measured per model, at strength 0.35 and 1024², unbatched (batch 1) vs batched (``--batch``):
images/s over ``--runs`` timed calls after one warm-up, and peak allocated GPU memory. Budget:
under 8 minutes on one H100 (model building included).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch
from PIL import Image

STRENGTH = 0.35

SDXL_UNET = {  # stabilityai/stable-diffusion-xl-base-1.0 unet/config.json
    "sample_size": 128,
    "in_channels": 4,
    "out_channels": 4,
    "layers_per_block": 2,
    "down_block_types": ("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
    "up_block_types": ("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
    "block_out_channels": (320, 640, 1280),
    "transformer_layers_per_block": (1, 2, 10),
    "attention_head_dim": (5, 10, 20),
    "cross_attention_dim": 2048,
    "use_linear_projection": True,
    "addition_embed_type": "text_time",
    "addition_time_embed_dim": 256,
    "projection_class_embeddings_input_dim": 2816,
}
SDXL_VAE = {
    "block_out_channels": (128, 256, 512, 512),
    "latent_channels": 4,
    "sample_size": 1024,
    "down_block_types": ("DownEncoderBlock2D",) * 4,
    "up_block_types": ("UpDecoderBlock2D",) * 4,
    "layers_per_block": 2,
    "scaling_factor": 0.13025,
    "force_upcast": True,
}
FLUX_TRANSFORMER = {  # black-forest-labs/FLUX.1-dev transformer/config.json
    "patch_size": 1,
    "in_channels": 64,
    "num_layers": 19,
    "num_single_layers": 38,
    "attention_head_dim": 128,
    "num_attention_heads": 24,
    "joint_attention_dim": 4096,
    "pooled_projection_dim": 768,
    "guidance_embeds": True,
    "axes_dims_rope": (16, 56, 56),
}
FLUX_VAE = {
    "block_out_channels": (128, 256, 512, 512),
    "latent_channels": 16,
    "sample_size": 1024,
    "down_block_types": ("DownEncoderBlock2D",) * 4,
    "up_block_types": ("UpDecoderBlock2D",) * 4,
    "layers_per_block": 2,
    "scaling_factor": 0.3611,
    "shift_factor": 0.1159,
    "use_quant_conv": False,
    "use_post_quant_conv": False,
}
# Toy sizes for a machine without CUDA: same code path, minutes → seconds.
TOY_UNET = {
    **SDXL_UNET,
    "sample_size": 32,
    "block_out_channels": (32, 64),
    "layers_per_block": 1,
    "down_block_types": ("DownBlock2D", "CrossAttnDownBlock2D"),
    "up_block_types": ("CrossAttnUpBlock2D", "UpBlock2D"),
    "transformer_layers_per_block": (1, 1),
    "attention_head_dim": (2, 4),
    "cross_attention_dim": 64,
    "addition_time_embed_dim": 8,
    "projection_class_embeddings_input_dim": 80,
}
TOY_VAE = {
    "block_out_channels": (32, 64),
    "latent_channels": 4,
    "sample_size": 64,
    "down_block_types": ("DownEncoderBlock2D",) * 2,
    "up_block_types": ("UpDecoderBlock2D",) * 2,
    "layers_per_block": 1,
    "mid_block_add_attention": False,
}
TOY_FLUX = {
    **FLUX_TRANSFORMER,
    "in_channels": 16,
    "num_layers": 1,
    "num_single_layers": 1,
    "attention_head_dim": 16,
    "num_attention_heads": 2,
    "joint_attention_dim": 32,
    "pooled_projection_dim": 32,
    "axes_dims_rope": (4, 4, 8),
}
TOY_FLUX_VAE = {
    **TOY_VAE,
    "use_quant_conv": False,
    "use_post_quant_conv": False,
    "scaling_factor": 1.5035,
    "shift_factor": 0.0609,
}


def build(cls: Any, config: dict[str, Any], device: str, dtype: torch.dtype) -> Any:
    """Random-init a model straight into ``dtype`` on ``device`` (no fp32 copy of 12 B weights)."""
    with torch.device("meta"):
        model = cls(**config)
    model = model.to(dtype).to_empty(device=device)
    gen = torch.Generator(device).manual_seed(0)
    with torch.no_grad():
        for module in model.modules():
            is_norm = "Norm" in type(module).__name__
            for name, p in module.named_parameters(recurse=False):
                if is_norm:
                    p.fill_(1.0 if name == "weight" else 0.0)
                elif name == "bias":
                    p.zero_()
                else:
                    p.normal_(0.0, 0.02, generator=gen)
        for b in model.buffers():
            b.zero_()
    return model.eval()


def sdxl(full: bool, device: str) -> tuple[Any, Callable[[int], dict[str, Any]], int]:
    from diffusers import (
        AutoencoderKL,
        EulerDiscreteScheduler,
        StableDiffusionXLImg2ImgPipeline,
        UNet2DConditionModel,
    )

    dtype = torch.float16 if device == "cuda" else torch.float32
    unet = build(UNet2DConditionModel, SDXL_UNET if full else TOY_UNET, device, dtype)
    vae = build(AutoencoderKL, SDXL_VAE if full else TOY_VAE, device, dtype)
    scheduler = EulerDiscreteScheduler(
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        steps_offset=1,
        timestep_spacing="leading",
    )
    pipe = StableDiffusionXLImg2ImgPipeline(
        vae=vae,
        text_encoder=None,
        text_encoder_2=None,
        tokenizer=None,
        tokenizer_2=None,
        unet=unet,
        scheduler=scheduler,
        requires_aesthetics_score=False,
    )
    text, pooled = (2048, 1280) if full else (64, 32)

    def embeds(batch: int) -> dict[str, Any]:
        g = torch.Generator("cpu").manual_seed(1)
        e = {
            k: torch.randn(batch, *shape, generator=g).to(device, dtype)
            for k, shape in (
                ("prompt_embeds", (77, text)),
                ("negative_prompt_embeds", (77, text)),
                ("pooled_prompt_embeds", (pooled,)),
                ("negative_pooled_prompt_embeds", (pooled,)),
            )
        }
        return {**e, "guidance_scale": 5.0}

    return pipe, embeds, 30


def flux(full: bool, device: str) -> tuple[Any, Callable[[int], dict[str, Any]], int]:
    from diffusers import (
        AutoencoderKL,
        FlowMatchEulerDiscreteScheduler,
        FluxImg2ImgPipeline,
        FluxTransformer2DModel,
    )

    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    transformer = build(FluxTransformer2DModel, FLUX_TRANSFORMER if full else TOY_FLUX, device, dtype)
    vae = build(AutoencoderKL, FLUX_VAE if full else TOY_FLUX_VAE, device, dtype)
    scheduler = FlowMatchEulerDiscreteScheduler(
        base_image_seq_len=256,
        base_shift=0.5,
        max_image_seq_len=4096,
        max_shift=1.15,
        shift=3.0,
        use_dynamic_shifting=True,
    )
    pipe = FluxImg2ImgPipeline(
        scheduler=scheduler,
        vae=vae,
        text_encoder=None,
        tokenizer=None,
        text_encoder_2=None,
        tokenizer_2=None,
        transformer=transformer,
    )
    text, pooled, tokens = (4096, 768, 512) if full else (32, 32, 16)

    def embeds(batch: int) -> dict[str, Any]:
        g = torch.Generator("cpu").manual_seed(1)
        return {
            "prompt_embeds": torch.randn(batch, tokens, text, generator=g).to(device, dtype),
            "pooled_prompt_embeds": torch.randn(batch, pooled, generator=g).to(device, dtype),
            "guidance_scale": 3.5,
        }

    return pipe, embeds, 28


def measure(
    pipe: Any,
    embeds: Callable[[int], dict[str, Any]],
    steps: int,
    size: int,
    batch: int,
    runs: int,
    device: str,
) -> dict[str, float]:
    ramp = torch.linspace(0, 255, size).to(torch.uint8)
    rgb = torch.stack(
        [
            ramp[None, :].expand(size, size),
            ramp[:, None].expand(size, size),
            torch.full((size, size), 128, dtype=torch.uint8),
        ],
        -1,
    )
    image = Image.fromarray(rgb.numpy())

    def once() -> None:
        gens = [torch.Generator("cpu").manual_seed(i) for i in range(batch)]  # one per image
        pipe(
            image=[image] * batch,
            strength=STRENGTH,
            num_inference_steps=steps,
            height=size,
            width=size,
            generator=gens,
            output_type="pil",
            **embeds(batch),
        )

    once()  # warm-up: kernels, allocator, cuDNN autotune
    if device == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    start = time.perf_counter()
    for _ in range(runs):
        once()
    if device == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    peak = round(torch.cuda.max_memory_allocated() / 2**30, 2) if device == "cuda" else None
    row: dict[str, Any] = {
        "batch": batch,
        "images_per_s": round(batch * runs / seconds, 3),
        "s_per_image": round(seconds / (batch * runs), 3),
        "peak_gib": peak,
    }
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="sdxl,flux")
    parser.add_argument("--batch", type=int, default=4, help="the batched case's batch size")
    parser.add_argument("--runs", type=int, default=2, help="timed calls per case, after one warm-up")
    parser.add_argument("--toy", action="store_true", help="toy sizes even where CUDA is available")
    args = parser.parse_args()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    full = device == "cuda" and not args.toy
    size = 1024 if full else 64
    if not full:
        torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    from diffusers.utils import logging as dlog

    dlog.disable_progress_bar()
    dlog.set_verbosity_error()  # "modules that should be kept in float32" on every cast of a random model
    started = time.perf_counter()
    gpu = (
        torch.cuda.get_device_name()
        if device == "cuda"
        else "none (toy sizes: proves the script, not the GPU)"
    )
    print(f"device: {device} — {gpu}; size {size}²; strength {STRENGTH}; torch {torch.__version__}")
    results = []
    for name in args.models.split(","):
        t0 = time.perf_counter()
        pipe, embeds, steps = {"sdxl": sdxl, "flux": flux}[name](full, device)
        pipe.set_progress_bar_config(disable=True)
        params = sum(p.numel() for p in (pipe.unet if name == "sdxl" else pipe.transformer).parameters())
        print(
            f"{name}: denoiser {params / 1e9:.2f} B parameters, built in {time.perf_counter() - t0:.1f} s; "
            f"{steps} steps × {STRENGTH} → {int(steps * STRENGTH)} denoising steps"
        )
        for batch in (1, args.batch):
            row = {"model": name, **measure(pipe, embeds, steps, size, batch, args.runs, device)}
            print(
                f"  batch {batch}: {row['images_per_s']} images/s ({row['s_per_image']} s/image), "
                f"peak {row['peak_gib'] if row['peak_gib'] is not None else 'n/a (CPU)'} GiB"
            )
            results.append(row)
        del pipe
        if device == "cuda":
            torch.cuda.empty_cache()
    total = time.perf_counter() - started
    print(
        json.dumps(
            {
                "device": gpu,
                "size": size,
                "strength": STRENGTH,
                "results": results,
                "total_s": round(total, 1),
            }
        )
    )
    print(f"total {total:.0f} s (budget 480 s on a GPU)")


if __name__ == "__main__":
    main()
