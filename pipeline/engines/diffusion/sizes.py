"""Working sizes for diffusion models: never above the model's comfortable area, always a multiple
of its latent stride (8 for SD/SDXL, 16 for FLUX).

The content is resized (only ever down) to fit ``max_pixels``, then the canvas is padded
*up* to the multiple by repeating edge pixels; after the model runs the padding is cut off and
the content resized back to the exact size. Every adjustment is reported in ``notes``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image


def round_up(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple


@dataclass(frozen=True)
class WorkPlan:
    """How an output of ``size`` is produced by a model working at ``padded``."""

    size: tuple[int, int]  # the exact size wanted at the end
    content: tuple[int, int]  # the content at working scale (≤ size)
    padded: tuple[int, int]  # content padded right/bottom up to the model multiple
    multiple: int
    notes: list[str] = field(default_factory=list)

    @property
    def scale(self) -> float:
        return self.content[0] / self.size[0]

    def to_json(self) -> dict[str, object]:
        return {
            "size": list(self.size),
            "content": list(self.content),
            "padded": list(self.padded),
            "multiple": self.multiple,
        }


def plan_work(size: tuple[int, int], multiple: int, max_pixels: int) -> WorkPlan:
    """Choose the working content size and padded model size for an output of ``size``."""
    w, h = size
    scale = min(1.0, math.sqrt(max_pixels / (w * h)))
    content = (max(1, round(w * scale)), max(1, round(h * scale)))
    # Padding could push the canvas past max_pixels; shrink until the padded canvas fits.
    while (
        content[0] > multiple
        and content[1] > multiple
        and round_up(content[0], multiple) * round_up(content[1], multiple) > max_pixels
    ):
        scale *= 0.98
        content = (max(1, round(w * scale)), max(1, round(h * scale)))
    padded = (round_up(content[0], multiple), round_up(content[1], multiple))
    notes = []
    if content != size:
        notes.append(
            f"generated at {content[0]}×{content[1]} (the model's working limit is "
            f"{max_pixels / 1e6:.2f} MP) and resized to {w}×{h}"
        )
    if padded != content:
        notes.append(
            f"model canvas rounded up from {content[0]}×{content[1]} to {padded[0]}×{padded[1]} "
            f"(multiple of {multiple}); the padding was cut off"
        )
    return WorkPlan(size, content, padded, multiple, notes)


def to_work(rgb: np.ndarray, plan: WorkPlan, interpolation: int = cv2.INTER_AREA) -> np.ndarray:
    """Resize an H×W(×C) array of ``plan.size`` to the content size and edge-pad it to ``plan.padded``."""
    out = rgb
    if plan.content != plan.size:
        out = cv2.resize(rgb, plan.content, interpolation=interpolation)
    pad_x, pad_y = plan.padded[0] - plan.content[0], plan.padded[1] - plan.content[1]
    if pad_x or pad_y:
        out = cv2.copyMakeBorder(out, 0, pad_y, 0, pad_x, cv2.BORDER_REPLICATE)
    return out


def from_work(image: Image.Image, plan: WorkPlan) -> np.ndarray:
    """A model output at ``plan.padded`` → uint8 RGB at ``plan.size`` (padding cut, then resized)."""
    rgb = np.asarray(image.convert("RGB"))
    if rgb.shape[1] != plan.padded[0] or rgb.shape[0] != plan.padded[1]:
        # A pipeline that snapped the size itself: bring it to the padded canvas we asked for.
        rgb = cv2.resize(rgb, plan.padded, interpolation=cv2.INTER_CUBIC)
    rgb = rgb[: plan.content[1], : plan.content[0]]
    if plan.content != plan.size:
        rgb = np.asarray(Image.fromarray(rgb).resize(plan.size, Image.Resampling.LANCZOS))
    return np.ascontiguousarray(rgb)
