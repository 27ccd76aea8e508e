"""brand never covers a face or the product: on every catalogue spec, for the demo portrait framed by
`fit`, for a face in every corner, and when nothing fits (the logo goes first, then the copy)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline.brandkit import BrandKit, load_brand_kit
from pipeline.engines.classical.branding import arrange
from pipeline.engines.classical.branding.calm import CalmField
from pipeline.engines.classical.branding.fonts import default_font
from pipeline.engines.classical.branding.placement import Area, Scene
from pipeline.engines.classical.branding.wrapping import layouts
from pipeline.engines.classical.keyregions import KeyRegion, regions_in_frame
from pipeline.ops.base import Geometry
from pipeline.specs import all_specs, get_spec
from tests.pipeline.ops.brand_helpers import (
    FACE_IN_CROP,
    astronaut,
    brand_framed,
    drawn_boxes,
    face_crop,
    framed,
    measured_contrast,
    overlaps,
    run,
    untouched,
    with_face,
)

KIT = Path(__file__).parents[3] / "examples" / "brand" / "brand.json"
# The astronaut's face in the master's pixels (the crop's offset plus the face inside it).
FACE_IN_MASTER = (150 + FACE_IN_CROP[0], 50 + FACE_IN_CROP[1], 150 + FACE_IN_CROP[2], 50 + FACE_IN_CROP[3])
LONG_CTA = "Shop the whole autumn collection today with free delivery on every order"
ALL = [s.name for s in all_specs()]


@pytest.fixture(scope="module")
def kit() -> BrandKit:
    return load_brand_kit(KIT)


def assert_face_clear(result: object, before: Image.Image, face: tuple[float, ...]) -> None:
    for box in drawn_boxes(result):  # type: ignore[arg-type]
        assert not overlaps(box, face, pad=4), f"{box} covers the face {face}"
    assert untouched(result, before, face)  # type: ignore[arg-type]


@pytest.mark.parametrize("spec", ALL)
def test_the_demo_portrait_keeps_its_face_on_every_spec(kit: BrandKit, spec: str) -> None:
    f = framed(spec)
    [face] = [r.box for r in regions_in_frame([KeyRegion("face", FACE_IN_MASTER)], f.geometry)]
    texts = ["Shop now", LONG_CTA] if get_spec(spec).groups[:1] == ("iab",) else ["Shop now"]
    for text in texts:
        _, result = brand_framed(spec, kit, text=text)
        assert_face_clear(result, f.image, face)
        assert result.record["logo_box"] or result.record["text_box"], result.notes
        assert [a["kind"] for a in result.record["placement"]["avoided"]] == ["face"]
        if result.record["copy"]:
            assert result.record["copy"]["contrast"] >= 4.5


@pytest.mark.parametrize("spec", ALL)
def test_a_face_in_any_corner_is_never_covered(kit: BrandKit, spec: str) -> None:
    for corner in ("top-left", "top-right", "bottom-left", "bottom-right"):
        image, face = with_face(get_spec(spec).size, corner)
        result = run(image, kit, spec=spec, text="Shop now")
        assert_face_clear(result, image, face)
        assert result.record["logo_box"] and result.record["text_box"], (corner, result.notes)
        assert measured_contrast(result) >= 4.5


def test_a_crowd_filling_a_mobile_banner_gets_no_brand_and_the_notes_say_why(kit: BrandKit) -> None:
    image = Image.new("RGB", (320, 50), (150, 160, 170))
    head = face_crop().resize((47, 50), Image.Resampling.LANCZOS)
    for i in range(6):
        image.paste(head, (round(i * (320 - 47) / 5), 0))
    result = run(image, kit, spec="iab-mobile-banner", text="Shop now")
    assert len(result.record["placement"]["avoided"]) == 6
    assert np.array_equal(np.asarray(result.image), np.asarray(image))  # nothing drawn over anyone
    assert result.record["logo_box"] is None and result.record["copy"] is None
    assert result.notes == [
        "logo dropped: no spot on `iab-mobile-banner` keeps it clear of the face",
        "copy dropped: on `iab-mobile-banner` it finds no spot clear of the face",
    ]
    assert result.record["placement"]["dropped"] == result.notes


def packshot(size: tuple[int, int], product: tuple[int, int, int, int]) -> Image.Image:
    """A cut-out product on transparency (the product box comes from alpha)."""
    rgba = np.zeros((size[1], size[0], 4), np.uint8)
    rgba[..., :3] = (210, 200, 190)
    x0, y0, x1, y1 = product
    rgba[y0:y1, x0:x1] = (180, 40, 40, 255)
    return Image.fromarray(rgba, "RGBA")


def test_no_room_for_the_logo_drops_it_keeps_the_copy_and_says_so(kit: BrandKit) -> None:
    # The product leaves a 40 px band: copy fits at a small size, a logo half its wanted size doesn't.
    image = packshot((300, 250), (0, 0, 300, 190))
    result = run(image, kit, spec="iab-medium-rectangle", text="Shop now", logo_scale=0.5)
    assert result.record["logo_box"] is None and result.record["text_box"]
    assert result.record["placement"]["avoided"] == [{"kind": "product", "box": [0.0, 0.0, 300.0, 190.0]}]
    assert (
        result.notes[0]
        == "logo dropped: no spot on `iab-medium-rectangle` keeps it beside the copy clear of the product"
    )
    assert result.record["placement"]["dropped"] == [result.notes[0]]
    assert not overlaps(result.record["text_box"], (0, 0, 300, 190), pad=4)
    assert untouched(result, image, (0, 0, 300, 190))
    assert result.image.mode == "RGBA"


def test_a_requested_corner_over_the_face_yields_to_the_face(kit: BrandKit) -> None:
    image, face = with_face((300, 250), "bottom-right")
    result = run(image, kit, spec="iab-medium-rectangle", text="Shop now", position="bottom-right")
    assert_face_clear(result, image, face)
    assert not result.record["placement"]["anchor"].startswith("bottom-right")


def banner_with_panel(colour: tuple[int, int, int]) -> tuple[Image.Image, dict[str, object], np.ndarray]:
    """A 728×90 layout as `fit` composes it: the face on the right third, a flat brand panel on the left."""
    image = Image.new("RGB", (728, 90), colour)
    photo = astronaut().crop((100, 40, 340, 130)).resize((240, 90), Image.Resampling.LANCZOS)
    image.paste(photo, (488, 0))
    layout = {
        "panel_box": [0.0, 0.0, 488.0, 90.0],
        "photo_box": [488.0, 0.0, 728.0, 90.0],
        "side": "left",
        "fill": {"kind": "brand", "colours": ["#{:02X}{:02X}{:02X}".format(*colour)]},
    }
    designed = np.zeros((90, 728), np.float32)
    designed[:, :488] = 1.0
    return image, layout, designed


@pytest.mark.parametrize(("colour", "expected"), [((31, 58, 95), "#FFFFFF"), ((242, 233, 220), "#141414")])
def test_copy_and_logo_go_on_the_layouts_panel_in_a_legible_colour(
    kit: BrandKit, colour: tuple[int, int, int], expected: str
) -> None:
    image, layout, _ = banner_with_panel(colour)
    result = run(image, kit, layout=layout, spec="iab-leaderboard", text=LONG_CTA)
    placement = result.record["placement"]
    assert placement["on_panel"] is True and placement["dropped"] == []
    for box in (result.record["logo_box"], result.record["text_box"]):
        assert box[0] >= 4 and box[2] <= 488 - 4  # on the panel, with a margin
    copy = result.record["copy"]
    assert len(copy["lines"]) >= 2  # the long copy wraps on the panel
    # The kit's white reads on the dark panel; on the light one ink is chosen instead of a scrim.
    assert copy["colour"] == expected and result.record["scrim_box"] is None
    assert copy["contrast"] >= 4.5 and measured_contrast(result) >= 4.5
    assert np.array_equal(np.asarray(result.image)[:, 488:], np.asarray(image)[:, 488:])  # photo untouched


def test_a_panel_too_small_for_the_brand_falls_back_to_the_safe_zone(kit: BrandKit) -> None:
    image, layout, _ = banner_with_panel((31, 58, 95))
    layout = {**layout, "panel_box": [0.0, 0.0, 6.0, 90.0]}
    result = run(image, kit, layout=layout, spec="iab-leaderboard", text="Shop now")
    assert result.record["placement"]["on_panel"] is False
    assert "the layout's panel is too small to hold anything: using the safe zone" in result.notes


def test_a_story_panel_keeps_the_platform_insets(kit: BrandKit) -> None:
    # A 9:16 layout from a landscape master: a blurred-ambient panel on top, the photo below.
    image = Image.new("RGB", (1080, 1920), (96, 104, 120))
    image.paste(astronaut().resize((1080, 1080), Image.Resampling.LANCZOS), (0, 840))
    layout = {
        "panel_box": [0.0, 0.0, 1080.0, 840.0],
        "photo_box": [0.0, 840.0, 1080.0, 1920.0],
        "side": "top",
        "fill": {"kind": "ambient", "colours": ["#606878"]},
    }
    result = run(image, kit, layout=layout, spec="story", text="Shop now")
    assert result.record["placement"]["on_panel"] is True
    for box in drawn_boxes(result):
        assert box[1] >= round(0.14 * 1920) and box[3] <= 840


def test_the_key_regions_are_those_of_the_master_mapped_into_the_frame(kit: BrandKit) -> None:
    # brand runs after fit *and* upscale: the geometry maps the upscaled frame back to the master.
    f = framed("iab-medium-rectangle")
    image, geometry = f.image, f.geometry
    big = image.resize((600, 500), Image.Resampling.LANCZOS)
    result = run(
        big,
        kit,
        master=astronaut(),
        geometry=geometry.then_resize((600, 500)),
        spec="dv360-medium-rectangle-2x",
        text="Shop now",
    )
    [face] = [
        r.box for r in regions_in_frame([KeyRegion("face", FACE_IN_MASTER)], geometry.then_resize((600, 500)))
    ]
    assert_face_clear(result, big, face)
    [avoided] = result.record["placement"]["avoided"]
    assert overlaps(avoided["box"], face)
    assert Geometry.identity((1, 1)) != geometry  # the test really maps through a crop


def test_the_fallback_ladder_shrinks_the_logo_then_drops_it_then_the_copy() -> None:
    block = layouts("Shop now", default_font(), False, [14], 280, 90)[0]
    options = arrange.options((60, 60), [block], 14, "auto", wide=False)
    area = Area((0, 0, 300, 100), on_panel=False)
    calm = CalmField(Image.new("RGB", (300, 100), (128, 128, 128)))

    def pick(free_height: int) -> tuple[tuple[int, int] | None, bool] | None:
        """Everything above a band ``free_height`` px tall at the bottom is a face."""
        forbidden = ((0.0, 0.0, 300.0, float(100 - free_height)),) if free_height < 100 else ()
        spot = arrange.search(options, [area], Scene(forbidden, (), calm, "auto"))
        return None if spot is None else (spot.option.logo_size, spot.option.copy is not None)

    assert pick(100) == ((60, 60), True)  # room for everything as asked
    assert pick(45) == ((39, 39), True)  # the logo a step smaller beside the copy
    assert pick(40) == ((30, 30), True)  # … then at half size
    assert pick(30) == ((24, 24), True)  # … then at 40 %, the smallest it goes
    assert pick(25) == (None, True)  # no logo fits: dropped, the copy stays
    assert pick(12) is None  # not even the copy: nothing is drawn
