"""Helpers shared by the reframe / expand / fit tests (small images, geometry checks)."""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image
from scipy import ndimage
from skimage import data

from pipeline.engines.classical.pyramid import Pyramid
from pipeline.ops.base import Geometry, OpContext, OpInputs, OpResult


def astronaut(size: int = 512) -> Image.Image:
    image = Image.fromarray(data.astronaut())
    return image if size == 512 else image.resize((size, size), Image.Resampling.LANCZOS)


def run(fn: Any, params: Any, image: Image.Image, *, master: Image.Image | None = None,
        geometry: Geometry | None = None, seed: int = 0, cache: dict[str, Any] | None = None) -> OpResult:
    master = master or image
    inputs = OpInputs(image, master, geometry or Geometry.identity(master.size))
    ctx = OpContext(seed=seed, cache={} if cache is None else cache)
    return fn(inputs, params, ctx)


Box = tuple[float, ...] | list[float]


def inside(face: Box, box: Box, tol: float = 0.5) -> bool:
    return (face[0] >= box[0] - tol and face[1] >= box[1] - tol
            and face[2] <= box[2] + tol and face[3] <= box[3] + tol)


def roundtrip_error(result: OpResult, master: Image.Image, blur: float = 0.0) -> float:
    """Mean |output − master resampled through the result's geometry| on pixels showing the master.

    ``blur`` (Gaussian σ, px) compares structure only, for outputs that lost resolution on the way.
    """
    geometry = result.geometry
    expected = np.asarray(Pyramid(master).resample(geometry.source_box, geometry.output_size), np.float32)
    shown = np.ones(expected.shape[:2], bool)
    if result.generated_mask is not None:
        shown = ~ndimage.binary_dilation(result.generated_mask > 0, iterations=4)
    actual = np.asarray(result.image, np.float32)
    if blur:
        actual, expected = (ndimage.gaussian_filter(a, (blur, blur, 0)) for a in (actual, expected))
    diff = np.abs(actual - expected)
    return float(diff[shown].mean())
