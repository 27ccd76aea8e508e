"""`clean`: specks synthesised onto a real photo are removed, real detail is left alone; box/mask
removal keeps every pixel outside the region; clear errors for missing inputs."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
import pytest
from PIL import Image
from skimage import data

from pipeline.engines.classical.colour import lstar
from pipeline.engines.classical.despeckle import detect_specks
from pipeline.engines.classical.inpaint import inpaint
from pipeline.errors import BadInput, BadRequest
from pipeline.ops.base import Geometry, OpContext, OpInputs, OpResult
from pipeline.ops.clean import CleanParams, clean

# Real detail in the 512² astronaut that speck removal must not touch.
EYES = (185, 92, 255, 115)
PATCH = (130, 345, 210, 425)  # the mission patch, with its small lettering
ROCKET = (0.7, 0.05, 0.95, 0.3)  # a box around the model shuttle's top, as fractions


def _run(image: Image.Image, cache: dict[str, Any] | None = None, seed: int = 5, **params: Any) -> OpResult:
    extras = params.pop("extras", {})
    inputs = OpInputs(image=image, master=image, geometry=Geometry.identity(image.size), extras=extras)
    return clean(inputs, CleanParams.model_validate(params), OpContext(seed=seed, cache=cache or {}))


def _inside(x: int, y: int, box: tuple[int, int, int, int], pad: int = 0) -> bool:
    return box[0] - pad <= x < box[2] + pad and box[1] - pad <= y < box[3] + pad


Dirty = tuple[np.ndarray, list[tuple[int, int]], np.ndarray]


def add_specks(rgb: np.ndarray, count: int, seed: int) -> Dirty:
    """Dust (near-white) and dirt (near-black) blobs of 3–30 px on calm parts of the photo, away from
    the eyes and the patch. Returns the dirty image, the blob centres and their pixel mask."""
    rng = np.random.default_rng(seed)
    lum = lstar(rgb) / 100
    mean = cv2.blur(lum, (15, 15))
    calm = np.sqrt(np.maximum(cv2.blur(lum * lum, (15, 15)) - mean * mean, 0)) < 0.03
    out = rgb.astype(np.float64)
    where = np.zeros(rgb.shape[:2], bool)
    centres: list[tuple[int, int]] = []
    while len(centres) < count:
        x, y = int(rng.integers(8, rgb.shape[1] - 8)), int(rng.integers(8, rgb.shape[0] - 8))
        if not calm[y, x] or any(abs(x - a) < 20 and abs(y - b) < 20 for a, b in centres):
            continue
        if _inside(x, y, EYES, 12) or _inside(x, y, PATCH, 12):
            continue
        rx = rng.uniform(0.8, 2.8)
        ry = min(rx * rng.uniform(0.5, 2.0), 9 / rx)
        blob = np.zeros(rgb.shape[:2], np.float32)
        cv2.ellipse(blob, ((x, y), (2 * rx, 2 * ry), float(rng.uniform(0, 180))), 1.0, -1, cv2.LINE_AA)
        colour = np.array([250, 248, 244]) if lum[y, x] < 0.55 else np.array([14, 12, 12])
        out = out * (1 - blob[..., None]) + colour * blob[..., None]
        where |= blob > 0.25
        centres.append((x, y))
    return np.clip(out + 0.5, 0, 255).astype(np.uint8), centres, where


@pytest.fixture(scope="module")
def astronaut() -> np.ndarray:
    return data.astronaut()


@pytest.fixture(scope="module")
def dirty(astronaut: np.ndarray) -> Dirty:
    return add_specks(astronaut, 30, seed=11)


@pytest.fixture(scope="module")
def cleaned(dirty: Dirty) -> OpResult:
    return _run(Image.fromarray(dirty[0]))


def test_auto_removes_synthetic_specks(astronaut: np.ndarray, dirty: Any, cleaned: OpResult) -> None:
    rgb, centres, where = dirty
    out = np.asarray(cleaned.image)
    error_before = np.abs(lstar(rgb) - lstar(astronaut))
    error_after = np.abs(lstar(out) - lstar(astronaut))
    removed = 0
    for x, y in centres:
        blob = where[y - 6 : y + 7, x - 6 : x + 7]
        assert error_before[y - 6 : y + 7, x - 6 : x + 7][blob].max() > 20  # the speck was visible
        removed += error_after[y - 6 : y + 7, x - 6 : x + 7][blob].mean() < 4
    assert removed >= 0.9 * len(centres), f"only {removed}/{len(centres)} specks removed"
    assert cleaned.record["specks"] <= len(centres) + 3  # few false positives on the rest of the photo
    assert len(cleaned.record["speck_boxes"]) == cleaned.record["specks"]


def test_auto_leaves_real_detail_and_everything_else_alone(dirty: Any, cleaned: OpResult) -> None:
    rgb = dirty[0]
    out = np.asarray(cleaned.image)
    for x0, y0, x1, y1 in (EYES, PATCH):
        assert np.array_equal(out[y0:y1, x0:x1], rgb[y0:y1, x0:x1])
    mask = cleaned.generated_mask
    assert mask is not None and mask.shape == rgb.shape[:2]
    assert np.array_equal(out[mask == 0], rgb[mask == 0]), "pixels outside the speck mask changed"
    assert mask.mean() < 0.01


def test_detector_itself_spares_eyes_and_lettering(astronaut: np.ndarray) -> None:
    # Without face protection: the isolation tests alone must keep eyes and the patch's text.
    scan = detect_specks(astronaut, 40, 0.12)
    for speck in scan.specks:
        cx, cy = (speck.box[0] + speck.box[2]) // 2, (speck.box[1] + speck.box[3]) // 2
        assert not _inside(cx, cy, EYES) and not _inside(cx, cy, PATCH), speck
    assert len(scan.specks) <= 5
    assert scan.rejected["in_pattern"] + scan.rejected["on_structure"] > 100  # it did see the detail


def test_grainy_image_raises_the_threshold() -> None:
    rng = np.random.default_rng(0)
    grey = np.clip(128 + rng.normal(0, 12, (128, 128, 1)) + np.zeros(3), 0, 255).astype(np.uint8)
    result = _run(Image.fromarray(grey))
    assert result.record["contrast_threshold"] > 0.12
    assert result.record["specks"] == 0 and any("grain" in n for n in result.notes)


def test_box_mode_removes_the_rocket_and_keeps_the_rest(astronaut: np.ndarray) -> None:
    left, top, right, bottom = ROCKET
    box = {"left": left, "top": top, "right": right, "bottom": bottom}
    result = _run(Image.fromarray(astronaut), mode="box", box=box)
    out = np.asarray(result.image)
    x0, y0, x1, y1 = round(left * 512), round(top * 512), round(right * 512), round(bottom * 512)
    inside = np.zeros((512, 512), bool)
    inside[y0:y1, x0:x1] = True
    assert np.array_equal(out[~inside], astronaut[~inside])
    assert result.generated_mask is not None and np.array_equal(result.generated_mask > 0, inside)
    # The white shuttle and the brown tank are gone: the box holds wall-like content.
    before, after = lstar(astronaut[y0:y1, x0:x1]), lstar(out[y0:y1, x0:x1])
    assert (before > 90).mean() > 0.05 and (after > 90).mean() < 0.01
    assert (before < 40).mean() > 0.15 and (after < 40).mean() < 0.06
    assert result.record["removed_px"] == inside.sum()


def test_multiscale_inpaint_fills_a_large_hole_smoothly() -> None:
    ramp = np.linspace(40, 200, 256)
    rgb = np.dstack([np.tile(ramp, (256, 1))] * 3).astype(np.uint8)
    hole = np.zeros((256, 256), bool)
    hole[60:200, 70:190] = True
    filled = inpaint(rgb, hole)
    assert np.array_equal(filled[~hole], rgb[~hole])
    assert np.abs(filled.astype(float) - rgb)[hole].mean() < 12


def test_mask_mode_uses_the_upload_and_alpha_survives() -> None:
    rgba = np.asarray(Image.fromarray(data.logo()).convert("RGBA").resize((200, 200))).copy()
    upload = np.zeros((50, 50), np.uint8)
    upload[10:20, 10:20] = 255
    result = _run(Image.fromarray(rgba, "RGBA"), mode="mask", extras={"mask": Image.fromarray(upload)})
    out = np.asarray(result.image)
    assert result.image.mode == "RGBA"
    assert np.array_equal(out[..., 3], rgba[..., 3])
    assert result.generated_mask is not None
    assert np.array_equal(out[result.generated_mask == 0], rgba[result.generated_mask == 0])


def test_deterministic_for_a_seed(astronaut: np.ndarray) -> None:
    image = Image.fromarray(astronaut)
    box = {"left": 0.7, "top": 0.05, "right": 0.95, "bottom": 0.3}
    first, again = (_run(image, seed=3, mode="box", box=box) for _ in range(2))
    other = _run(image, seed=4, mode="box", box=box)
    assert first.image.tobytes() == again.image.tobytes()
    assert first.image.tobytes() != other.image.tobytes()  # the grain is drawn from the seed
    assert first.seed == 3 and first.geometry == Geometry.identity(image.size)


def test_clear_errors_for_missing_inputs(astronaut: np.ndarray) -> None:
    image = Image.fromarray(astronaut[:64, :64])
    with pytest.raises(BadRequest, match="box"):
        _run(image, mode="box")
    with pytest.raises(BadInput, match="mask"):
        _run(image, mode="mask")
    with pytest.raises(BadRequest, match="only used with mode=box"):
        _run(image, box={"left": 0, "top": 0, "right": 0.5, "bottom": 0.5})
