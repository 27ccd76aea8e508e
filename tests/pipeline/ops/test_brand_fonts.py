"""Copy that renders, or a clear refusal: coverage is checked against the kit's fonts before drawing,
the first font that covers the copy sets it, right-to-left copy is shaped, and the lineage names the file.

No CJK, Arabic or emoji font is installed and nothing is downloaded: the fonts are built here
(tests/support/fonts.py), saved beside kit files and loaded through the real kit loader.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont, features

from pipeline.brandkit import BrandKit, load_brand_kit
from pipeline.errors import BadRequest, EngineUnavailable
from pipeline.ops.base import OpResult
from tests.pipeline.ops.brand_helpers import brand_framed, run
from tests.support.fonts import build_font, latin_bars
from tests.support.servers import missing

EXAMPLES = Path(__file__).parents[3] / "examples" / "brand"
JAPANESE = "春のセール 今すぐ購入"
BEH, YEH, TEH = "\u0628", "\u064a", "\u062a"
ARABIC = BEH + YEH + TEH  # "بيت": initial, medial and final forms when joined
FORMS = {"init": 150, "medi": 300, "fina": 450}  # each contextual form a bar of its own height


def _arabic_font(path: Path) -> Path:
    letters = [BEH, YEH, TEH]
    extra = {
        f"u{ord(c):04X}.{form}": (200 + 100 * i, h)
        for i, c in enumerate(letters)
        for form, h in FORMS.items()
    }
    fea = "languagesystem DFLT dflt;\nlanguagesystem arab dflt;\n" + "".join(
        f"feature {form} {{ "
        + " ".join(f"sub u{ord(c):04X} by u{ord(c):04X}.{form};" for c in letters)
        + f" }} {form};\n"
        for form in FORMS
    )
    return build_font(path, "Test Arabic", {c: (400, 600) for c in letters}, extra_glyphs=extra, features=fea)


@pytest.fixture(scope="module")
def kits(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("kit")
    for name in ("logo.png", "DejaVuSans-Bold.ttf"):
        shutil.copy(EXAMPLES / name, folder / name)
    build_font(
        folder / "TestJP.ttf",
        "Test JP",
        {**latin_bars(), **{c: (850, 800) for c in "春のセール今すぐ購入、！"}},
    )
    build_font(folder / "TestEmoji.ttf", "Test Emoji", {**latin_bars(), "🎉": (800, 800)})
    build_font(folder / "TestLatin.ttf", "Test Latin", latin_bars())
    _arabic_font(folder / "TestArabic.ttf")
    specs = {
        "cjk": {"font": "DejaVuSans-Bold.ttf", "fonts": {"ja": "TestJP.ttf", "emoji": "TestEmoji.ttf"}},
        "arabic": {"font": "TestLatin.ttf", "fonts": {"ar": "TestArabic.ttf"}},
        "default": {"fonts": {"ja": "TestJP.ttf"}},
    }
    paths = {}
    for key, fields in specs.items():
        paths[key] = folder / f"{key}.json"
        paths[key].write_text(json.dumps({"name": "Acme", "logo": "logo.png", **fields}))
    return paths


def brand_on_portrait(kit: BrandKit, text: str, spec: str = "meta-feed-square") -> OpResult:
    return brand_framed(spec, kit, text=text)[1]


def test_copy_no_kit_font_covers_is_refused_naming_the_characters_and_the_fix() -> None:
    kit = load_brand_kit(EXAMPLES / "brand.json")
    with pytest.raises(BadRequest) as refused:
        brand_on_portrait(kit, JAPANESE)
    message = str(refused.value)
    assert message.startswith(f"`brand` can't set the copy “{JAPANESE}”: no font of the brand kit covers ")
    assert (
        "U+6625 CJK UNIFIED IDEOGRAPH-6625, U+306E HIRAGANA LETTER NO, U+30BB KATAKANA LETTER SE" in message
    )
    assert "and 2 more (tried DejaVuSans-Bold.ttf)" in message  # 10 characters: 8 named, 2 counted
    assert "Add a font that covers them to the kit's `fonts`" in message


def test_emoji_no_font_covers_is_refused_by_code_point() -> None:
    kit = load_brand_kit(EXAMPLES / "brand.json")
    with pytest.raises(BadRequest, match=r"covers U\+1F389 PARTY POPPER \(tried DejaVuSans-Bold.ttf\)"):
        brand_on_portrait(kit, "Autumn sale 🎉")


def test_the_first_kit_font_that_covers_the_copy_sets_it(kits: dict[str, Path]) -> None:
    kit = load_brand_kit(kits["cjk"])
    folder = kits["cjk"].parent
    for text, font in (
        (JAPANESE, "TestJP.ttf"),
        ("Autumn sale 🎉", "TestEmoji.ttf"),
        ("Shop now", "DejaVuSans-Bold.ttf"),
    ):
        copy = brand_on_portrait(kit, text).record["copy"]
        assert copy["font"] == font, text
        assert copy["font_sha256"] == hashlib.sha256((folder / font).read_bytes()).hexdigest()
        assert copy["missing"] == [] and copy["layout"] == "basic"
        assert "".join(copy["lines"]).replace(" ", "") == text.replace(" ", "")


def test_japanese_copy_wraps_between_characters_on_a_narrow_banner(kits: dict[str, Path]) -> None:
    kit = load_brand_kit(kits["cjk"])
    copy = brand_on_portrait(kit, "春のセール今すぐ購入、今すぐ購入", "iab-wide-skyscraper").record["copy"]
    assert len(copy["lines"]) >= 2 and "".join(copy["lines"]) == "春のセール今すぐ購入、今すぐ購入"
    assert not any(line.startswith(("ー", "、")) for line in copy["lines"])


def _bars(pixels: np.ndarray) -> list[tuple[int, int]]:
    """(width, height) of each run of inked columns, left to right."""
    columns = pixels.any(axis=0)
    bars, x = [], 0
    while x < len(columns):
        if columns[x]:
            start = x
            while x < len(columns) and columns[x]:
                x += 1
            bars.append((x - start, int(pixels[:, start:x].any(axis=1).sum())))
        x += 1
    return bars


def test_arabic_is_joined_and_ordered_right_to_left(kits: dict[str, Path]) -> None:
    if not features.check("raqm"):
        missing("Pillow's raqm layout (libraqm with libfribidi)")
    kit = load_brand_kit(kits["arabic"])
    canvas = Image.new("RGB", (1080, 1080), (20, 24, 32))
    result = run(canvas, kit, spec="meta-feed-square", text=ARABIC, use_logo=False)
    copy = result.record["copy"]
    assert copy["font"] == "TestArabic.ttf" and copy["layout"] == "raqm" and copy["lines"] == [ARABIC]
    x0, y0, x1, y1 = copy["line_boxes"][0]
    glyphs = np.asarray(result.image)[y0:y1, x0:x1].min(axis=-1) > 200  # the white copy on the dark ground
    shaped = _bars(glyphs)
    # Left to right on the page: teh's final form, yeh's medial, beh's initial (widths 4:3:2, heights 3:2:1).
    assert len(shaped) == 3
    widths, heights = [w for w, _ in shaped], [h for _, h in shaped]
    assert widths[0] > widths[1] > widths[2] and heights[0] > heights[1] > heights[2]
    assert abs(heights[0] / heights[2] - FORMS["fina"] / FORMS["init"]) < 0.5
    # The naive left-to-right draw: isolated forms, logical order, all the same height.
    naive = ImageFont.truetype(
        str(kits["arabic"].parent / "TestArabic.ttf"), copy["px"], layout_engine=ImageFont.Layout.BASIC
    )
    page = Image.new("L", (x1 - x0 + 40, y1 - y0 + 40))
    ImageDraw.Draw(page).text((5, 5), ARABIC, font=naive, fill=255)
    flat = _bars(np.asarray(page) > 128)
    assert len(flat) == 3 and len({h for _, h in flat}) == 1 and flat != shaped


def test_dejavu_sets_copy_it_covers_when_the_kit_names_no_main_font(kits: dict[str, Path]) -> None:
    kit = load_brand_kit(kits["default"])
    latin = brand_on_portrait(kit, "Shop now").record["copy"]
    assert latin["font"] == "DejaVuSans-Bold.ttf" and latin["layout"] == "basic"
    japanese = brand_on_portrait(kit, JAPANESE).record["copy"]
    assert japanese["font"] == "TestJP.ttf"
    if features.check("raqm"):
        arabic = brand_on_portrait(kit, "مرحبا").record["copy"]
        assert arabic["font"] == "DejaVuSans-Bold.ttf" and arabic["layout"] == "raqm"


def test_without_raqm_right_to_left_copy_is_refused_not_drawn_backwards(
    kits: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    kit = load_brand_kit(kits["arabic"])
    monkeypatch.setattr(features, "check", lambda name: name != "raqm")
    with pytest.raises(EngineUnavailable, match="needs right-to-left / complex-script shaping"):
        brand_on_portrait(kit, ARABIC)
