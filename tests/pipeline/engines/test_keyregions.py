"""Key regions: faces (and the person around them), a cut-out's product, else the salient region."""

from __future__ import annotations

import numpy as np
from PIL import Image
from skimage import data

from pipeline.engines.classical.keyregions import alpha_box, key_regions, regions_in_frame
from pipeline.ops.base import Geometry


def test_a_portrait_has_its_face_and_the_person_around_it() -> None:
    regions = key_regions(Image.fromarray(data.astronaut()), {})
    kinds = [r.kind for r in regions]
    assert kinds[:3] == ["face", "head", "person"]
    face, person = regions[0].box, regions[2].box
    assert person[0] <= face[0] and person[1] <= face[1] and person[2] >= face[2] and person[3] >= face[3]
    assert 150 < (face[0] + face[2]) / 2 < 300  # the astronaut's face, not the flag or the patch


def test_a_cut_out_packshot_is_its_opaque_pixels() -> None:
    rgba = np.zeros((100, 200, 4), np.uint8)
    rgba[..., :3] = 90  # hidden colour under transparent pixels: must not matter
    rgba[30:70, 120:180] = (200, 40, 40, 255)
    image = Image.fromarray(rgba, "RGBA")
    assert alpha_box(image) == (120.0, 30.0, 180.0, 70.0)
    [product] = key_regions(image, {})
    assert product.kind == "product" and product.box == (120.0, 30.0, 180.0, 70.0)
    assert alpha_box(image.convert("RGB").convert("RGBA")) is None  # opaque RGBA: no cut-out


def test_regions_map_into_a_variant_frame_and_are_clipped() -> None:
    master = Geometry.identity((200, 100))
    half = master.then_crop((100, 0, 200, 100), (50, 50))  # right half at half scale
    [product] = key_regions(
        Image.fromarray(np.pad(np.full((40, 60, 3), 220, np.uint8), ((30, 30), (120, 20), (0, 0)))), {}
    )
    [mapped] = regions_in_frame([product], half)
    assert mapped.kind == product.kind
    assert all(0 <= v <= 50 for v in mapped.box)
    assert regions_in_frame([product], master.then_crop((0, 0, 50, 100), (50, 100))) == []
