"""Region masks: box, uploaded mask, subject segmentation (GrabCut + guided refinement), feathering."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
import pytest
from PIL import Image
from skimage import data

from pipeline.engines.classical import masks
from pipeline.errors import BadInput, BadRequest
from pipeline.ops.fields import Box

# Inner part of the astronaut's face (eyes to mouth) and her chest, in the 512² image.
FACE_CORE = (195, 100, 250, 150)
CHEST = (150, 300, 250, 380)


@pytest.fixture(scope="module")
def astronaut() -> Image.Image:
    return Image.fromarray(data.astronaut())


@pytest.fixture(scope="module")
def cache() -> dict[str, Any]:
    return {}


def test_box_mask_is_exact() -> None:
    mask = masks.box_mask((200, 100), Box(left=0.25, top=0.5, right=0.75, bottom=1.0))
    assert mask.shape == (100, 200) and mask.dtype == np.float32
    assert mask[50:100, 50:150].min() == 1.0
    assert mask.sum() == 50 * 100


def test_region_mask_refuses_missing_inputs(astronaut: Image.Image) -> None:
    with pytest.raises(BadRequest, match="region=box needs a `box`"):
        masks.region_mask(astronaut, "box")
    with pytest.raises(BadInput, match="uploaded mask"):
        masks.region_mask(astronaut, "mask", extras={})
    with pytest.raises(BadInput, match="empty"):
        masks.region_mask(astronaut, "mask", extras={"mask": Image.new("L", (64, 64), 0)})


def test_uploaded_mask_greyscale_is_resized(astronaut: Image.Image) -> None:
    upload = np.zeros((64, 64), np.uint8)
    upload[:, 32:] = 255  # right half
    notes: list[str] = []
    record: dict[str, Any] = {}
    extras = {"mask": Image.fromarray(upload)}
    mask = masks.region_mask(astronaut, "mask", extras=extras, record=record, notes=notes)
    assert mask.shape == (512, 512)
    assert mask[:, 270:].min() == 1.0 and mask[:, :240].max() == 0.0
    assert record["uploaded_mask_size"] == [64, 64] and notes == []
    masks.region_mask(astronaut, "mask", extras={"mask": Image.fromarray(upload[:32])}, notes=notes)
    assert notes and "stretched" in notes[0]  # a 2:1 mask on a square image is said, not hidden


def test_uploaded_rgba_mask_uses_opacity_when_transparent() -> None:
    strokes = np.zeros((40, 40, 4), np.uint8)
    strokes[10:20, 10:30] = (255, 0, 0, 255)  # red strokes on a transparent sheet
    mask = masks.uploaded_mask(Image.fromarray(strokes, "RGBA"), (40, 40))
    assert mask[10:20, 10:30].min() == 1.0 and mask.sum() == 200
    opaque = np.zeros((40, 40, 4), np.uint8)
    opaque[..., 3] = 255
    opaque[:20, :, :3] = 255  # ordinary white-on-black mask saved as RGBA
    mask = masks.uploaded_mask(Image.fromarray(opaque, "RGBA"), (40, 40))
    assert mask[:20].min() == 1.0 and mask[20:].max() == 0.0


def test_feather_is_zero_beyond_radius_and_one_inside() -> None:
    hard = np.zeros((100, 100), np.float32)
    hard[30:70, 30:70] = 1
    soft = masks.feather(hard, 6)
    grown = masks.dilate(hard, 6)
    assert soft[grown == 0].max() == 0.0, "feather leaks beyond its radius"
    assert soft[37:63, 37:63].min() == 1.0
    assert 0.3 < soft[50, 30] < 0.7  # the old edge is half way
    assert np.all(np.diff(soft[50, 20:50]) >= 0)  # a monotone ramp
    assert np.array_equal(masks.feather(hard, 0), hard)
    outward = masks.feather_outward(hard, 6)
    assert outward[hard == 1].min() == 1.0 and outward[grown == 0].max() == 0.0


def test_guided_upsampling_snaps_to_image_edges() -> None:
    # A shape photographed at full size; its mask known only at 1/8 size (as GrabCut's would be).
    rgb = np.full((256, 256, 3), 40, np.uint8)
    shape = np.array([[60, 50], [200, 70], [180, 210], [90, 190], [120, 120]], np.int32)
    cv2.fillPoly(rgb, [shape], (220, 200, 180), cv2.LINE_AA)
    truth = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY) > 130
    small = cv2.resize(truth.astype(np.float32), (32, 32), interpolation=cv2.INTER_AREA)
    small = (small > 0.5).astype(np.float32)
    plain = cv2.resize(small, (256, 256), interpolation=cv2.INTER_LINEAR) > 0.5
    refined = masks.refine_upsample(small, rgb)
    assert refined.min() >= 0 and refined.max() <= 1
    # Wrongly labelled pixels: the refined edge follows the photo's edge, the plain one the blocks.
    assert ((refined > 0.5) != truth).mean() < 0.2 * (plain != truth).mean()


def test_subject_mask_segments_the_astronaut(astronaut: Image.Image, cache: dict[str, Any]) -> None:
    subject = masks.region_mask(astronaut, "subject", cache=cache)
    assert subject.shape == (512, 512) and subject.dtype == np.float32
    x0, y0, x1, y1 = FACE_CORE
    assert subject[y0:y1, x0:x1].min() == 1.0, "face not in the subject"
    x0, y0, x1, y1 = CHEST
    assert subject[y0:y1, x0:x1].mean() > 0.95, "torso not in the subject"
    for corner in (subject[:40, :40], subject[:40, -40:], subject[150:200, -60:]):
        assert corner.max() == 0.0, "background taken as subject"
    assert 0.2 < subject.mean() < 0.6
    background = masks.region_mask(astronaut, "background", cache=cache)
    assert np.allclose(background, 1 - subject, atol=0.011)


def test_subject_mask_is_memoised_and_reproducible(astronaut: Image.Image, cache: dict[str, Any]) -> None:
    first = masks.subject_mask(astronaut, cache)
    assert masks.subject_mask(astronaut, cache) is first
    assert not first.flags.writeable  # shared through the batch cache
    fresh = masks.subject_mask(astronaut.copy(), {})
    assert np.array_equal(first, fresh)
