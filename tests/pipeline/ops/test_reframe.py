"""reframe: largest crop of the spec's aspect, faces never cut, subject centred, safe zones respected."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from PIL import Image
from skimage import data

from pipeline.engines.classical.crop import crop_window
from pipeline.engines.classical.subject import Subject
from pipeline.errors import BadRequest
from pipeline.ops.base import Geometry
from pipeline.ops.reframe import ReframeParams, reframe
from pipeline.specs import CONTRACT_SPECS, SafeZone, get_spec
from tests.pipeline.ops.framing_helpers import astronaut, inside, roundtrip_error, run


def _reframe(**fields: Any) -> ReframeParams:
    return ReframeParams.model_validate(fields)  # validated like the planner's JSON

MASTER = astronaut()
CACHE: dict[str, Any] = {}  # one detection for the whole module, as in a batch


@pytest.mark.parametrize("name", CONTRACT_SPECS)
def test_face_kept_whole_or_refused_for_every_contract_spec(name: str) -> None:
    spec = get_spec(name)
    params = _reframe(spec=name)
    win_w, win_h = min(512, 512 * spec.aspect_ratio), min(512, 512 / spec.aspect_ratio)
    face_w, face_h = 90, 90  # the astronaut's face is about 90 px square at 512²
    if win_w < face_w or win_h < face_h:  # 728×90 and 320×50: a crop this thin cannot hold the face
        with pytest.raises(BadRequest, match=f"cut it for `{name}`; use `fit`"):
            run(reframe, params, MASTER, cache=CACHE)
        return
    result = run(reframe, params, MASTER, cache=CACHE)
    assert result.image.size == spec.size
    faces = result.record["subject"]["faces"]
    assert len(faces) == 1
    assert inside(faces[0], result.record["crop_box"])
    assert result.record["cut_faces"] == []
    box = result.geometry.source_box  # the record rounds to 3 decimals
    assert (box[2] - box[0]) / (box[3] - box[1]) == pytest.approx(spec.aspect_ratio, rel=1e-9)
    assert max(box[2] - box[0], box[3] - box[1]) == pytest.approx(512)  # the largest window, no zoom
    assert result.geometry.output_size == spec.size
    assert result.geometry.anisotropy == pytest.approx(1.0, abs=1e-6)


def test_crop_is_centred_on_the_subject_or_the_frame() -> None:
    by_subject = run(reframe, _reframe(spec="story"), MASTER, cache=CACHE).record["crop_box"]
    centred = _reframe(spec="story", anchor="center")
    by_frame = run(reframe, centred, MASTER, cache=CACHE).record["crop_box"]
    assert by_frame[0] == pytest.approx((512 - 288) / 2)  # the face fits a centred crop, so it stays centred
    face = run(reframe, _reframe(spec="story"), MASTER, cache=CACHE).record["subject"]["faces"][0]
    assert (by_subject[0] + by_subject[2]) / 2 == pytest.approx((face[0] + face[2]) / 2, abs=2)
    assert by_subject[0] < by_frame[0]  # the face is left of centre


def test_safe_zone_pushes_the_face_out_of_the_story_top_inset() -> None:
    # A tall 300×1200 frame, story crop (300×533) centred on the frame: the face would sit 17 px
    # below the top edge, under the platform UI (story keeps the top 14 % clear).
    sal = np.zeros((8, 2), np.float32)
    subject = Subject([(100, 350, 190, 440)], (40, 300, 250, 700), sal, 0.01, "faces", (300, 1200))
    aspect = get_spec("story").aspect_ratio
    plain, _ = crop_window(subject, aspect, 0.0, "center", SafeZone())
    zoned, p = crop_window(subject, aspect, 0.0, "center", get_spec("story").safe_zone)
    height = plain[3] - plain[1]
    assert plain[1] == pytest.approx((1200 - height) / 2)  # centred: the face is whole but under the inset
    assert zoned[1] == pytest.approx(350 - 0.14 * height)  # moved just enough to clear the 14 % inset
    assert inside(subject.faces[0], zoned) and p.cut == []


def test_two_faces_that_cannot_both_fit_keep_the_main_one_whole() -> None:
    pair = Image.fromarray(np.concatenate([data.astronaut(), data.astronaut()[:, ::-1]], axis=1))  # 1024×512
    result = run(reframe, _reframe(spec="story"), pair)
    faces, box = result.record["subject"]["faces"], result.record["crop_box"]
    assert len(faces) == 2
    assert sum(inside(f, box) for f in faces) == 1
    assert result.record["kept_faces"] and len(result.record["cut_faces"]) == 1
    assert any("1 of 2 faces do not fit" in n for n in result.notes)


def test_saliency_subject_when_there_is_no_face() -> None:
    coffee = Image.fromarray(data.coffee())  # 600×400, the cup around x = 250
    result = run(reframe, _reframe(spec="iab-half-page"), coffee)
    assert result.record["subject"]["source"] == "saliency" and result.record["subject"]["faces"] == []
    box = result.record["crop_box"]
    assert box[0] < 250 < box[2] and box[2] - box[0] == pytest.approx(200)
    assert result.image.size == (300, 600)


def test_geometry_maps_back_to_the_master_through_a_chain() -> None:
    # The current image is already a crop + downscale of the master; the result must map to the master.
    image = MASTER.crop((64, 0, 512, 448)).resize((224, 224), Image.Resampling.LANCZOS)
    geometry = Geometry.identity(MASTER.size).then_crop((64, 0, 512, 448), (224, 224))
    result = run(reframe, _reframe(spec="iab-half-page"), image, master=MASTER, geometry=geometry)
    assert result.geometry.master_size == (512, 512)
    left, top, right, bottom = result.geometry.source_box
    assert 64 <= left < right <= 512 and top == pytest.approx(0) and bottom == pytest.approx(448)
    # The image went through 224 px, so compare structure (σ = 2 px), not the finest detail.
    error = roundtrip_error(result, MASTER, blur=2)
    assert error < 1.0
    # The check can fail: against a box shifted by just 2 master pixels the error is many times larger.
    shifted = type(result)(result.image, Geometry((left + 2, top, right + 2, bottom), (300, 600), (512, 512)))
    assert roundtrip_error(shifted, MASTER, blur=2) > 3 * error


def test_large_master_small_spec_uses_the_pyramid() -> None:
    big = MASTER.resize((2048, 2048), Image.Resampling.BICUBIC)
    cache: dict[str, Any] = {}
    result = run(reframe, _reframe(spec="iab-medium-rectangle"), big, cache=cache)
    pyramid = cache["classical.pyramid"]
    (_, built), = pyramid.values()
    assert len(built._levels) > 1  # resampled from a halving, not from 2048²
    assert roundtrip_error(result, big) < 2.0
    assert inside(result.record["subject"]["faces"][0], result.record["crop_box"])
