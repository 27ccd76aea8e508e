"""Fonts for copy: which of the kit's fonts covers the text, and how to lay it out.

Coverage is read from each font's cmap (fontTools) *before* anything is drawn: FreeType draws a
character the font lacks as .notdef (an empty box, "tofu"), so copy no font covers is refused
with the characters named, never drawn.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont, TTLibError
from PIL import ImageFont, features

from pipeline.errors import BadRequest, EngineUnavailable

DEFAULT_FONT_NAME = "DejaVuSans-Bold.ttf"
SHOWN_MISSING = 8  # a refusal names this many characters, then counts the rest


@dataclass(frozen=True)
class FontFile:
    """A font's bytes and the name the lineage records for it (the kit's file name)."""

    name: str
    data: bytes = field(repr=False)

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def cmap(self) -> frozenset[int]:
        return cmap_of(self.data)

    def missing(self, text: str) -> list[str]:
        """Characters of ``text`` that need a glyph and have none here, in order of first use."""
        return [c for c in dict.fromkeys(text) if needs_glyph(c) and ord(c) not in self.cmap]


@lru_cache(maxsize=16)
def cmap_of(data: bytes) -> frozenset[int]:
    """Code points a font maps to a glyph (its best Unicode cmap, the one FreeType selects)."""
    try:
        font = TTFont(io.BytesIO(data), lazy=True, fontNumber=0)
        return frozenset(font.getBestCmap() or {})
    except (TTLibError, KeyError, AssertionError, ValueError):
        return frozenset()


@lru_cache(maxsize=1)
def default_font() -> FontFile:
    """DejaVu Sans Bold from matplotlib's bundled fonts (free licence; always installed)."""
    import matplotlib

    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / DEFAULT_FONT_NAME
    return FontFile(DEFAULT_FONT_NAME, path.read_bytes())


# Unicode's Default_Ignorable_Code_Point ranges: invisible format characters (ZWJ, variation
# selectors, bidi marks) a renderer hides; they need no glyph of their own.
_IGNORABLE = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)


def ignorable(char: str) -> bool:
    cp = ord(char)
    return any(lo <= cp <= hi for lo, hi in _IGNORABLE)


def needs_glyph(char: str) -> bool:
    return not ignorable(char) and unicodedata.category(char) != "Cc"


def visible_text(text: str, shaped: bool) -> str:
    """``text`` as drawn: raqm (HarfBuzz) hides ignorables itself; BASIC would draw them as tofu."""
    return text if shaped else "".join(c for c in text if not ignorable(c))


def needs_shaping(text: str) -> bool:
    """Right-to-left characters or combining marks: the text needs bidi reordering and OpenType shaping."""
    for char in text:
        if unicodedata.bidirectional(char) in ("R", "AL", "AN"):
            return True
        if unicodedata.category(char) in ("Mn", "Mc") and not ignorable(char):
            return True
    return False


def choose_font(fonts: Iterable[FontFile], text: str, what: str) -> FontFile:
    """The first font that covers every character of ``text``; BadRequest naming what none covers."""
    tried = list(fonts)
    for font in tried:
        if not font.missing(text):
            return font
    best = min(tried, key=lambda f: len(f.missing(text)))
    missing = best.missing(text)
    named = ", ".join(describe(c) for c in missing[:SHOWN_MISSING])
    more = f" and {len(missing) - SHOWN_MISSING} more" if len(missing) > SHOWN_MISSING else ""
    names = ", ".join(f.name for f in tried)
    raise BadRequest(
        f"`brand` can't set {what} “{text}”: no font of the brand kit covers {named}{more} "
        f"(tried {names}). Add a font that covers them to the kit's `fonts` "
        '(e.g. `"fonts": {"ja": "NotoSansJP-Bold.otf"}`); keyart never draws copy as empty boxes.'
    )


def describe(char: str) -> str:
    name = unicodedata.name(char, "unnamed character")
    return f"U+{ord(char):04X} {name}"


def check_shaping_available(text: str) -> None:
    if not features.check("raqm"):
        raise EngineUnavailable(
            f"`brand`: the copy “{text}” needs right-to-left / complex-script shaping, and Pillow's "
            "raqm layout isn't available here: install libraqm's runtime libraries "
            "(`apt-get install libfribidi0 libharfbuzz0b`)."
        )


@lru_cache(maxsize=64)
def font_at(data: bytes, px: int, shaped: bool) -> ImageFont.FreeTypeFont:
    """The font at ``px`` pixels.

    Plain left-to-right text uses Pillow's BASIC layout: glyph placement then depends only on
    FreeType, identical on every machine, so a variant is byte-for-byte reproducible for its seed.
    Text that needs shaping (Arabic joining, right-to-left order, combining marks) uses RAQM
    (HarfBuzz + FriBidi): BASIC would draw it unjoined and left to right, which is wrong, and
    correctness beats cross-machine determinism there (the lineage records the font's digest).
    """
    engine = ImageFont.Layout.RAQM if shaped else ImageFont.Layout.BASIC
    return ImageFont.truetype(io.BytesIO(data), px, layout_engine=engine)


def kit_fonts(texts: dict[str, bytes], style: dict[str, object]) -> list[FontFile]:
    """The fonts copy may use, in order: the kit's font (else DejaVu Sans Bold), then its fallbacks.

    Bytes travel in ``OpInputs.texts`` (``font``, ``font:<script or market>``); the kit's style
    names the files (``style["fonts"]``: ``[{"key", "file"}]``) so the lineage can record them.
    """
    listed = style.get("fonts")
    names = (
        {str(f["key"]): str(f["file"]) for f in listed if isinstance(f, dict)}
        if isinstance(listed, list)
        else {}
    )
    order = [k for k in names if k in texts] + [k for k in texts if k.startswith("font:") and k not in names]
    primary = (
        FontFile(names.get("font", "brand kit font"), texts["font"]) if texts.get("font") else default_font()
    )
    fallbacks = [
        FontFile(names.get(k, k.removeprefix("font:") + " font"), texts[k]) for k in order if k != "font"
    ]
    return [primary, *fallbacks]
