"""``judge_fill``: the neighbourhood-only verdict `fit` asks before choosing a classical continuation."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.audit import calibration_fills as cf
from pipeline.audit.fills import FillTolerances, FillVerdict, edge_bands, judge_fill


def _frame(case: cf.FillCase, defect: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    v = cf.variant(case, defect)
    assert v.generated_mask is not None
    return np.asarray(v.image.convert("RGB")), v.generated_mask


def test_the_story_smear_of_the_garage_photo_does_not_hold_up() -> None:
    rgb, generated = _frame(cf.SMEARS[0])  # the 9:16 story of the motorbike: top 29 % continued
    verdict = judge_fill(rgb, generated)
    assert isinstance(verdict, FillVerdict) and verdict.passed is False
    assert set(verdict.per_side) == {"top", "bottom"}
    top = verdict.per_side["top"]
    assert top.passed is False and ("texture", top.failures[0][1]) == top.failures[0]
    assert top.failures[0][1].startswith("generated area above the photo is smeared: detail 0.0")
    assert verdict.measures["detail_ratio"] == min(
        s.measures["detail_ratio"] for s in verdict.per_side.values()
    )
    assert verdict.to_json()["per_side"]["top"]["failures"]


def test_a_small_continuation_over_a_backdrop_holds_up() -> None:
    rgb, generated = _frame(cf.FillCase("grace_hopper", "meta-feed-square"))
    verdict = judge_fill(rgb, generated)
    assert verdict.passed is True, verdict.reason
    assert verdict.reason == "generated area continues the photo beside it"
    assert set(verdict.per_side) == {"left", "right"}
    assert verdict.measures["seam_delta_e"] < 1.0 and verdict.measures["detail_ratio"] > 0.4


def test_copy_over_the_fill_is_ignored_when_named() -> None:
    rgb, generated = _frame(cf.FillCase("grace_hopper", "meta-feed-square"))
    card = np.zeros(generated.shape, bool)
    card[60:1020, 4:72] = True  # a white copy card along the left band (79 px deep)
    rgb = rgb.copy()
    rgb[card] = 255
    assert judge_fill(rgb, generated).passed is False  # taken for fill: a white block is no continuation
    assert judge_fill(rgb, generated, ignore=card).passed is True


def test_tolerances_are_the_callers() -> None:
    rgb, generated = _frame(cf.FillCase("grace_hopper", "meta-feed-square"), "hue-shifted fill")
    assert [c for c, _ in judge_fill(rgb, generated).failures] == ["color", "color"]
    assert judge_fill(rgb, generated, tol=FillTolerances(seam_delta_e=30.0)).passed is True


def test_nothing_to_compare() -> None:
    rgb = np.full((60, 80, 3), 128, np.uint8)
    assert judge_fill(rgb, np.zeros((60, 80), bool)).passed is None
    everything = judge_fill(rgb, np.ones((60, 80), bool))
    assert everything.passed is None and "no photo pixels" in everything.reason


def test_edge_bands_and_bad_input() -> None:
    generated = np.zeros((100, 50), bool)
    generated[:20] = generated[:, 45:] = True
    assert edge_bands(generated, None) == {"top": 20, "bottom": 0, "left": 0, "right": 5}
    with pytest.raises(ValueError, match="does not match the frame"):
        judge_fill(np.zeros((10, 10, 3), np.uint8), np.zeros((10, 11), bool))
    with pytest.raises(ValueError, match="uint8"):
        judge_fill(np.zeros((10, 10, 3), np.float32), np.zeros((10, 10), bool))
