"""fit with output=source on the diffusion engine: outpaint the small frame, then the upscaler enlarges it."""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image

from pipeline.engines.diffusion.ops import fit_op, upscale_op
from pipeline.ops.base import OpInputs
from pipeline.ops.fit import FitParams
from pipeline.ops.upscale import UpscaleParams
from pipeline.specs import get_spec
from tests.pipeline.diffusion.conftest import P, inputs_for, pixels

SPEC = get_spec("iab-medium-rectangle")  # 6:5 from a square: a moderate expansion, outpainted


def test_fit_outpaints_at_source_scale_and_the_model_upscales_it(
    family: str, ctx_for: Any, warm: dict[str, Any], master: Image.Image
) -> None:
    master = master.resize((64, 64), Image.Resampling.LANCZOS)  # a ~77×64 frame: a quick model upscale
    params = P(FitParams, spec=SPEC.name, output="source", prompt="sky", prefer="expand")
    fitted = fit_op(inputs_for(master), params, ctx_for(family))
    w, h = fitted.image.size
    assert fitted.engine == "diffusion" and fitted.record["rule"] == "expand"
    assert fitted.record["output"] == "source" and fitted.record["size"] == [w, h]
    assert w < SPEC.width and h < SPEC.height and abs(w / h / SPEC.aspect_ratio - 1) < 0.5 / w
    assert fitted.record["work"]["size"] == [w, h]  # the model painted the small frame, not 728×90
    assert fitted.geometry.scale == (1.0, 1.0)
    # Drawn 1:1: the kept part is the master's own pixels, and the geometry says where they came from.
    x0, y0, x1, y1 = fitted.record["kept_rect"]
    left, top = (round(v) for v in fitted.geometry.source_box[:2])
    shown = pixels(master)[top + y0 : top + y1, left + x0 : left + x1]
    assert shown.size and np.array_equal(pixels(fitted.image)[y0:y1, x0:x1], shown)
    mask = fitted.generated_mask
    assert mask is not None and mask.shape == (h, w) and 0 < mask.mean() <= 0.6  # max_expand
    assert any("source's own scale" in n for n in fitted.notes)

    up = upscale_op(
        OpInputs(fitted.image, master, fitted.geometry), P(UpscaleParams, spec=SPEC.name), ctx_for(family)
    )
    assert up.engine == "diffusion" and up.model == warm[family].config.upscaler
    assert up.record["method"] in ("sd-x4", "spandrel") and up.record["factor"] > 2
    assert up.image.size == SPEC.size and abs(up.geometry.anisotropy - 1) < 1e-9
    assert not any("classical engine" in n for n in up.notes)
    assert abs(up.geometry.generated_fraction() - fitted.geometry.generated_fraction()) < 0.01
