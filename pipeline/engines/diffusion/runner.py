"""Calling a diffusers pipeline the same way everywhere: seeds, steps, sizes, progress.

Seeds: one CPU ``torch.Generator`` per image, seeded ``seed + i`` (a list, never ``[g] * n``),
so image *i* of a batch is reproducible from its own recorded seed and CPU/GPU runs start from
the same noise (reference/mission_anchors.md §2).
"""

from __future__ import annotations

import inspect
import math
import threading
from typing import Any

from PIL import Image

from pipeline.ops.base import OpContext

# One model call at a time per process: the local queue runs jobs in threads, and pipelines derived
# with from_pipe share one scheduler object, whose set_timesteps() state a second call would clobber.
# A GPU gains nothing from interleaving two denoising loops anyway.
MODEL_LOCK = threading.Lock()

# Latent stride per architecture: SD/SDXL VAEs downsample 8×; FLUX packs 2×2 latents on top.
NOMINAL_MULTIPLE = {"flux": 16, "sd": 8}


def arch(pipe: Any) -> str:
    """``flux`` or ``sd`` (SD 1.5 and SDXL call alike)."""
    return "flux" if type(pipe).__name__.startswith("Flux") else "sd"


def size_multiple(pipe: Any) -> int:
    """The multiple a pipeline's height/width must be: max of the nominal and the loaded VAE's stride."""
    vae_factor = int(getattr(pipe, "vae_scale_factor", 8))
    computed = vae_factor * 2 if arch(pipe) == "flux" else vae_factor
    return max(NOMINAL_MULTIPLE[arch(pipe)], computed)


def generators(seeds: list[int]) -> list[Any]:
    import torch

    return [torch.Generator("cpu").manual_seed(int(s)) for s in seeds]


def steps_for_strength(steps: int, strength: float) -> tuple[int, str | None]:
    """img2img runs ``int(steps · strength)`` steps; raise ``steps`` so at least one runs."""
    if int(steps * strength) >= 1:
        return steps, None
    needed = math.ceil(1 / strength)
    return needed, f"steps raised from {steps} to {needed} so strength {strength:g} runs at least one step"


def accepts(pipe: Any, name: str) -> bool:
    return name in inspect.signature(type(pipe).__call__).parameters


def call(pipe: Any, ctx: OpContext, label: str, *, steps: int, **kwargs: Any) -> list[Image.Image]:
    """Run ``pipe`` with ``kwargs`` (those it does not take are left out) and report progress.

    Flux takes no negative prompt without true CFG (twice the compute): it is dropped, and the
    caller records that.
    """
    kwargs = {k: v for k, v in kwargs.items() if v is not None and accepts(pipe, k)}
    if arch(pipe) == "flux":
        kwargs.pop("negative_prompt", None)
        # FLUX.1-schnell takes at most 256 T5 tokens; ad briefs are far shorter.
        kwargs.setdefault("max_sequence_length", 256)
    kwargs["num_inference_steps"] = steps
    if accepts(pipe, "callback_on_step_end"):
        total = max(1, int(steps * kwargs.get("strength", 1.0)))

        def on_step(_pipe: Any, step: int, _timestep: Any, tensors: dict[str, Any]) -> dict[str, Any]:
            ctx.progress(min(1.0, (step + 1) / total), f"{label}: step {step + 1}")
            return tensors

        kwargs["callback_on_step_end"] = on_step
    with MODEL_LOCK:
        return list(pipe(**kwargs).images)
