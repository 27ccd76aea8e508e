"""Draw a layout (photo + designed panel) or a cut-out packshot on its designed backdrop, at output size.

Both return the picture, the *designed* mask (1 where keyart designed the pixels rather than showing
the master: the panel, the seam's feather, a packshot's backdrop) and a record of the fill, which
the executor keeps in the lineage and `brand` reads to put copy on the panel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from pipeline.engines.classical import panels
from pipeline.engines.classical.layout import LayoutPlan
from pipeline.engines.classical.outpaint import fine_detail
from pipeline.engines.classical.pyramid import Pyramid
from pipeline.engines.classical.render import place_window

_FEATHER = 0.06  # share of the photo's extent over which it melts into a gradient or ambient panel
_FEATHER_MAX = 40  # px
_AMBIENT_WORK = 256  # long side of the master copy the ambient blur is computed from
_SHADOW_OPACITY = 0.22
_OPAQUE = 0.97  # a packshot pixel below this alpha shows the backdrop too: designed, not compared


@dataclass(frozen=True)
class Composed:
    image: Image.Image
    designed: np.ndarray  # float32 0/1 at output size
    record: dict[str, Any]


def compose_layout(
    pyramid: Pyramid, plan: LayoutPlan, fill: panels.Fill, *, accent: str | None, rng: np.random.Generator,
    copy_colour: str | None = None,
) -> Composed:
    """The photo window in its part of the frame, the designed panel in the rest."""
    width, height = plan.size
    px0, py0, px1, py1 = plan.photo
    photo = np.asarray(pyramid.resample(plan.window, (px1 - px0, py1 - py0)).convert("RGB"), np.float32)
    seam = panels.seam_colour(photo, plan.side)
    panel_box = plan.panel
    pw, ph = panel_box[2] - panel_box[0], panel_box[3] - panel_box[1]
    towards = {"left": "right", "right": "left", "top": "bottom", "bottom": "top"}[plan.side]
    fill, colours, pixels = _panel_pixels(pyramid, plan, fill, accent, seam, (pw, ph), towards, copy_colour)
    grain = float(np.mean(fine_detail(photo.astype(np.uint8))))
    canvas = np.zeros((height, width, 3), np.float32)
    designed = np.zeros((height, width), np.float32)
    feather = 0 if fill == "brand" else min(_FEATHER_MAX, round(_FEATHER * min(photo.shape[:2])))
    photo = _melt(photo, pixels, plan.side, feather)
    canvas[py0:py1, px0:px1] = photo
    canvas[panel_box[1] : panel_box[3], panel_box[0] : panel_box[2]] = pixels
    designed[panel_box[1] : panel_box[3], panel_box[0] : panel_box[2]] = 1.0
    if feather:
        _mark_feather(designed, plan, feather)
    out = panels.with_grain(canvas, grain, rng)
    out[py0:py1, px0:px1][designed[py0:py1, px0:px1] == 0] = np.clip(
        np.rint(photo[designed[py0:py1, px0:px1] == 0]), 0, 255
    ).astype(np.uint8)  # master pixels: no grain
    record = {
        **plan.to_record(),
        "fill": {"kind": fill, "colours": colours},
        "feather_px": feather,
        "scale": round(plan.scale, 5),
    }
    return Composed(Image.fromarray(out), designed, record)


def _panel_pixels(
    pyramid: Pyramid,
    plan: LayoutPlan,
    fill: panels.Fill,
    accent: str | None,
    seam: np.ndarray,
    size: tuple[int, int],
    towards: str,
    copy_colour: str | None,
) -> tuple[panels.Fill, list[str], np.ndarray]:
    w, h = size
    if fill == "brand" and accent:
        colour = panels.rgb_of(accent)
        return "brand", [accent.upper()], np.broadcast_to(colour, (h, w, 3)).astype(np.float32)
    if fill == "ambient":
        small = _small(pyramid)
        pixels = panels.ambient(small, plan.frame_box(), pyramid.size, plan.panel, plan.size)
        return "ambient", [panels.hex_of(np.median(pixels.reshape(-1, 3), axis=0))], pixels
    if fill == "white":
        return "white", ["#FFFFFF"], np.full((h, w, 3), 255.0, np.float32)
    far = panels.deeper(seam, copy_colour)
    return (
        "border_gradient",
        [panels.hex_of(seam), panels.hex_of(far)],
        panels.gradient((w, h), seam, far, towards),
    )


def _small(pyramid: Pyramid) -> np.ndarray:
    k = 0
    while max(pyramid.level_size(k + 1)) >= _AMBIENT_WORK and k < 12:
        k += 1
    return np.asarray(pyramid.level(k).convert("RGB"), np.float32)


def _melt(photo: np.ndarray, panel: np.ndarray, side: str, width: int) -> np.ndarray:
    """Blend the photo's last ``width`` px towards the seam into the panel's first row/column."""
    if width <= 0:
        return photo
    out = photo.copy()
    if side in ("left", "right"):
        edge = panel[:, :1] if side == "left" else panel[:, -1:]
        weights = panels.feather_weights(photo.shape[1], width)
        if side == "right":
            weights = weights[::-1]
        return out * (1 - weights[None, :, None]) + edge * weights[None, :, None]
    edge = panel[:1] if side == "top" else panel[-1:]
    weights = panels.feather_weights(photo.shape[0], width)
    if side == "bottom":
        weights = weights[::-1]
    return out * (1 - weights[:, None, None]) + edge * weights[:, None, None]


def _mark_feather(designed: np.ndarray, plan: LayoutPlan, width: int) -> None:
    x0, y0, x1, y1 = plan.photo
    if plan.side == "left":
        designed[y0:y1, x1 - width : x1] = 1.0
    elif plan.side == "right":
        designed[y0:y1, x0 : x0 + width] = 1.0
    elif plan.side == "top":
        designed[y1 - width : y1, x0:x1] = 1.0
    else:
        designed[y0 : y0 + width, x0:x1] = 1.0


def compose_packshot(
    pyramid: Pyramid,
    window: tuple[float, float, float, float],
    size: tuple[int, int],
    backdrop: str,
    *,
    accent: str | None,
    rng: np.random.Generator,
) -> Composed:
    """A cut-out (RGBA) master's ``window`` on a designed backdrop at ``size``.

    The window may reach past the master: there is nothing to continue, only more backdrop. Pixels
    hidden under transparent alpha never reach the output (Pillow resamples RGBA premultiplied, and
    the window's outside is transparent, not edge-replicated). ``backdrop="transparent"`` keeps alpha.
    """
    width, height = size
    placed = place_window(window, pyramid.size, size)
    ox0, oy0, ox1, oy1 = placed.rect
    layer = np.zeros((height, width, 4), np.float32)
    part = pyramid.resample(placed.visible, (ox1 - ox0, oy1 - oy0)).convert("RGBA")
    layer[oy0:oy1, ox0:ox1] = np.asarray(part, np.float32)
    alpha = layer[..., 3:] / 255.0
    record: dict[str, Any] = {"backdrop": backdrop, "window": [round(v, 3) for v in placed.drawn]}
    designed = (alpha[..., 0] < _OPAQUE).astype(np.float32)
    if backdrop == "transparent":
        out = np.concatenate([layer[..., :3] * (alpha > 0), layer[..., 3:]], axis=2)
        record["fill"] = {"kind": "transparent", "colours": []}
        return Composed(
            Image.fromarray(np.clip(np.rint(out), 0, 255).astype(np.uint8), "RGBA"), designed, record
        )
    if backdrop == "brand" and accent:
        base = np.broadcast_to(panels.rgb_of(accent), (height, width, 3)).astype(np.float32)
        colours = [accent.upper()]
    elif backdrop == "gradient":
        top, bottom = np.array([250.0, 250.0, 250.0], np.float32), np.array([222.0, 222.0, 224.0], np.float32)
        base = panels.gradient((width, height), top, bottom, "bottom")
        colours = [panels.hex_of(top), panels.hex_of(bottom)]
    else:
        base = np.full((height, width, 3), 255.0, np.float32)
        colours = ["#FFFFFF"]
    base = _with_shadow(base, alpha[..., 0])
    out = base * (1 - alpha) + layer[..., :3] * alpha
    record["fill"] = {"kind": backdrop if backdrop in ("brand", "gradient") else "white", "colours": colours}
    return Composed(Image.fromarray(panels.with_grain(out, 0.0, rng)), designed, record)


def _with_shadow(base: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """A soft contact shadow under the product: its silhouette offset down and blurred (worked out on a
    ≤ 512 px copy: a shadow has no detail, and an A4 print would otherwise blur 8.7 MP)."""
    import cv2

    height, width = alpha.shape
    rows = np.flatnonzero(alpha.max(axis=1) > 0.5)
    if rows.size == 0:
        return base
    scale = min(1.0, 512 / max(height, width))
    small = cv2.resize(alpha, (max(1, round(width * scale)), max(1, round(height * scale))),
                       interpolation=cv2.INTER_AREA) if scale < 1 else alpha
    extent = (rows[-1] - rows[0] + 1) * scale
    offset = max(1, round(0.03 * extent))
    shadow = np.zeros_like(small)
    if offset < small.shape[0]:
        shadow[offset:] = small[:-offset]
    shadow = cv2.GaussianBlur(shadow, (0, 0), sigmaX=max(1.0, 0.04 * extent))
    if scale < 1:
        shadow = cv2.resize(shadow, (width, height), interpolation=cv2.INTER_LINEAR)
    return base * (1 - _SHADOW_OPACITY * np.clip(shadow, 0, 1)[..., None])
