"""Copy wraps over as many lines as the space holds, with balanced breaks, never below the spec's
smallest legible size; copy that cannot fit is left out with a note, never squeezed illegible."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from pipeline.brandkit import BrandKit, load_brand_kit
from pipeline.engines.classical.branding.areas import min_copy_px
from pipeline.engines.classical.branding.fonts import default_font, font_at
from pipeline.engines.classical.branding.wrapping import layouts, tokens
from pipeline.specs import get_spec
from tests.pipeline.ops.brand_helpers import brand_framed, measured_contrast

KIT = Path(__file__).parents[3] / "examples" / "brand" / "brand.json"
TWELVE_WORDS = "Shop the whole autumn collection today with free delivery on every order"


@pytest.fixture(scope="module")
def kit() -> BrandKit:
    return load_brand_kit(KIT)


def test_a_twelve_word_cta_wraps_on_the_medium_rectangle(kit: BrandKit) -> None:
    # Set on one line it needed ~600 px at 10 px; the old op refused it ("does not fit … even at 10 px").
    _, result = brand_framed("iab-medium-rectangle", kit, text=TWELVE_WORDS)
    copy = result.record["copy"]
    assert len(copy["lines"]) >= 2 and " ".join(copy["lines"]) == TWELVE_WORDS
    assert copy["px"] >= 12  # wrapping keeps it well above the 10 px floor
    x0, y0, x1, y1 = result.record["text_box"]
    assert 0 <= x0 < x1 <= 300 and 0 <= y0 < y1 <= 250
    assert [list(b) for b in copy["line_boxes"]] == copy["line_boxes"] and len(copy["line_boxes"]) == len(
        copy["lines"]
    )
    assert copy["contrast"] >= 4.5 and measured_contrast(result) >= 4.5
    assert result.record["placement"]["dropped"] == []


def greedy(words: list[str], fits: object) -> list[str]:
    lines: list[str] = []
    for word in words:
        if lines and fits(f"{lines[-1]} {word}"):  # type: ignore[operator]
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def test_breaks_are_balanced_not_greedy() -> None:
    text = "Free delivery on every autumn order this week"
    face = font_at(default_font().data, 20, False)
    width = round(face.getlength("Free delivery on every autumn")) + 2  # greedy fills this, leaves 3 words
    greedy_lines = greedy(text.split(), lambda line: face.getlength(line) <= width)
    [block, *_] = layouts(text, default_font(), False, [20], width, 200)
    assert len(block.lines) == len(greedy_lines) == 2
    widths = [face.getlength(line) for line in block.lines]
    greedy_widths = [face.getlength(line) for line in greedy_lines]
    assert max(widths) - min(widths) < (max(greedy_widths) - min(greedy_widths)) / 2
    assert max(widths) < max(greedy_widths)
    assert " ".join(block.lines) == text


def test_every_layout_offered_fits_its_box_and_more_lines_mean_narrower_blocks() -> None:
    found = layouts(TWELVE_WORDS, default_font(), False, [16, 14, 12], 280, 120)
    assert found
    for block in found:
        assert block.size[0] <= 280 and block.size[1] <= 120
        assert " ".join(block.lines) == TWELVE_WORDS
    at_16 = [b for b in found if b.px == 16]
    assert [len(b.lines) for b in at_16] == sorted(len(b.lines) for b in at_16)
    assert all(a.size[0] >= b.size[0] for a, b in itertools.pairwise(at_16))


@pytest.mark.parametrize("spec", ["story", "meta-feed-square", "print-a4-300dpi", "iab-leaderboard"])
def test_copy_is_never_set_below_the_specs_smallest_legible_size(kit: BrandKit, spec: str) -> None:
    _, result = brand_framed(spec, kit, text=TWELVE_WORDS)
    floor = min_copy_px(get_spec(spec))
    assert floor >= 10 and (spec != "story" or floor >= 24)  # a phone-sized story needs more than 10 px
    if result.record["copy"] is not None:
        assert result.record["copy"]["px"] >= floor
    else:
        assert any(n.startswith("copy dropped") for n in result.notes)


def test_copy_that_cannot_fit_is_dropped_with_a_note_not_squeezed(kit: BrandKit) -> None:
    # An address is one unbreakable word: at 10 px it is wider than the whole 320×50 banner.
    text = "www.example-outfitters-autumn-collection-2026.com/deals"
    _, result = brand_framed("iab-mobile-banner", kit, text=text)
    assert result.record["copy"] is None and result.record["text_box"] is None
    assert (
        "copy dropped: on `iab-mobile-banner` it is too long for the space even at the smallest "
        "legible size" in result.notes
    )
    assert result.record["logo_box"] is not None  # the logo still has its place


def test_cjk_breaks_between_characters_but_not_before_closing_marks() -> None:
    pieces = [t.text for t in tokens("春のセール、今すぐ購入！ SALE")]
    assert pieces[:4] == ["春", "の", "セー", "ル、"]  # the long-vowel mark and the comma never start a line
    assert any(p.endswith("！") for p in pieces)
    assert not any(p[0] in "、！ー" for p in pieces)
    assert pieces[-1] == "SALE"
