"""Helpers shared by the brand tests: framed masters, running the op, measuring what it drew."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from PIL import Image
from scipy import ndimage
from skimage import data

from pipeline.brandkit import BrandKit
from pipeline.engines.classical.branding import contrast, hex_rgb, relative_luminance
from pipeline.ops.base import Geometry, OpContext, OpInputs, OpResult
from pipeline.ops.brand import BrandParams, brand
from pipeline.ops.fit import FitParams, fit

Box = tuple[float, float, float, float] | list[float] | list[int]
# The astronaut's face inside ``face_crop()`` (the crop's own pixels): brow to chin, ear to ear.
FACE_IN_CROP = (25, 26, 115, 116)


def astronaut() -> Image.Image:
    return Image.fromarray(data.astronaut())


@dataclass(frozen=True)
class Framed:
    """What `fit` hands brand: pixels, the geometry to the master, a layout and its designed mask."""

    image: Image.Image
    geometry: Geometry
    layout: dict[str, Any] | None
    designed: np.ndarray | None


@lru_cache(maxsize=32)
def framed(spec: str) -> Framed:
    """The demo portrait framed for ``spec`` by `fit`, as the pipeline does before brand."""
    master = astronaut()
    result = fit(
        OpInputs(master, master, Geometry.identity(master.size)), FitParams(spec=spec), OpContext(seed=1)
    )
    return Framed(result.image, result.geometry, result.layout, result.designed_mask)


def brand_framed(
    spec: str, kit: BrandKit | None, *, image: Image.Image | None = None, **params: object
) -> tuple[Framed, OpResult]:
    """`fit` then `brand` on the demo portrait, as a variant's chain runs them."""
    f = framed(spec)
    result = run(
        f.image if image is None else image,
        kit,
        master=astronaut(),
        geometry=f.geometry,
        layout=f.layout,
        designed=f.designed,
        spec=spec,
        **params,
    )
    return f, result


def run(
    image: Image.Image,
    kit: BrandKit | None,
    *,
    master: Image.Image | None = None,
    geometry: Geometry | None = None,
    layout: dict[str, Any] | None = None,
    designed: np.ndarray | None = None,
    cache: dict[str, Any] | None = None,
    **params: object,
) -> OpResult:
    """The brand op as the executor calls it: the kit's logo, fonts and style."""
    master = master or image
    inputs = OpInputs(
        image,
        master,
        geometry or Geometry.identity(image.size),
        extras={"logo": kit.logo} if kit and kit.logo else {},
        texts=kit.texts() if kit else {},
        layout=layout,
        designed_mask=designed,
        style=kit.style() if kit else {},
    )
    return brand(inputs, BrandParams(**params), OpContext(seed=3, cache={} if cache is None else cache))  # type: ignore[arg-type]


def overlaps(a: Box | None, b: Box, pad: float = 0.0) -> bool:
    if not a:
        return False
    return not (a[2] + pad <= b[0] or b[2] <= a[0] - pad or a[3] + pad <= b[1] or b[3] <= a[1] - pad)


def drawn_boxes(result: OpResult) -> list[Box]:
    return [result.record[k] for k in ("logo_box", "text_box", "scrim_box") if result.record.get(k)]


def untouched(result: OpResult, before: Image.Image, box: Box) -> bool:
    """No pixel of ``box`` changed, and none is in the designed mask."""
    x0, y0, x1, y1 = (
        int(np.floor(box[0])),
        int(np.floor(box[1])),
        int(np.ceil(box[2])),
        int(np.ceil(box[3])),
    )
    same = np.array_equal(np.asarray(result.image)[y0:y1, x0:x1], np.asarray(before)[y0:y1, x0:x1])
    mask = result.designed_mask
    return same and (mask is None or not mask[y0:y1, x0:x1].any())


def measured_contrast(result: OpResult) -> float:
    """WCAG contrast of the copy on the output, measured here independently of the op's own number.

    Glyph pixels are those close to the copy colour (contrast < 2:1 against it); the background is
    every pixel of the line boxes (grown 3 px) more than 2 px from a glyph pixel; its worst 5 %
    (toward the copy colour) is what the copy must stand out from.
    """
    copy = result.record["copy"]
    pixels = np.asarray(result.image.convert("RGB"))
    text_l = float(relative_luminance(np.array(hex_rgb(copy["colour"]), np.uint8)))
    worst = 21.0
    for x0, y0, x1, y1 in copy["line_boxes"]:
        x0, y0 = max(0, x0 - 3), max(0, y0 - 3)
        region = pixels[y0 : y1 + 3, x0 : x1 + 3]
        lum = relative_luminance(region)
        glyph = (np.maximum(lum, text_l) + 0.05) / (np.minimum(lum, text_l) + 0.05) < 2.0
        background = lum[~ndimage.binary_dilation(glyph, iterations=2)]
        if background.size == 0:  # the whole box looks like the copy: no contrast to speak of
            background = lum.ravel()
        light, dark = np.percentile(background, 95), np.percentile(background, 5)
        worst = min(worst, contrast(text_l, float(light)), contrast(text_l, float(dark)))
    return worst


def face_crop() -> Image.Image:
    """The astronaut's head (hair to chin), to paste as a synthetic face anywhere."""
    return astronaut().crop((150, 50, 290, 200))


def with_face(size: tuple[int, int], corner: str) -> tuple[Image.Image, tuple[float, float, float, float]]:
    """A calm gradient canvas with a face pasted into ``corner``; the face's true box (canvas pixels)."""
    w, h = size
    side = round(min(w, h, max(w, h) * 0.5) * 0.9)
    head = face_crop()
    scale = min(side / head.width, 0.95 * h / head.height)
    head = head.resize((round(head.width * scale), round(head.height * scale)), Image.Resampling.LANCZOS)
    ys, xs = np.mgrid[0:64, 0:64] / 63.0  # a small gradient, stretched: cheap at 5760×1680 too
    small = np.stack([120 + 60 * xs, 140 + 40 * ys, 170 - 50 * xs], -1).astype(np.uint8)
    canvas = Image.fromarray(small).resize((w, h), Image.Resampling.BILINEAR)
    x = 0 if corner.endswith("left") else w - head.width
    y = 0 if corner.startswith("top") else h - head.height
    canvas.paste(head, (x, y))
    face = tuple(x + v * scale if i % 2 == 0 else y + v * scale for i, v in enumerate(FACE_IN_CROP))
    return canvas, face  # type: ignore[return-value]
