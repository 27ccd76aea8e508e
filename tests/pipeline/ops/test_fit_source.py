"""fit with output=source: frame at the source's own scale and leave the enlarging to `upscale`."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from pipeline.audit.align import inside_mask
from pipeline.engines.classical.edges import edge_structure
from pipeline.engines.classical.fitrule import least_expansion
from pipeline.engines.classical.framing import at_source_scale
from pipeline.engines.classical.subject import detect_subject_cached
from pipeline.ops.base import OpContext, OpInputs, OpResult
from pipeline.ops.fit import FitParams, fit
from pipeline.ops.upscale import UpscaleParams, upscale
from pipeline.specs import all_specs, get_spec
from tests.pipeline.ops.framing_helpers import astronaut, roundtrip_error, run

MASTER = astronaut(96)


def _fit(**fields: Any) -> FitParams:
    return FitParams.model_validate(fields)  # validated like the planner's JSON


def _upscale(fitted: OpResult, spec: str) -> OpResult:
    inputs = OpInputs(fitted.image, MASTER, fitted.geometry)
    return upscale(inputs, UpscaleParams(spec=spec), OpContext(seed=1, spec=get_spec(spec)))


def _cover_trim(size: tuple[int, int], spec_size: tuple[int, int]) -> float:
    """Pixels a cover-resize of ``size`` to ``spec_size`` cuts off (upscale's centre crop)."""
    cover = max(spec_size[0] / size[0], spec_size[1] / size[1])
    return max(size[0] - spec_size[0] / cover, size[1] - spec_size[1] / cover)


def test_snapped_windows_keep_the_spec_aspect_and_stay_inside() -> None:
    rng = np.random.default_rng(5)
    image = (400, 300)
    for spec in all_specs():
        aspect = spec.width / spec.height
        for _ in range(20):
            width = rng.uniform(4, 900)
            height = width / aspect
            x0, y0 = rng.uniform(-200, 300), rng.uniform(-200, 250)
            box = (x0, y0, x0 + width, y0 + height)
            snapped = at_source_scale(box, image, spec.size)
            if width >= spec.width or height >= spec.height:
                assert snapped is None  # nothing left to enlarge: the spec's size, as before
                continue
            if snapped is None:  # only when rounding reaches the spec's size
                assert round(width) >= spec.width - 1 or round(height) >= spec.height - 1
                continue
            (left, top, right, bottom), (w, h) = snapped
            assert (right - left, bottom - top) == (w, h) and left == int(left) and top == int(top)
            assert w < spec.width and h < spec.height
            assert _cover_trim((w, h), spec.size) <= 0.5 + 1e-9, (spec.name, box, w, h)
            assert abs((left + right) / 2 - (x0 + x0 + width) / 2) <= 1.0  # the same window, centred
            for a, (lo, hi, length) in enumerate(((left, right, width), (top, bottom, height))):
                if box[a] >= 0 and box[a + 2] <= image[a]:
                    assert lo >= 0 and hi <= image[a]  # a cropped axis stays inside the image
                else:
                    assert hi - lo <= length + 1e-6  # a padded axis never grows: no more generated


def test_a_crop_at_source_scale_is_the_masters_own_pixels_and_upscale_reaches_the_spec() -> None:
    fitted = run(fit, _fit(spec="iab-half-page", output="source"), MASTER)
    w, h = fitted.image.size
    assert fitted.record["rule"] == "crop" and fitted.record["output"] == "source"
    assert fitted.record["size"] == [w, h] and (w, h) == (48, 96)  # 1:2, the master's full height
    assert fitted.geometry.scale == (1.0, 1.0) and fitted.geometry.output_size == (w, h)
    left, top, right, bottom = (int(v) for v in fitted.geometry.source_box)
    assert list(fitted.geometry.source_box) == fitted.record["box"]
    assert np.array_equal(np.asarray(fitted.image), np.asarray(MASTER)[top:bottom, left:right])
    assert any("source's own scale (48×96)" in n and "×6.25" in n for n in fitted.notes)
    up = _upscale(fitted, "iab-half-page")
    assert up.image.size == (300, 600) and up.record["factor"] == pytest.approx(6.25)
    assert up.record["source_box"] == [0.0, 0.0, 48.0, 96.0]  # a pure resize: nothing trimmed
    assert up.geometry.source_box == fitted.geometry.source_box and up.geometry.anisotropy == 1.0
    assert not any("centre-cropped" in n for n in up.notes)
    assert roundtrip_error(up, MASTER, blur=2.0) < 2.5  # upscale sharpens: compare structure


def test_an_expansion_at_source_scale_maps_back_to_the_master() -> None:
    spec = get_spec("iab-half-page")
    edges = edge_structure(MASTER)
    window = least_expansion(detect_subject_cached(MASTER, {}), spec.aspect_ratio, 0.08, edges, whole=True)[0]
    fitted = run(fit, _fit(spec=spec.name, output="source", prefer="expand"), MASTER)
    w, h = fitted.image.size
    assert fitted.record["rule"] == "expand"
    assert w < spec.width and h < spec.height and _cover_trim((w, h), spec.size) <= 0.5
    assert fitted.geometry.scale == (1.0, 1.0)  # drawn 1:1: the geometry is the window itself
    # fit's window snapped to whole pixels: the same centre, no wider (the padded axis), ≤ 1 px lower.
    left, top, right, bottom = fitted.geometry.source_box
    assert abs(left + right - window[0] - window[2]) <= 1 and abs(top + bottom - window[1] - window[3]) <= 1
    assert window[2] - window[0] - spec.aspect_ratio <= right - left <= window[2] - window[0]
    assert abs(bottom - top - (window[3] - window[1])) <= 1
    mask = fitted.generated_mask
    assert mask is not None and mask.shape == (h, w) and mask.mean() <= 0.6  # max_expand still holds
    assert fitted.geometry.generated_fraction() == pytest.approx(float(mask.mean()), abs=0.01)
    assert roundtrip_error(fitted, MASTER) < 1.0
    up = _upscale(fitted, spec.name)
    assert up.image.size == spec.size and abs(up.geometry.anisotropy - 1) < 1e-9
    assert up.geometry.generated_fraction() == pytest.approx(fitted.geometry.generated_fraction(), abs=0.01)
    # The lineage geometry still points at the master: what the audit compares lines up.
    up.generated_mask = (~inside_mask(up.geometry)).astype(np.float32)
    assert roundtrip_error(up, MASTER, blur=2.0) < 2.5


def test_a_window_already_at_the_specs_size_is_drawn_at_the_specs_size() -> None:
    big = astronaut(512)
    source = run(fit, _fit(spec="iab-medium-rectangle", output="source"), big)
    plain = run(fit, _fit(spec="iab-medium-rectangle"), big)
    assert source.image.size == (300, 250) and source.image.tobytes() == plain.image.tobytes()
    assert source.record["size"] == [300, 250]
    assert any("nothing is left to upscale" in n for n in source.notes)


def test_print_at_source_scale_is_a_small_exact_aspect_frame() -> None:
    spec = get_spec("print-a4-300dpi")
    fitted = run(fit, _fit(spec=spec.name, output="source"), MASTER)
    w, h = fitted.image.size
    assert h == 96 and w == round(96 * spec.width / spec.height)  # the master's height, A4's aspect
    assert _cover_trim((w, h), spec.size) <= 0.5
