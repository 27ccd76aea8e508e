"""Designed panels for the calibration (issue 13): a layout the way designers make banners — the
photo cropped on one side, a flat brand-colour panel carrying the copy on the other — with the
masks and records the executor stores (``designed_mask``, ``geometry["layout"]``, brand's record).

Good panels must pass every check; the injected design defects must fail ``design``:
``off-brand panel`` (the panel ΔE2000 ≈ 3 from the recorded brand colour), ``low-contrast copy``
(the copy colour pulled toward the panel's, 2:1) and ``missing glyphs`` (brand's record says characters were
missing from the font).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from pipeline.audit import calibration as cal
from pipeline.audit.calibration_fills import photo
from pipeline.audit.design import DesignRecord
from pipeline.audit.encoding import probe
from pipeline.engines.classical.branding import contrast, hex_rgb, relative_luminance
from pipeline.engines.classical.branding.fonts import default_font, font_at
from pipeline.ops.base import Geometry
from pipeline.specs import get_spec

BRAND = "#1F4E8C"  # the kit's colour the panels carry
COPY = "Spring sale: 20% off"


@dataclass(frozen=True)
class PanelCase:
    master: str
    spec: str
    panel: float = 0.4  # share of the frame's long side
    colour: str = BRAND
    copy_colour: str = "#FFFFFF"

    @property
    def label(self) -> str:
        return f"{self.master} {self.spec} panel {self.panel:.0%}"


# Extreme formats, where designers use a panel: leaderboards, billboards, skyscrapers, 21:9.
PANELS: tuple[PanelCase, ...] = (
    PanelCase("astronaut", "iab-leaderboard"),
    PanelCase("coffee", "iab-billboard"),
    PanelCase("chelsea", "web-hero-21x9", 0.35),
    PanelCase("rocket", "iab-wide-skyscraper", 0.35),
    PanelCase("motorcycle", "iab-half-page", 0.35, "#C8102E"),
    PanelCase("grace_hopper", "iab-billboard", 0.45, "#F2C14E", "#1A1A1A"),
    PanelCase("astronaut", "iab-mobile-banner", 0.45, "#0B6E4F"),
    PanelCase("coffee", "iab-half-page", 0.3, "#F4EDE4", "#2B1D14"),
    PanelCase("chelsea", "iab-leaderboard", 0.5, "#6A1B9A"),
    PanelCase("rocket", "web-hero-21x9", 0.4, "#111827"),
    PanelCase("motorcycle", "iab-billboard", 0.4, "#FFFFFF", "#C8102E"),
    PanelCase("grace_hopper", "iab-wide-skyscraper", 0.3, "#1F4E8C"),
)

# name → how the panel is spoiled; all must fail the `design` check.
DESIGN_DEFECTS = ("off-brand panel", "low-contrast copy", "missing glyphs")


@dataclass(frozen=True)
class PanelVariant:
    variant: cal.Variant
    designed_mask: np.ndarray
    design: DesignRecord


def _hex(rgb: np.ndarray) -> str:
    return "#" + "".join(f"{int(v):02X}" for v in rgb)


def off_brand(colour: str) -> str:
    """A colour about ΔE2000 3 from ``colour`` (lightness +3 L*): a wrong swatch, not a subtle drift."""
    from skimage.color import lab2rgb, rgb2lab

    rgb = hex_rgb(colour)
    lab = rgb2lab(np.array([[rgb]], np.float64) / 255.0)
    lab[..., 0] += 3.0 if lab[0, 0, 0] < 90 else -3.0
    return _hex((np.clip(lab2rgb(lab), 0, 1) * 255).round()[0, 0])


def low_contrast(panel: str, copy: str, ratio: float = 2.0) -> str:
    """The copy colour pulled toward the panel's until the pair is only ``ratio``:1 (WCAG)."""
    a, b = np.array(hex_rgb(panel), np.float64), np.array(hex_rgb(copy), np.float64)
    panel_lum = float(relative_luminance(np.array(hex_rgb(panel), np.uint8)))
    for t in np.linspace(1.0, 0.0, 101):  # from the copy colour toward the panel's
        mixed = np.rint(a + t * (b - a)).astype(np.uint8)
        if contrast(float(relative_luminance(mixed)), panel_lum) <= ratio:
            return _hex(mixed)
    return panel


def panel_variant(case: PanelCase, defect: str | None = None) -> PanelVariant:
    """The layout at the spec's size, exported like the export op, with its masks and records."""
    spec = get_spec(case.spec)
    width, height = spec.size
    master = photo(case.master)
    across = width >= height  # panel to the right of the photo; else below it
    long_side = width if across else height
    panel_px = round(case.panel * long_side)
    photo_box = (0, 0, width - panel_px, height) if across else (0, 0, width, height - panel_px)
    panel_box = (width - panel_px, 0, width, height) if across else (0, height - panel_px, width, height)
    pw, ph = photo_box[2], photo_box[3]
    box = cal.crop_box(master.size, pw / ph, (master.width / 2, master.height / 2))
    scale = pw / (box[2] - box[0])
    source = (box[0], box[1], box[0] + width / scale, box[1] + height / scale)

    canvas = Image.new("RGB", (width, height))
    canvas.paste(master.resize((pw, ph), Image.Resampling.LANCZOS, box=box), (0, 0))
    fill = off_brand(case.colour) if defect == "off-brand panel" else case.colour
    canvas.paste(
        Image.new(
            "RGB",
            (panel_px if across else width, height if across else panel_px),
            hex_rgb(fill),
        ),
        panel_box[:2],
    )
    copy_colour = (
        low_contrast(case.colour, case.copy_colour) if defect == "low-contrast copy" else case.copy_colour
    )
    record = _draw_copy(canvas, panel_box, copy_colour, case.colour)
    if defect == "missing glyphs":
        record["copy"]["missing"] = ["→"]
    data = cal.export(canvas, spec)
    image = Image.open(io.BytesIO(data))
    image.load()
    designed = np.zeros((height, width), np.uint8)
    designed[panel_box[1] : panel_box[3], panel_box[0] : panel_box[2]] = 1
    layout = {
        "panel_box": list(panel_box),
        "photo_box": list(photo_box),
        "side": "right" if across else "bottom",
        "fill": {"kind": "brand", "colours": [case.colour]},
    }
    geometry = Geometry(source, (width, height), master.size)
    return PanelVariant(
        cal.Variant(image, data, geometry, probe(data)), designed, DesignRecord(layout, (record,))
    )


def _draw_copy(
    canvas: Image.Image, panel: tuple[int, int, int, int], colour: str, panel_colour: str
) -> dict[str, Any]:
    """Copy centred in the panel (DejaVu Sans Bold, the size that fits); brand's record for it."""
    font = default_font()
    pad = max(4, round(0.12 * min(panel[2] - panel[0], panel[3] - panel[1])))
    avail_w, avail_h = panel[2] - panel[0] - 2 * pad, panel[3] - panel[1] - 2 * pad
    px = max(8, avail_h // 2)
    while True:
        face = font_at(font.data, px, False)
        ink = face.getbbox(COPY)
        if (ink[2] - ink[0] <= avail_w and ink[3] - ink[1] <= avail_h) or px <= 8:
            break
        px = min(px - 1, int(px * 0.9))
    w, h = int(ink[2] - ink[0]), int(ink[3] - ink[1])
    x = panel[0] + (panel[2] - panel[0] - w) // 2
    y = panel[1] + (panel[3] - panel[1] - h) // 2
    ImageDraw.Draw(canvas).text((x - ink[0], y - ink[1]), COPY, font=face, fill=hex_rgb(colour))
    lum = relative_luminance(np.array([hex_rgb(colour), hex_rgb(panel_colour)], np.uint8))
    return {
        "text_box": [x, y, x + w, y + h],
        "logo_box": None,
        "scrim_box": None,
        "text_color": colour,
        "font_px": px,
        "copy": {
            "text": COPY,
            "lines": [COPY],
            "px": px,
            "colour": colour,
            "font": font.name,
            "font_sha256": font.sha256,
            "missing": [],
            "contrast": round(contrast(float(lum[0]), float(lum[1])), 2),
        },
    }


# The kit the real layouts are made with: the accent is the panels' brand colour on display specs.
KIT_STYLE = {"colors": {"text": "#FFFFFF", "accent": BRAND}}
LAYOUT_SPECS = (
    "iab-leaderboard",
    "iab-billboard",
    "iab-wide-skyscraper",
    "iab-mobile-banner",
    "web-hero-21x9",
)


def real_layout(master_name: str, spec_name: str, panel: str = "auto") -> PanelVariant | None:
    """The real `fit` (when it chooses a layout) and the real `brand` with copy on its panel,
    exported like the export op; None when `fit` frames this master otherwise."""
    from pipeline.ops.base import OpContext, OpInputs
    from pipeline.ops.brand import BrandParams, brand
    from pipeline.ops.fit import FitParams, fit

    master = photo(master_name)
    spec = get_spec(spec_name)
    ctx = OpContext(seed=5, spec=spec, cache={})
    framed = fit(
        OpInputs(master, master, Geometry.identity(master.size), style=KIT_STYLE),
        FitParams(spec=spec_name, panel=panel),
        ctx,
    )
    if framed.layout is None or framed.designed_mask is None:
        return None
    inputs = OpInputs(
        framed.image,
        master,
        framed.geometry,
        designed_mask=framed.designed_mask,
        layout=framed.layout,
        style=KIT_STYLE,
    )
    branded = brand(inputs, BrandParams(spec=spec_name, text=COPY, use_logo=False), ctx)
    designed = np.maximum(
        framed.designed_mask, branded.designed_mask if branded.designed_mask is not None else 0
    )
    data = cal.export(branded.image.convert("RGB"), spec)
    image = Image.open(io.BytesIO(data))
    image.load()
    variant = cal.Variant(image, data, framed.geometry, probe(data), framed.generated_mask)
    return PanelVariant(variant, designed, DesignRecord(framed.layout, (branded.record,)))
