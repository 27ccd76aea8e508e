"""expand: pad to the spec's aspect keeping every original pixel, seamless fill, exact geometry."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from PIL import Image
from skimage import data

from pipeline.engines.classical.outpaint import expand_canvas
from pipeline.ops.expand import ExpandParams, expand
from tests.pipeline.ops.framing_helpers import astronaut, roundtrip_error, run


def _expand(**fields: Any) -> ExpandParams:
    return ExpandParams.model_validate(fields)  # validated like the planner's JSON


def _strip() -> Image.Image:
    """300×90: exactly as tall as a leaderboard, so the canvas is the output (no final resize)."""
    return astronaut().crop((0, 60, 512, 214)).resize((300, 90), Image.Resampling.LANCZOS)


def test_output_is_the_canvas_when_the_spec_size_matches() -> None:
    image = _strip()
    result = run(expand, _expand(spec="iab-leaderboard"), image, seed=5)
    assert result.image.size == (728, 90) and result.record["canvas_size"] == [728, 90]
    left = (728 - 300) // 2  # centred (214 px each side)
    out = np.asarray(result.image)
    assert np.array_equal(out[:, left : left + 300], np.asarray(image))  # bit-identical
    mask = result.generated_mask
    assert mask is not None and mask.shape == (90, 728)
    assert not mask[:, left : left + 300].any() and mask[:, :left].all() and mask[:, left + 300 :].all()
    assert result.geometry.source_box == pytest.approx((-left, 0, 728 - left, 90))
    assert result.geometry.generated_fraction() == pytest.approx(float(mask.mean()), abs=1e-6)
    assert result.record["grain_sigma"] is not None and result.seed == 5


@pytest.mark.parametrize(("align", "top"), [("top", 0), ("center", 150), ("bottom", 300)])
def test_align_places_the_original(align: str, top: int) -> None:
    image = astronaut(300)
    result = run(expand, _expand(spec="iab-half-page", align=align), image)
    assert result.image.size == (300, 600)
    assert np.array_equal(np.asarray(result.image)[top : top + 300], np.asarray(image))
    assert result.geometry.source_box == pytest.approx((0, -top, 300, 600 - top))


def test_align_on_the_wrong_axis_is_centred_and_said_so() -> None:
    result = run(expand, _expand(spec="iab-half-page", align="left"), astronaut(300))
    assert result.geometry.source_box == pytest.approx((0, -150, 300, 450))
    assert any("align=left does not apply" in n for n in result.notes)


def test_align_subject_puts_the_face_on_the_centre_line() -> None:
    image = astronaut(256)
    result = run(expand, _expand(spec="web-hero-21x9", align="subject"), image)
    box = result.record["canvas_box"]
    face = result.record["subject"]["faces"][0]
    centre = ((face[0] + face[2]) / 2 - box[0]) / (box[2] - box[0])
    assert centre == pytest.approx(0.5, abs=0.01)  # the face is left of centre in the master
    assert box[0] < -(box[2] - box[0] - 256) / 2 + 1  # so the original moved right of the centred placement


def test_upscaled_output_is_the_bit_exact_canvas_resized() -> None:
    """When the spec is larger than the canvas, the canvas (original bit-identical) is resized last."""
    image = astronaut(256)
    result = run(expand, _expand(spec="iab-half-page"), image, seed=9)  # canvas 256×512 → 300×600
    box = tuple(int(v) for v in result.record["canvas_box"])
    assert box == (0, -128, 256, 384) and result.record["canvas_size"] == [256, 512]
    canvas, _ = expand_canvas(np.asarray(image), box, rng=np.random.default_rng(9))
    assert np.array_equal(canvas[128:384], np.asarray(image))
    resized = Image.fromarray(canvas).resize((300, 600), Image.Resampling.LANCZOS)
    assert np.array_equal(np.asarray(result.image), np.asarray(resized))


def test_large_master_is_expanded_at_output_scale() -> None:
    big = astronaut().resize((1024, 1024), Image.Resampling.BICUBIC)
    result = run(expand, _expand(spec="iab-billboard"), big)  # canvas 3973×1024 → 970×250
    assert result.image.size == (970, 250) and result.record["canvas_size"] == [970, 250]
    mask = result.generated_mask
    assert mask is not None and mask.mean() == pytest.approx(1 - 250 / 970, abs=0.01)
    assert result.geometry.generated_fraction() == pytest.approx(float(mask.mean()), abs=0.002)
    assert roundtrip_error(result, big) < 1.5  # the kept region is the master, resampled
    assert result.geometry.anisotropy == pytest.approx(1.0, abs=0.005)


def test_seeded_and_only_generated_pixels_vary() -> None:
    image = _strip()
    a = run(expand, _expand(spec="iab-leaderboard"), image, seed=1)
    b = run(expand, _expand(spec="iab-leaderboard"), image, seed=1)
    c = run(expand, _expand(spec="iab-leaderboard"), image, seed=2)
    assert a.image.tobytes() == b.image.tobytes()
    differs = np.any(np.asarray(a.image) != np.asarray(c.image), axis=2)
    assert a.generated_mask is not None
    assert differs.any() and not differs[a.generated_mask == 0].any()


def test_no_grain_when_grain_match_is_off() -> None:
    result = run(expand, _expand(spec="iab-leaderboard", grain_match=False), _strip())
    assert result.record["grain_sigma"] is None
    far = np.asarray(result.image, np.float32)[:, :150]  # far left of the original
    assert np.abs(np.diff(far, axis=1)).mean() < 0.5


def test_rgba_keeps_its_alpha() -> None:
    logo = Image.fromarray(data.logo()).resize((200, 200), Image.Resampling.LANCZOS)  # RGBA
    result = run(expand, _expand(spec="iab-medium-rectangle"), logo)  # 240×200 canvas → 300×250
    assert result.image.mode == "RGBA" and result.image.size == (300, 250)


def test_already_at_aspect_generates_nothing() -> None:
    result = run(expand, _expand(spec="meta-feed-square"), astronaut(256))
    assert result.generated_mask is not None and not result.generated_mask.any()
    assert any("nothing generated" in n for n in result.notes)
