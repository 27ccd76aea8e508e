"""brand: logo and copy land inside the safe zone, nothing outside it changes, copy stays legible."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage import data

from pipeline.brandkit import BrandKit, load_brand_kit
from pipeline.engines.classical.branding import contrast, relative_luminance
from pipeline.errors import BadRequest
from pipeline.ops.base import Geometry, OpContext, OpInputs, OpResult
from pipeline.ops.brand import BrandParams, brand
from pipeline.specs import get_spec

KIT = Path(__file__).parents[3] / "examples" / "brand" / "brand.json"


@pytest.fixture(scope="module")
def kit() -> BrandKit:
    return load_brand_kit(KIT)


def photo(size: tuple[int, int]) -> Image.Image:
    return Image.fromarray(data.astronaut()).resize(size, Image.Resampling.BILINEAR)


def run(image: Image.Image, kit: BrandKit | None, **params: object) -> OpResult:
    extras = {"logo": kit.logo} if kit and kit.logo else {}
    texts = {"font": kit.font_bytes} if kit and kit.font_bytes else {}
    inputs = OpInputs(image, image, Geometry.identity(image.size), extras=extras, texts=texts)
    return brand(inputs, BrandParams(**params), OpContext(seed=3))  # type: ignore[arg-type]


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
        ("iab-mobile-banner", "top-center"),
    ],
)
def test_everything_lands_inside_the_safe_zone(kit: BrandKit, spec: str, position: str) -> None:
    s = get_spec(spec)
    image = photo(s.size)
    before = np.asarray(image).copy()
    result = run(image, kit, spec=spec, text="Shop now", position=position)
    assert result.image.size == s.size and result.image.mode == "RGB"
    assert np.array_equal(np.asarray(image), before)  # input untouched
    safe = s.safe_zone.box(*s.size)
    assert result.record["safe_zone"] == list(safe)
    diff = changed(result.image, image)
    ys, xs = np.nonzero(diff)
    assert len(xs) > 0
    assert safe[0] <= xs.min() and xs.max() < safe[2] and safe[1] <= ys.min() and ys.max() < safe[3]
    for key in ("logo_box", "text_box"):
        box = result.record[key]
        assert inside(box, safe)
        assert diff[box[1] : box[3], box[0] : box[2]].mean() > 0.2  # something was really drawn there
    logo, text = result.record["logo_box"], result.record["text_box"]
    assert logo[2] <= text[0] or text[2] <= logo[0] or logo[3] <= text[1] or text[3] <= logo[1]  # no overlap


def test_story_bands_are_exactly_the_platform_insets(kit: BrandKit) -> None:
    image = photo((1080, 1920))
    for position in ("top-right", "bottom-left"):
        diff = changed(run(image, kit, spec="story", text="Shop now", position=position).image, image)
        assert not diff[: round(0.14 * 1920)].any() and not diff[1920 - round(0.20 * 1920) :].any()


def test_scrim_only_when_background_fights_the_copy() -> None:
    white = Image.new("RGB", (300, 250), (245, 245, 240))
    result = run(white, None, spec="iab-medium-rectangle", text="Shop now", text_color="#FFFFFF")
    assert result.record["scrim_alpha"] > 0 and result.record["contrast_before"] < 1.2
    sy0 = result.record["scrim_box"][1]
    tx0, ty0, tx1, _ = result.record["text_box"]
    backdrop = np.asarray(result.image)[sy0 + 2 : ty0, tx0:tx1]  # scrim strip above the glyphs, no corners
    assert contrast(1.0, float(relative_luminance(backdrop).max())) >= 4.5
    assert any("scrim" in n for n in result.notes)
    dark = Image.new("RGB", (300, 250), (20, 25, 30))
    assert run(dark, None, spec="iab-medium-rectangle", text="Shop now").record["scrim_alpha"] == 0


def test_copy_shrinks_then_refuses(kit: BrandKit) -> None:
    image = photo((300, 250))
    long = "Autumn collection: free delivery on all orders"
    result = run(image, None, spec="iab-medium-rectangle", text=long)
    assert inside(result.record["text_box"], (0, 0, 300, 250))
    assert any("copy shrunk" in n for n in result.notes)
    too_long = "Shop the whole autumn collection today with free delivery on every order over fifty"
    with pytest.raises(BadRequest, match="does not fit the safe zone of `iab-mobile-banner`"):
        run(photo((320, 50)), kit, spec="iab-mobile-banner", text=too_long)


def test_image_must_already_be_at_spec_size(kit: BrandKit) -> None:
    with pytest.raises(BadRequest, match=r"needs the image at `story` size 1080×1920 \(it is 512×512\)"):
        run(photo((512, 512)), kit, spec="story", text="Hi")


def test_logo_only_default_font_and_nothing(kit: BrandKit) -> None:
    image = photo((300, 600))
    logo_only = run(image, kit, spec="iab-half-page")
    assert logo_only.record["text_box"] is None and logo_only.record["logo_box"]
    default_font = run(image, None, spec="iab-half-page", text="Shop now", use_logo=False)
    assert default_font.record["logo_box"] is None and default_font.record["font_px"] >= 10
    nothing = run(image, kit, spec="iab-half-page", use_logo=False)
    assert np.array_equal(np.asarray(nothing.image), np.asarray(image))
    assert nothing.notes == ["nothing to place: no logo and no copy"]


def test_rgba_images_keep_their_alpha(kit: BrandKit) -> None:
    image = photo((300, 250)).convert("RGBA")
    result = run(image, kit, spec="iab-medium-rectangle", text="Go")
    assert result.image.mode == "RGBA"
    assert result.geometry == Geometry.identity((300, 250))
