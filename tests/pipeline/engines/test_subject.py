"""Subject detection: faces (dlib and Haar), saliency fallback, caching, coordinates in image pixels."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from skimage import data

from pipeline.engines.classical.faces import dlib_available
from pipeline.engines.classical.saliency import saliency_map, salient_box
from pipeline.engines.classical.subject import Subject, detect_subject, detect_subject_cached

DETECTORS = ["haar", pytest.param("dlib", marks=pytest.mark.skipif(not dlib_available(), reason="no dlib"))]
# The astronaut's face (eyebrows to chin) spans about x 180–265, y 80–165 in the 512² image.
FACE_CENTRE = (222, 122)


def _inside(point: tuple[float, float], box: tuple[int, int, int, int]) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


@pytest.fixture(scope="module")
def astronaut() -> Image.Image:
    return Image.fromarray(data.astronaut())


@pytest.mark.parametrize("detector", DETECTORS)
def test_astronaut_face_found_once(astronaut: Image.Image, detector: str) -> None:
    subject = detect_subject(astronaut, detector)  # type: ignore[arg-type]
    assert subject.source == "faces" and subject.detector == detector
    assert len(subject.faces) == 1, subject.faces  # the mission patch is not a face
    face = subject.faces[0]
    assert _inside(FACE_CENTRE, face)
    assert 60 <= face[2] - face[0] <= 130
    # Head and shoulders: the subject box holds the face with room above and below.
    box = subject.box
    assert box[0] < face[0] and box[1] < face[1] and box[2] > face[2] and box[3] > face[3] + 50


@pytest.mark.parametrize("detector", DETECTORS)
@pytest.mark.parametrize("name", ["coffee", "chelsea", "rocket"])
def test_no_face_on_faceless_images(name: str, detector: str) -> None:
    subject = detect_subject(Image.fromarray(getattr(data, name)()), detector)  # type: ignore[arg-type]
    assert subject.faces == []
    assert subject.source == "saliency"


@pytest.mark.parametrize("detector", DETECTORS)
def test_a_face_turned_behind_a_camera_is_found(detector: str) -> None:
    """The cameraman (grayscale): three-quarters, half behind the camera; dlib alone scores it under 0."""
    subject = detect_subject(Image.fromarray(data.camera()), detector)  # type: ignore[arg-type]
    assert len(subject.faces) == 1 and _inside((240, 155), subject.faces[0])
    assert subject.key_kind == "head"


@pytest.mark.parametrize("name", ["brick", "grass", "gravel", "moon"])
def test_no_face_in_texture(name: str) -> None:
    """Weak dlib hits count only when a cascade agrees: textures stay faceless."""
    assert detect_subject(Image.fromarray(getattr(data, name)())).faces == []


def test_scattered_texture_is_not_a_product() -> None:
    """The Hubble deep field: GrabCut keeps hundreds of specks whose box spans the frame; no object."""
    subject = detect_subject(Image.fromarray(data.hubble_deep_field()))
    assert subject.key_kind == "mass"
    assert detect_subject(Image.fromarray(data.coffee())).key_kind == "product"


def test_saliency_box_finds_the_cup() -> None:
    subject = detect_subject(Image.fromarray(data.coffee()))  # 600×400, the cup near (250, 160)
    assert _inside((250, 160), subject.box)
    w, h = subject.box[2] - subject.box[0], subject.box[3] - subject.box[1]
    assert w * h < 0.7 * 600 * 400  # a region, not the whole frame


def test_saliency_locates_an_off_centre_object() -> None:
    rng = np.random.default_rng(1)
    img = np.clip(rng.normal(110, 6, (240, 320, 3)), 0, 255).astype(np.uint8)
    img[30:80, 220:290] = (240, 200, 40)
    sal = saliency_map(img)
    assert sal.dtype == np.float32 and sal.shape == (240, 320)
    assert float(sal.min()) >= 0.0 and float(sal.max()) <= 1.0
    box = salient_box(sal)
    assert box is not None and _inside((255, 55), box)
    assert box[0] > 150 and box[3] < 150  # it is the object, not the centre prior


def test_flat_image_falls_back_to_centre() -> None:
    subject = detect_subject(Image.new("RGB", (300, 200), (90, 90, 90)))
    assert subject.source == "center" and subject.faces == []
    assert subject.box == (75, 50, 225, 150)


def test_boxes_are_in_image_pixels_at_any_size(astronaut: Image.Image) -> None:
    small = detect_subject(astronaut)
    big_image = astronaut.resize((1280, 1280), Image.Resampling.BILINEAR)
    big = detect_subject(big_image)
    assert big.saliency.shape == (256, 256) and big.saliency_scale == pytest.approx(0.2)
    assert len(big.faces) == 1
    scaled = [v * 2.5 for v in small.faces[0]]
    assert np.allclose(big.faces[0], scaled, atol=0.1 * 1280)


def test_rgba_and_grey_inputs(astronaut: Image.Image) -> None:
    assert detect_subject(astronaut.convert("RGBA")).faces
    assert detect_subject(astronaut.convert("L")).faces


def test_cache_shares_one_detection_per_image(astronaut: Image.Image) -> None:
    cache: dict[str, object] = {}
    first = detect_subject_cached(astronaut, cache)
    assert detect_subject_cached(astronaut, cache) is first
    other = astronaut.copy()
    assert detect_subject_cached(other, cache) is not first
    assert list(cache) == ["classical.subject"]


def test_primary_face_prefers_largest_then_central() -> None:
    sal = np.zeros((10, 10), np.float32)
    subject = Subject([(0, 0, 50, 50), (200, 200, 240, 240), (480, 0, 530, 50)], (0, 0, 530, 240), sal,
                      0.02, "faces", (1000, 500))
    assert subject.primary_face() == (480, 0, 530, 50)  # same area as the first, nearer the centre
    assert Subject([], (0, 0, 1, 1), sal, 0.02, "center", (1, 1)).primary_face() is None
