"""Pure pixel maths: model-size rounding and the seam tools (no model needed)."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from pipeline.engines.diffusion.blend import colour_match, composite, feathered_alpha, seam_band, seam_offset
from pipeline.engines.diffusion.sizes import from_work, plan_work, to_work


def test_sizes_round_up_to_the_multiple_and_come_back_exact() -> None:
    plan = plan_work((300, 250), 16, 10**9)
    assert plan.content == (300, 250) and plan.padded == (304, 256)
    assert any("rounded up from 300×250 to 304×256 (multiple of 16)" in n for n in plan.notes)
    rgb = np.random.default_rng(0).integers(0, 256, (250, 300, 3), dtype=np.uint8)
    work = to_work(rgb, plan)
    assert work.shape == (256, 304, 3) and np.array_equal(work[:250, :300], rgb)
    assert np.array_equal(from_work(Image.fromarray(work), plan), rgb)  # padding cut, nothing resampled


def test_large_outputs_are_generated_within_the_pixel_budget() -> None:
    plan = plan_work((1080, 1920), 16, 1024 * 1024)
    assert plan.padded[0] % 16 == 0 and plan.padded[1] % 16 == 0
    assert plan.padded[0] * plan.padded[1] <= 1024 * 1024
    assert abs(plan.content[0] / plan.content[1] - 1080 / 1920) < 0.01
    assert any("resized to 1080×1920" in n for n in plan.notes)
    out = from_work(Image.new("RGB", plan.padded), plan)
    assert out.shape == (1920, 1080, 3)


def _scene() -> tuple[np.ndarray, np.ndarray]:
    """A smooth gradient image and a 'kept' left half."""
    x = np.linspace(0, 1, 96, dtype=np.float32)
    rgb = np.stack(
        [60 + 120 * x[None, :].repeat(64, 0), np.full((64, 96), 110.0), 150 - 60 * x[None, :].repeat(64, 0)],
        -1,
    ).astype(np.uint8)
    keep = np.zeros((64, 96), bool)
    keep[:, :48] = True
    return rgb, keep


def test_colour_match_removes_a_model_colour_drift() -> None:
    original, keep = _scene()
    drift = np.array([25, -15, 10])  # what a lossy VAE round trip might do
    drifted = np.clip(original.astype(int) + drift, 0, 255).astype(np.uint8)
    band = seam_band(keep, 12)
    fixed, stats = colour_match(drifted, original, keep, band, ~keep)
    assert stats["applied"]
    before = np.abs(drifted[~keep].astype(int) - original[~keep]).mean()
    after = np.abs(fixed[~keep].astype(int) - original[~keep]).mean()
    assert before > 10 and after < 2
    assert np.array_equal(fixed[keep], drifted[keep])  # only the target changes


def test_seam_offset_closes_a_step_at_the_seam_and_fades_out() -> None:
    original, keep = _scene()
    # The model renders across the seam continuously but 30 levels too bright: pasting the original
    # back on the left leaves a step at x = 48.
    generated = np.clip(original.astype(int) + 30, 0, 255).astype(np.uint8)
    fixed = seam_offset(generated, original, keep, feather=16)
    step_before = np.abs(generated[:, 48].astype(int) - original[:, 47]).mean()
    step_after = np.abs(fixed[:, 48].astype(int) - original[:, 47]).mean()
    assert step_before > 25 and step_after < 6
    assert np.array_equal(fixed[:, 70:], generated[:, 70:])  # beyond the feather: untouched


def test_composite_keeps_every_zero_weight_pixel_bit_identical() -> None:
    original, keep = _scene()
    new = cv2.GaussianBlur(255 - original, (5, 5), 0)
    alpha = feathered_alpha(~keep, 6)
    out = composite(new, original, alpha)
    assert np.array_equal(out[alpha == 0], original[alpha == 0])
    assert np.array_equal(out[alpha == 1], new[alpha == 1])
    assert alpha[keep].max() == 0 and 0 < alpha[:, 50].mean() < 1  # the ramp lies inside the region
