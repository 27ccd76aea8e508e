"""Run the fill/inpaint model on a canvas: the shared core of expand, fit, clean and swap.

The caller builds the canvas (what the model should see) and the mask (white = generate); this
module fits both to the model's working size, runs one seeded call and brings the result back
to the canvas size. Compositing the original back is the caller's job (``blend.py``).
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
from PIL import Image

from pipeline.engines.diffusion.runner import call, generators, size_multiple
from pipeline.engines.diffusion.sizes import from_work, plan_work, to_work
from pipeline.engines.diffusion.warm import WarmSet
from pipeline.ops.base import OpContext


def fill_model_id(warm: WarmSet) -> str:
    return warm.config.generate if warm.config.fill == "base" else warm.config.fill


def fill_canvas(
    warm: WarmSet,
    ctx: OpContext,
    canvas: np.ndarray,
    mask: np.ndarray,
    prompt: str,
    *,
    label: str,
    strength: float = 1.0,
    reference: Image.Image | None = None,
    negative_prompt: str = "",
) -> tuple[np.ndarray, dict[str, Any], list[str]]:
    """Generate where ``mask`` (bool H×W) is set on ``canvas`` (uint8 H×W×3).

    Returns the model's rendering of the whole canvas (uint8, canvas size), a provenance record
    and notes (size rounding, dropped inputs). ``reference`` is the IP-Adapter image, if one is set.
    """
    pipe = warm.inpaint()
    height, width = canvas.shape[:2]
    plan = plan_work((width, height), size_multiple(pipe), warm.config.max_pixels)
    image = to_work(canvas, plan)
    # The padding strip is generated too (then cut off): a replicated edge is no real context.
    work_mask = to_work(mask.astype(np.uint8) * 255, plan, cv2.INTER_NEAREST)
    pad_w, pad_h = plan.padded[0] - plan.content[0], plan.padded[1] - plan.content[1]
    if pad_w:
        work_mask[:, plan.content[0] :] = 255
    if pad_h:
        work_mask[plan.content[1] :, :] = 255
    model = fill_model_id(warm)
    steps = warm.config.default_steps(model)
    notes = list(plan.notes)
    extra = warm.ip_adapter_kwargs(pipe, reference) if reference is not None else {}
    if warm.config.ip_adapter is not None and not extra:
        notes.append(f"IP-Adapter not used: {type(pipe).__name__} takes no image prompt")
    images = call(
        pipe,
        ctx,
        label,
        steps=steps,
        prompt=prompt,
        negative_prompt=negative_prompt or None,
        image=Image.fromarray(image),
        mask_image=Image.fromarray(work_mask),
        strength=strength,
        height=plan.padded[1],
        width=plan.padded[0],
        generator=generators([ctx.seed]),
        **extra,
    )
    record = {
        "model": model,
        "pipeline": type(pipe).__name__,
        "steps": steps,
        "strength": strength,
        "work": plan.to_json(),
        "ip_adapter": bool(extra),
    }
    return from_work(images[0], plan), record, notes
