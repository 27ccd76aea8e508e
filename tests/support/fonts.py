"""Small TrueType fonts built in the test (fontTools' FontBuilder): no CJK, Arabic or emoji font is
installed on CI and nothing may be downloaded, so tests make fonts with exactly the glyphs they need.

Every glyph is a filled bar whose width and height are given per character, so a test can tell
glyphs apart on the rendered pixels; ``.notdef`` is a hollow box, the tofu a missing glyph shows.
"""

from __future__ import annotations

from pathlib import Path

from fontTools.feaLib.builder import addOpenTypeFeaturesFromString
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen

UPM = 1000
ASCII = "".join(chr(c) for c in range(0x21, 0x7F))

Bar = tuple[int, int]  # (width, height) in font units; advance = width + 100


def _bar(width: int, height: int) -> object:
    pen = TTGlyphPen(None)
    pen.moveTo((50, 0))
    pen.lineTo((50, height))
    pen.lineTo((50 + width, height))
    pen.lineTo((50 + width, 0))
    pen.closePath()
    return pen.glyph()


def _tofu() -> object:
    """A hollow box: an outer contour clockwise, the hole counter-clockwise (TrueType's winding)."""
    pen = TTGlyphPen(None)
    for points in (
        ((50, 0), (50, 700), (550, 700), (550, 0)),
        ((120, 70), (480, 70), (480, 630), (120, 630)),
    ):
        pen.moveTo(points[0])
        for point in points[1:]:
            pen.lineTo(point)
        pen.closePath()
    return pen.glyph()


def build_font(
    path: Path,
    family: str,
    bars: dict[str, Bar],
    *,
    extra_glyphs: dict[str, Bar] | None = None,
    features: str | None = None,
) -> Path:
    """Write a TrueType font mapping each character of ``bars`` to a bar glyph (plus a space).

    ``extra_glyphs`` are unmapped glyphs (contextual forms) that ``features`` (OpenType feature
    syntax) may substitute in, e.g. Arabic initial/medial/final forms.
    """
    named = {f"u{ord(c):04X}": c for c in bars}
    extra = extra_glyphs or {}
    order = [".notdef", "space", *named, *extra]
    glyphs = {".notdef": _tofu(), "space": TTGlyphPen(None).glyph()}
    metrics = {".notdef": (600, 50), "space": (300, 0)}
    for name, size in [*((n, bars[c]) for n, c in named.items()), *extra.items()]:
        glyphs[name] = _bar(*size)
        metrics[name] = (size[0] + 100, 50)
    builder = FontBuilder(UPM, isTTF=True)
    builder.setupGlyphOrder(order)
    builder.setupCharacterMap({0x20: "space", **{ord(c): n for n, c in named.items()}})
    builder.setupGlyf(glyphs)
    builder.setupHorizontalMetrics(metrics)
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": family, "styleName": "Bold"})
    builder.setupOS2(sTypoAscender=800, sTypoDescender=-200, usWinAscent=800, usWinDescent=200)
    builder.setupPost()
    if features:
        addOpenTypeFeaturesFromString(builder.font, features)
    builder.save(str(path))
    return path


def latin_bars(height: int = 700) -> dict[str, Bar]:
    """Printable ASCII, each a bar of its own width (so lines have realistic, varied lengths)."""
    return {c: (300 + (ord(c) * 37) % 300, height) for c in ASCII}
