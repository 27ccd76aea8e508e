"""Masks and layouts follow the chain through crops, resizes and steps that redraw nothing."""

from __future__ import annotations

import numpy as np
from PIL import Image

from pipeline.ops.base import Geometry, OpResult
from pipeline.ops.carry import Carried, remap_box, remap_mask


def result(geometry: Geometry, **masks: np.ndarray | None) -> OpResult:
    return OpResult(Image.new("RGB", geometry.output_size), geometry, **masks)  # type: ignore[arg-type]


def test_a_resize_scales_the_mask_and_a_crop_moves_it() -> None:
    master = Geometry.identity((100, 50))
    mask = np.zeros((50, 100), np.float32)
    mask[:, 80:] = 1  # the right fifth was generated
    doubled = master.then_resize((200, 100))
    up = remap_mask(mask, master, doubled)
    assert up is not None and up.shape == (100, 200)
    assert up[:, 160:].all() and not up[:, :160].any()
    cropped = master.then_crop((50, 0, 100, 50), (50, 50))  # the right half, 1:1
    moved = remap_mask(mask, master, cropped)
    assert moved is not None and moved[:, 30:].all() and not moved[:, :30].any()


def test_a_region_cropped_away_leaves_no_mask_and_a_new_border_is_not_invented() -> None:
    master = Geometry.identity((100, 50))
    mask = np.zeros((50, 100), np.float32)
    mask[:, :10] = 1
    assert remap_mask(mask, master, master.then_crop((20, 0, 70, 50), (50, 50))) is None
    wider = master.then_crop((-50, 0, 100, 50), (150, 50))  # pixels beyond the old frame: no source
    grown = remap_mask(mask, master, wider)
    assert grown is not None and not grown[:, :50].any() and grown[:, 50:60].all()


def test_masks_unite_across_steps_and_a_layout_moves_with_the_frame() -> None:
    master = Geometry.identity((100, 50))
    designed = np.zeros((50, 100), np.float32)
    designed[:, 60:] = 1
    carried = Carried().after(master, result(master, designed_mask=designed))
    carried = Carried(carried.generated, carried.designed, {"panel_box": [60, 0, 100, 50], "fill": "brand"})
    logo = np.zeros((100, 200), np.float32)
    logo[:10, :10] = 1
    up = master.then_resize((200, 100))
    after = carried.after(master, result(up, designed_mask=logo))
    assert after.designed is not None and after.designed.shape == (100, 200)
    assert after.designed[:, 120:].all() and after.designed[:10, :10].all()
    assert not after.designed[50:, :100].any()
    assert after.layout == {"panel_box": [120.0, 0.0, 200.0, 100.0], "fill": "brand"}
    assert remap_box([60, 0, 100, 50], master, up) == [120.0, 0.0, 200.0, 100.0]


def test_a_step_that_keeps_the_frame_keeps_the_masks_unchanged() -> None:
    master = Geometry.identity((30, 20))
    generated = np.zeros((20, 30), np.float32)
    generated[5:8, 5:8] = 1
    carried = Carried(generated=generated)
    assert carried.after(master, result(master)).generated is generated
