"""brand: logo and copy land inside the safe zone, nothing outside it changes, the record says what
was drawn."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline.brandkit import BrandKit, load_brand_kit
from pipeline.errors import BadRequest
from pipeline.ops.brand import BrandParams
from pipeline.specs import get_spec
from tests.pipeline.ops.brand_helpers import (
    astronaut,
    brand_framed,
    framed,
    measured_contrast,
    overlaps,
    run,
)

KIT = Path(__file__).parents[3] / "examples" / "brand" / "brand.json"


@pytest.fixture(scope="module")
def kit() -> BrandKit:
    return load_brand_kit(KIT)


def changed(a: Image.Image, b: Image.Image) -> np.ndarray:
    return np.any(np.asarray(a) != np.asarray(b), axis=-1)


def inside(box: list[int], outer: list[int] | tuple[int, ...]) -> bool:
    return outer[0] <= box[0] < box[2] <= outer[2] and outer[1] <= box[1] < box[3] <= outer[3]


@pytest.mark.parametrize(
    ("spec", "position"),
    [
        ("story", "bottom-right"),
        ("story", "top-left"),
        ("story", "bottom-center"),
        ("iab-medium-rectangle", "bottom-left"),
        ("iab-medium-rectangle", "top-right"),
        ("iab-leaderboard", "bottom-right"),
        ("iab-mobile-banner", "top-left"),
    ],
)
def test_everything_lands_inside_the_safe_zone_where_asked(kit: BrandKit, spec: str, position: str) -> None:
    s = get_spec(spec)
    image = framed(spec).image
    before = np.asarray(image).copy()
    _, result = brand_framed(spec, kit, text="Shop now", position=position)
    assert result.image.size == s.size and result.image.mode == "RGB"
    assert np.array_equal(np.asarray(image), before)  # input untouched
    safe = s.safe_zone.box(*s.size)
    assert result.record["safe_zone"] == list(safe)
    diff = changed(result.image, image)
    ys, xs = np.nonzero(diff)
    assert safe[0] <= xs.min() and xs.max() < safe[2] and safe[1] <= ys.min() and ys.max() < safe[3]
    for key in ("logo_box", "text_box"):
        box = result.record[key]
        assert inside(box, safe)
        assert diff[box[1] : box[3], box[0] : box[2]].mean() > 0.2  # something was really drawn there
    assert not overlaps(result.record["logo_box"], result.record["text_box"])
    # The face is clear of the requested corner here, so the requested side (of the safe zone, or of
    # the layout's panel on banners) is honoured.
    assert result.record["placement"]["anchor"].endswith(position.split("-")[1])
    assert result.record["position"] == position


def test_story_bands_are_exactly_the_platform_insets(kit: BrandKit) -> None:
    image = framed("story").image
    for position in ("top-right", "bottom-left", "auto"):
        _, result = brand_framed("story", kit, text="Shop now", position=position)
        diff = changed(result.image, image)
        assert not diff[: round(0.14 * 1920)].any() and not diff[1920 - round(0.20 * 1920) :].any()


def test_scrim_only_when_background_fights_the_copy() -> None:
    white = Image.new("RGB", (300, 250), (245, 245, 240))
    result = run(white, None, spec="iab-medium-rectangle", text="Shop now", text_color="#FFFFFF")
    assert result.record["scrim_alpha"] > 0 and result.record["contrast_before"] < 1.2
    assert result.record["copy"]["colour"] == "#FFFFFF"  # asked for: kept, made legible by the scrim
    assert result.record["copy"]["contrast"] >= 4.5 and measured_contrast(result) >= 4.5
    assert any("scrim" in n for n in result.notes)
    dark = Image.new("RGB", (300, 250), (20, 25, 30))
    calm = run(dark, None, spec="iab-medium-rectangle", text="Shop now")
    assert calm.record["scrim_box"] is None and calm.record["copy"]["colour"] == "#FFFFFF"


def test_without_a_colour_dark_copy_on_light_ground_needs_no_scrim() -> None:
    light = Image.new("RGB", (300, 250), (235, 232, 225))
    result = run(light, None, spec="iab-medium-rectangle", text="Shop now")
    assert result.record["scrim_box"] is None and result.record["copy"]["colour"] == "#141414"
    assert measured_contrast(result) >= 4.5


@pytest.mark.parametrize("spec", ["iab-medium-rectangle", "meta-feed-square", "print-a4-300dpi"])
def test_record_fields_the_audit_reads(kit: BrandKit, spec: str) -> None:
    f, result = brand_framed(spec, kit, text="Shop now")
    image = f.image
    copy = result.record["copy"]
    assert copy["text"] == "Shop now" and copy["lines"] == ["Shop now"] and copy["missing"] == []
    assert copy["font"] == "DejaVuSans-Bold.ttf" and len(copy["font_sha256"]) == 64
    assert copy["colour"] == "#FFFFFF" and copy["px"] >= 10 and copy["contrast"] >= 4.5
    placement = result.record["placement"]
    assert placement["on_panel"] is False and placement["dropped"] == []
    assert [a["kind"] for a in placement["avoided"]] == ["face"]
    mask = result.designed_mask
    assert mask is not None and mask.dtype == np.float32 and mask.shape == image.size[::-1]
    for key in ("logo_box", "text_box"):
        x0, y0, x1, y1 = result.record[key]
        assert mask[y0:y1, x0:x1].all() and mask[max(0, y0 - 4) : y1 + 4, max(0, x0 - 4) : x1 + 4].all()
    assert set(np.unique(mask)) == {0.0, 1.0} and mask.mean() < 0.5
    diff = changed(result.image, image)
    assert not diff[mask == 0].any()  # every changed pixel (shadows too) is recorded as designed


def test_the_designed_mask_covers_the_copys_shadow() -> None:
    # No scrim here (white reads on this grey): the soft shadow of 54 px copy reaches ~10 px past the ink.
    grey = Image.new("RGB", (1080, 1080), (90, 95, 100))
    result = run(grey, None, spec="meta-feed-square", text="Shop now")
    assert result.record["scrim_box"] is None and result.record["copy"]["px"] >= 40
    assert result.designed_mask is not None
    assert not changed(result.image, grey)[result.designed_mask == 0].any()


def test_image_must_already_be_at_spec_size(kit: BrandKit) -> None:
    with pytest.raises(BadRequest, match=r"needs the image at `story` size 1080×1920 \(it is 512×512\)"):
        run(astronaut(), kit, spec="story", text="Hi")


def test_logo_only_default_font_and_nothing(kit: BrandKit) -> None:
    image = framed("iab-half-page").image
    _, logo_only = brand_framed("iab-half-page", kit)
    assert logo_only.record["text_box"] is None and logo_only.record["logo_box"]
    assert logo_only.record["copy"] is None
    _, default_font = brand_framed("iab-half-page", None, text="Shop now", use_logo=False)
    assert default_font.record["logo_box"] is None and default_font.record["copy"]["px"] >= 10
    assert default_font.record["copy"]["font"] == "DejaVuSans-Bold.ttf"
    _, nothing = brand_framed("iab-half-page", kit, use_logo=False)
    assert np.array_equal(np.asarray(nothing.image), np.asarray(image))
    assert nothing.notes == ["nothing to place: no logo and no copy"]


def test_rgba_images_keep_their_alpha(kit: BrandKit) -> None:
    f = framed("iab-medium-rectangle")
    _, result = brand_framed("iab-medium-rectangle", kit, image=f.image.convert("RGBA"), text="Go")
    assert result.image.mode == "RGBA"
    assert result.geometry == f.geometry


def test_plans_saved_before_auto_placement_still_parse() -> None:
    old = BrandParams.model_validate(
        {
            "spec": "story",
            "text": "Shop now",
            "position": "bottom-right",
            "logo_scale": 0.15,
            "text_color": "#FFFFFF",
            "use_logo": True,
        }
    )
    assert old.position == "bottom-right" and old.text_color == "#FFFFFF"
    new = BrandParams(spec="story")
    assert new.position == "auto" and new.text_color is None


def test_deterministic_and_input_untouched(kit: BrandKit) -> None:
    image = framed("iab-billboard").image
    before = image.tobytes()
    _, first = brand_framed("iab-billboard", kit, text="Shop the new season")
    _, second = brand_framed("iab-billboard", kit, text="Shop the new season")
    assert image.tobytes() == before
    assert first.image.tobytes() == second.image.tobytes() and first.record == second.record
