"""Brand kits: a small JSON file naming a logo, fonts, colours and a call to action.

```json
{"name": "Acme", "logo": "logo.svg", "font": "font.ttf",
 "fonts": {"ja": "NotoSansJP-Bold.otf", "ar": "NotoSansArabic-Bold.ttf"},
 "colors": {"text": "#FFFFFF", "accent": "#FF5A1F"}, "cta": "Shop now",
 "layout": {"panel": "brand", "backdrop": "white"}}
```
``layout`` (optional) picks how `fit` fills a layout's designed panel (``brand``, ``border_gradient``,
``ambient``; default: brand colour on display banners, a border gradient elsewhere) and a cut-out
packshot's backdrop (``white``, ``brand``, ``transparent`` where the format allows).
``font`` sets the copy; ``fonts`` names fallbacks per script or market, tried in order when
``font`` lacks a character of the copy (copy no kit font covers is refused, never drawn as
empty boxes). Paths are relative to the JSON file and may not leave its folder (no absolute
paths, no ``..``, no symlink pointing out). The logo goes through
:func:`pipeline.imaging.load_image`, or through :func:`pipeline.imaging.load_svg` when its
*content* is SVG. Fonts are read as bytes and checked by FreeType and for a Unicode cmap; nothing
here ever hands a user-supplied path to Pillow.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from PIL import Image, ImageFont
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipeline.engines.classical.branding.fonts import cmap_of
from pipeline.errors import BadInput
from pipeline.imaging import load_image, load_svg
from pipeline.imaging.load import read_capped
from pipeline.imaging.sniff import is_svg
from pipeline.ops.fields import HexColour

KIT_MAX_BYTES = 64_000
LOGO_MAX_BYTES = 10_000_000
LOGO_MAX_PIXELS = 16_000_000
FONT_MAX_BYTES = 20_000_000
MAX_FALLBACK_FONTS = 8
_FONT_KEY = r"^[A-Za-z][A-Za-z0-9_-]{0,31}$"  # a script or market code: "ja", "ar", "zh-Hant", "emoji"
_FONT_MAGIC = (b"\x00\x01\x00\x00", b"OTTO", b"true", b"ttcf")


class _Colours(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: HexColour = "#FFFFFF"
    accent: HexColour | None = None


class _Layout(BaseModel):
    model_config = ConfigDict(extra="forbid")
    panel: Literal["auto", "brand", "border_gradient", "ambient"] = "auto"
    backdrop: Literal["white", "brand", "transparent"] = "white"


class _KitFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=80)
    logo: str | None = Field(None, max_length=255)
    font: str | None = Field(None, max_length=255)
    fonts: dict[str, Annotated[str, Field(max_length=255)]] = Field(
        default_factory=dict, max_length=MAX_FALLBACK_FONTS
    )
    colors: _Colours = Field(default_factory=_Colours)
    cta: str = Field("", max_length=120)
    layout: _Layout = Field(default_factory=_Layout)

    @field_validator("fonts")
    @classmethod
    def _script_codes(cls, fonts: dict[str, str]) -> dict[str, str]:
        for key in fonts:
            if not re.fullmatch(_FONT_KEY, key):
                raise ValueError(
                    f"`{key}` isn't a script or market code (letters, digits, `-` or `_`, "
                    'e.g. "ja", "ar", "zh-Hant", "emoji")'
                )
        return fonts


@dataclass(frozen=True)
class KitFont:
    """A font the kit names: ``key`` is ``font`` (the main one) or ``font:<script or market>``."""

    key: str
    file: str  # its file name, recorded in each variant's lineage
    data: bytes = field(repr=False)  # TrueType/OpenType, already accepted by FreeType


@dataclass
class BrandKit:
    name: str
    logo: Image.Image | None  # RGBA, sRGB
    font_bytes: bytes | None  # TrueType/OpenType, already accepted by FreeType
    text_color: str
    cta: str
    accent_color: str | None = None
    notes: list[str] = field(default_factory=list)
    font_file: str | None = None  # the main font's file name
    fallback_fonts: list[KitFont] = field(default_factory=list)  # in the kit's order
    panel: str = "auto"  # layout panels' fill (fit's `panel`)
    backdrop: str = "white"  # cut-out packshots' backdrop

    def fonts(self) -> list[KitFont]:
        """Every font copy may be set in, in order: the main font, then the fallbacks."""
        main = [KitFont("font", self.font_file or "font", self.font_bytes)] if self.font_bytes else []
        return main + self.fallback_fonts

    def texts(self) -> dict[str, bytes]:
        """The fonts as ops receive them (``OpInputs.texts``): ``font`` and ``font:<key>``."""
        return {f.key: f.data for f in self.fonts()}

    def style(self) -> dict[str, Any]:
        """What ops may read of the kit besides the logo and font bytes (``OpInputs.style``): its
        colours, and its fonts' file names (so the lineage can say which file set the copy)."""
        colours = {"text": self.text_color, **({"accent": self.accent_color} if self.accent_color else {})}
        style: dict[str, Any] = {"kit": self.name, "colors": colours, "panel": self.panel,
                                 "backdrop": self.backdrop}
        if self.fonts():
            style["fonts"] = [{"key": f.key, "file": f.file} for f in self.fonts()]
        return style


def load_brand_kit(path: Path) -> BrandKit:
    """Read and validate a kit file and everything it names; BadInput on any problem."""
    label = path.name
    raw = read_capped(path, label, KIT_MAX_BYTES)
    try:
        kit = _KitFile.model_validate(json.loads(raw.decode("utf-8-sig")))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInput(f"`{label}` isn't valid JSON: {exc}.") from None
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'kit'}: {e['msg']}" for e in exc.errors()
        )
        raise BadInput(f"`{label}` isn't a valid brand kit: {problems}.") from None
    folder = path.resolve().parent
    notes: list[str] = []
    font_path = _inside(folder, kit.font, label, "font") if kit.font else None
    font_bytes = _read_font(font_path) if font_path else None
    fallbacks = []
    for key, relative in kit.fonts.items():
        path = _inside(folder, relative, label, f"`fonts.{key}` font")
        fallbacks.append(KitFont(f"font:{key}", path.name, _read_font(path)))
    logo = None
    if kit.logo:
        logo_path = _inside(folder, kit.logo, label, "logo")
        data = read_capped(logo_path, logo_path.name, LOGO_MAX_BYTES)
        if is_svg(data[:1024]):
            fonts = (str(font_path),) if font_path else ()  # an SVG logo's own text: the main font
            loaded = load_svg(data, name=logo_path.name, max_bytes=LOGO_MAX_BYTES, font_files=fonts)
        else:
            loaded = load_image(
                data, name=logo_path.name, max_bytes=LOGO_MAX_BYTES, max_pixels=LOGO_MAX_PIXELS
            )
        logo = loaded.image.convert("RGBA")
        notes += loaded.notes
        if loaded.image.mode != "RGBA":
            notes.append(f"`{logo_path.name}` has no transparency: it will be placed as an opaque rectangle")
    return BrandKit(
        kit.name,
        logo,
        font_bytes,
        kit.colors.text,
        kit.cta,
        kit.colors.accent,
        notes,
        font_file=font_path.name if font_path else None,
        fallback_fonts=fallbacks,
        panel=kit.layout.panel,
        backdrop=kit.layout.backdrop,
    )


def _inside(folder: Path, relative: str, label: str, what: str) -> Path:
    """``folder/relative``, refusing anything that resolves outside ``folder`` (``..``, absolute, symlink)."""
    candidate = Path(relative)
    if candidate.is_absolute() or "\\" in relative:
        raise BadInput(f"`{label}`: the {what} path `{relative}` must be relative to the kit's folder.")
    resolved = (folder / candidate).resolve()
    if not resolved.is_relative_to(folder):
        raise BadInput(
            f"`{label}`: the {what} path `{relative}` leaves the kit's folder; "
            "keep the kit's files beside it."
        )
    return resolved


def _read_font(path: Path) -> bytes:
    data = read_capped(path, path.name, FONT_MAX_BYTES)
    if not data.startswith(_FONT_MAGIC):
        raise BadInput(f"`{path.name}` isn't a TrueType/OpenType font.")
    try:
        ImageFont.truetype(io.BytesIO(data), 16)
    except OSError:
        raise BadInput(f"`{path.name}` is a damaged font file (FreeType can't read it).") from None
    if not cmap_of(data):  # coverage is checked against the cmap before any copy is drawn
        raise BadInput(f"`{path.name}` has no Unicode character map: no copy could be set in it.")
    return data
