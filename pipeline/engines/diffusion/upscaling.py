"""Model upscaling in tiles: a spandrel model (Real-ESRGAN, SwinIR, HAT, …) or the SD x4 upscaler.

Memory stays bounded by the tile: each tile (with ``OVERLAP`` px of context on inner edges) is
upscaled on its own and the tiles are blended with linear ramps across the overlaps, so no seam
shows on smooth gradients (Acly/krita-ai-diffusion#1117). The op resamples the model's output to
the exact target afterwards.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from PIL import Image

from pipeline.engines.diffusion.runner import MODEL_LOCK, call, generators
from pipeline.engines.diffusion.warm import WarmSet
from pipeline.ops.base import OpContext

OVERLAP = 16  # input pixels shared by neighbouring tiles
SD_X4_MAX_TILE = 256  # input px: the SD x4 UNet's attention grows with the square of the tile
SD_X4_NOISE_LEVEL = 20
TileFn = Callable[[np.ndarray, int], np.ndarray]  # (uint8 tile, tile index) -> float32 upscaled tile


def _starts(n: int, tile: int, step: int) -> list[int]:
    if n <= tile:
        return [0]
    starts = list(range(0, n - tile, step))
    return [*starts, n - tile]


def _ramp(length: int, overlap: int, lead: bool, trail: bool) -> np.ndarray:
    w = np.ones(length, np.float32)
    ramp = (np.arange(overlap, dtype=np.float32) + 1) / (overlap + 1)
    if lead and overlap:
        w[:overlap] = ramp
    if trail and overlap:
        w[length - overlap :] = ramp[::-1]
    return w


def tiled(
    rgb: np.ndarray, tile: int, scale: int, fn: TileFn, progress: Callable[[float], None]
) -> np.ndarray:
    """Upscale ``rgb`` by ``scale`` tile by tile with ``fn``; overlaps blended linearly."""
    h, w = rgb.shape[:2]
    tile = max(tile, 2 * OVERLAP + 1)
    ys, xs = _starts(h, tile, tile - OVERLAP), _starts(w, tile, tile - OVERLAP)
    out = np.zeros((h * scale, w * scale, 3), np.float32)
    weight = np.zeros((h * scale, w * scale, 1), np.float32)
    total, index = len(ys) * len(xs), 0
    for y in ys:
        for x in xs:
            piece = rgb[y : y + tile, x : x + tile]
            up = fn(np.ascontiguousarray(piece), index)[: piece.shape[0] * scale, : piece.shape[1] * scale]
            oy, ox = OVERLAP * scale, OVERLAP * scale
            wy = _ramp(up.shape[0], oy, y > 0, y + tile < h)
            wx = _ramp(up.shape[1], ox, x > 0, x + tile < w)
            wt = (wy[:, None] * wx[None, :])[..., None]
            out[y * scale : y * scale + up.shape[0], x * scale : x * scale + up.shape[1]] += up * wt
            weight[y * scale : y * scale + up.shape[0], x * scale : x * scale + up.shape[1]] += wt
            index += 1
            progress(index / total)
    return np.clip(out / np.maximum(weight, 1e-6) + 0.5, 0, 255).astype(np.uint8)


def _pad_to(arr: np.ndarray, multiple: int, minimum: int) -> np.ndarray:
    h, w = arr.shape[:2]
    th = max(minimum, -(-h // multiple) * multiple)
    tw = max(minimum, -(-w // multiple) * multiple)
    if (th, tw) == (h, w):
        return arr
    return np.pad(arr, ((0, th - h), (0, tw - w), (0, 0)), mode="reflect" if min(h, w) > 1 else "edge")


def spandrel_fn(model: Any) -> TileFn:
    import torch

    req = model.size_requirements

    def run(piece: np.ndarray, _index: int) -> np.ndarray:
        padded = _pad_to(piece, req.multiple_of, req.minimum)
        if req.square and padded.shape[0] != padded.shape[1]:
            side = max(padded.shape[:2])
            padded = np.pad(
                padded, ((0, side - padded.shape[0]), (0, side - padded.shape[1]), (0, 0)), mode="edge"
            )
        x = torch.from_numpy(padded).permute(2, 0, 1)[None].to(model.device, model.dtype) / 255.0
        with MODEL_LOCK, torch.inference_mode():
            y = model(x)
        return (y[0].permute(1, 2, 0).float().clamp(0, 1) * 255.0).cpu().numpy()

    return run


def sd_x4_fn(pipe: Any, ctx: OpContext, steps: int) -> TileFn:
    def run(piece: np.ndarray, index: int) -> np.ndarray:
        padded = _pad_to(piece, 8, 8)
        images = call(
            pipe,
            ctx,
            "upscale",
            steps=steps,
            prompt="",
            image=Image.fromarray(padded),
            noise_level=SD_X4_NOISE_LEVEL,
            generator=generators([ctx.seed + index]),
        )
        return np.asarray(images[0].convert("RGB"), np.float32)

    return run


def model_upscale(
    rgb: np.ndarray, factor: float, tile_out: int, ctx: OpContext, warm: WarmSet
) -> tuple[np.ndarray, dict[str, Any], list[str]]:
    """Upscale by the model's own factor (one or two passes, whichever first reaches ``factor``)."""
    model = warm.upscaler()
    notes: list[str] = []
    if warm.config.upscaler_is_spandrel:
        scale = int(model.scale)
        passes = 1 if scale < 2 else min(2, max(1, math.ceil(math.log(factor) / math.log(scale) - 1e-9)))
        fn, tile_in = spandrel_fn(model), max(32, tile_out // scale)
        record: dict[str, Any] = {
            "method": "spandrel",
            "architecture": model.architecture.name,
            "scale": scale,
        }
    else:
        scale, passes = 4, 1  # the SD x4 upscaler is trained for one 4x step
        steps = warm.config.default_steps("sd-x4")
        fn, tile_in = sd_x4_fn(model, ctx, steps), min(SD_X4_MAX_TILE, max(32, tile_out // scale))
        record = {"method": "sd-x4", "scale": scale, "steps": steps, "noise_level": SD_X4_NOISE_LEVEL}
    if scale**passes < factor:
        notes.append(
            f"the model reaches ×{scale**passes}; the remaining ×{factor / scale**passes:.2f} is Lanczos"
        )
    out = rgb
    for p in range(passes):

        def report(fraction: float, p: int = p) -> None:
            ctx.progress(0.9 * (p + fraction) / passes, "upscaling")

        out = tiled(out, tile_in, scale, fn, report)
    record.update(model=warm.config.upscaler, passes=passes, tile_in=tile_in, overlap=OVERLAP)
    return out, record, notes
