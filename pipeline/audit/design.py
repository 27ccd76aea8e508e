"""The ``design`` check: designed pixels (layout panels, brand's logo, copy and scrim) are never
compared with the master; they are held to what matters there, in the delivered, encoded file:

* **brand colour** — where a layout panel's fill is the brand colour (``layout.fill.kind ==
  "brand"``), the panel's interior (inset from its edges, away from copy and logo) within
  ΔE2000 ≤ 1 of that colour;
* **copy contrast** — WCAG 2.x, (L1 + 0.05) / (L2 + 0.05) ≥ 4.5 between the copy colour and the
  background around the glyphs at its worst 5 % (the brightest behind light copy, the darkest
  behind dark copy); and brand's own measurement under the glyphs, when it recorded one;
* **copy rendering** — brand's ``copy`` record: no characters missing from the font, a font
  recorded for drawn copy.

``passed`` is None, with the reason, when a variant has no designed pixels or nothing to measure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image
from skimage.color import deltaE_ciede2000, rgb2lab

from pipeline.audit import colorspace
from pipeline.audit.design_tolerances import DesignTolerances
from pipeline.audit.encoding import Encoding, encode_like
from pipeline.audit.pair import Pair
from pipeline.engines.classical.branding.legibility import ring_contrast

Box = Sequence[float]


@dataclass(frozen=True)
class DesignRecord:
    """What lineage says was designed: the layout ``fit`` composed (``geometry["layout"]``) and the
    records of the ``brand`` steps (``text_box``, ``logo_box``, ``scrim_box``, ``copy`` …), all in
    the delivered frame's pixels."""

    layout: dict[str, Any] | None = None
    brand: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    @property
    def empty(self) -> bool:
        return self.layout is None and not any(r.get("text_box") or r.get("logo_box") for r in self.brand)


def check(pair: Pair, record: DesignRecord | None, tol: DesignTolerances) -> dict[str, Any]:
    record = record or DesignRecord()
    fraction = round(pair.designed_fraction, 4)
    tolerance = {"brand_delta_e": tol.brand_delta_e, "copy_contrast": tol.copy_contrast}
    if fraction == 0 and record.empty:
        return {
            "passed": None,
            "reason": "no designed pixels in this variant",
            "designed_fraction": 0.0,
            "tolerance": tolerance,
        }
    failures: list[str] = []
    notes: list[str] = []
    out: dict[str, Any] = {"designed_fraction": fraction}
    if record.layout is not None:
        out["brand_colour"] = panel = brand_colour(
            pair.variant, record.layout, record.brand, tol, pair.encoding
        )
        (failures if panel["passed"] is False else notes).append(panel["reason"])
    copies = [copy_check(pair.variant, r, tol) for r in record.brand if r.get("text_box")]
    if copies:
        out["copy"] = copies
        for c in copies:
            failures += c["failures"]
    out["brand_delta_e"] = (out.get("brand_colour") or {}).get("delta_e")
    contrasts = [c["contrast"] for c in copies if c.get("contrast") is not None]
    out["copy_contrast"] = min(contrasts) if contrasts else None
    measured = [v for v in (out.get("brand_colour"), *copies) if v and v.get("passed") is not None]
    if failures:
        return {"passed": False, "reason": "; ".join(failures), **out, "tolerance": tolerance}
    if not measured:
        why = (
            "; ".join(notes) or f"designed pixels ({fraction:.0%} of the frame) carry no brand colour or copy"
        )
        return {"passed": None, "reason": why, **out, "tolerance": tolerance}
    said = [n for n in notes if n] + [c["reason"] for c in copies]
    return {"passed": True, "reason": "; ".join(said), **out, "tolerance": tolerance}


def hex_rgb(colour: str) -> np.ndarray:
    value = colour.strip().lstrip("#")
    if len(value) != 6:
        raise ValueError(f"not a #RRGGBB colour: {colour!r}")
    return np.array([int(value[i : i + 2], 16) for i in (0, 2, 4)], np.uint8)


def _rgb_hex(rgb: np.ndarray) -> str:
    return "#" + "".join(f"{int(np.clip(v, 0, 255)):02X}" for v in rgb)


def _box_mask(shape: tuple[int, int], box: Box, pad: float = 0.0) -> np.ndarray:
    h, w = shape
    left, top, right, bottom = (round(v) for v in (box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad))
    mask = np.zeros(shape, bool)
    mask[max(0, top) : max(0, min(h, bottom)), max(0, left) : max(0, min(w, right))] = True
    return mask


def encoded(colour: np.ndarray, encoding: Encoding | None) -> np.ndarray:
    """``colour`` as a flat area of it comes out of ``encoding``: the colour a delivered panel can
    reach (an 8-bit YCbCr round trip moves a dark navy by one level, ΔE2000 ~1, at any quality)."""
    if encoding is None or not encoding.lossy:
        return colour.astype(np.float64)
    patch = Image.new("RGB", (64, 64), (int(colour[0]), int(colour[1]), int(colour[2])))
    out, _ = encode_like(patch, encoding)
    return np.asarray(out.convert("RGB"))[16:48, 16:48].reshape(-1, 3).mean(axis=0)


def _lab(rgb: np.ndarray) -> np.ndarray:
    return rgb2lab(np.asarray(rgb, np.float64).reshape(1, 1, 3) / 255.0)[0, 0]


def _delta_e(a: np.ndarray, b: np.ndarray) -> float:
    return float(deltaE_ciede2000(_lab(a), _lab(b)))


def brand_colour(
    rgb: np.ndarray,
    layout: dict[str, Any],
    brand: Sequence[dict[str, Any]],
    tol: DesignTolerances,
    encoding: Encoding | None = None,
) -> dict[str, Any]:
    """The panel interior's colour (a trimmed mean) against the brand colour the layout recorded,
    as the delivered file's encoding renders a flat area of it; the raw difference is reported too."""
    fill = layout.get("fill") or {}
    kind, colours = fill.get("kind"), fill.get("colours") or []
    if kind != "brand" or not colours:
        return {
            "passed": None,
            "reason": f"layout panel filled with {kind or 'an unrecorded fill'}: no brand colour to hold",
            "kind": kind,
        }
    box = layout.get("panel_box")
    if not box:
        return {"passed": None, "reason": "layout records no panel box", "kind": kind}
    inset = max(2.0, tol.panel_inset * min(box[2] - box[0], box[3] - box[1]))
    interior = _box_mask(rgb.shape[:2], [box[0] + inset, box[1] + inset, box[2] - inset, box[3] - inset])
    for r in brand:  # copy, logo and scrim sit on the panel: not its colour
        for key in ("text_box", "logo_box", "scrim_box"):
            if r.get(key):
                interior &= ~_box_mask(rgb.shape[:2], r[key], pad=inset)
    if int(interior.sum()) < tol.min_panel_px:
        return {
            "passed": None,
            "reason": "the panel's interior is covered by copy and logo: colour not measured",
            "kind": kind,
        }
    target = hex_rgb(str(colours[0]))
    pixels = rgb[interior].astype(np.float64)
    low, high = np.percentile(pixels, [5, 95], axis=0)  # stray edge pixels out
    keep = ((pixels >= low) & (pixels <= high)).all(axis=1)
    measured = pixels[keep].mean(axis=0) if keep.any() else np.median(pixels, axis=0)
    reachable = encoded(target, encoding)
    delta = _delta_e(measured, reachable)
    result = {
        "kind": kind,
        "target": _rgb_hex(target),
        "measured": _rgb_hex(np.rint(measured)),
        "delta_e": round(delta, 3),
        "delta_e_to_kit": round(_delta_e(measured, target), 3),
        "encoder_delta_e": round(_delta_e(reachable, target), 3),
        "pixels": int(interior.sum()),
    }
    if delta > tol.brand_delta_e:
        return {
            "passed": False,
            "reason": f"panel colour {result['measured']} is ΔE2000 {delta:.1f} from the "
            f"brand colour {_rgb_hex(target)} (tolerance {tol.brand_delta_e:g})",
            **result,
        }
    return {
        "passed": True,
        "reason": f"panel holds the brand colour {_rgb_hex(target)} (ΔE2000 {delta:.2f})",
        **result,
    }


def relative_luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG 2.x relative luminance of 8-bit sRGB (linearised, 0.2126 R + 0.7152 G + 0.0722 B)."""
    lin = colorspace.to_linear(np.asarray(rgb, np.uint8))
    return lin[..., 0] * 0.2126 + lin[..., 1] * 0.7152 + lin[..., 2] * 0.0722


def contrast_ratio(a: float, b: float) -> float:
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def copy_check(rgb: np.ndarray, record: dict[str, Any], tol: DesignTolerances) -> dict[str, Any]:
    """Contrast of the copy in the delivered pixels, and what brand says about its rendering."""
    copy = record.get("copy") if isinstance(record.get("copy"), dict) else None
    colour = (copy or {}).get("colour") or record.get("text_color")
    text = (copy or {}).get("text")
    out: dict[str, Any] = {"text_box": [round(float(v), 1) for v in record["text_box"]]}
    failures = _rendering(copy, text, out)
    if not colour:
        out.update(
            passed=not failures if failures else None,
            failures=failures,
            reason="; ".join(failures) or "copy colour not recorded: contrast not measured",
        )
        return out
    px = float((copy or {}).get("px") or record.get("font_px") or 0) or (
        record["text_box"][3] - record["text_box"][1]
    )
    measured = ring_contrast(rgb, record, hex_rgb(str(colour)), px)
    out.update(colour=str(colour), **measured)
    said = (copy or {}).get("contrast", record.get("contrast_after"))
    if said is not None:
        out["recorded_contrast"] = round(float(said), 2)
    limit = tol.copy_contrast
    if measured.get("contrast") is not None and measured["contrast"] < limit:
        failures.append(
            f"copy contrast {measured['contrast']:.1f}:1 against the pixels around it "
            f"(WCAG needs ≥ {limit:g}:1)"
        )
    elif said is not None and float(said) < limit:
        failures.append(
            f"copy contrast {float(said):.1f}:1 under the glyphs, as brand measured it "
            f"(WCAG needs ≥ {limit:g}:1)"
        )
    out["passed"] = not failures if measured.get("contrast") is not None or failures else None
    out["failures"] = failures
    out["reason"] = "; ".join(failures) or (
        f"copy contrast {measured['contrast']:.1f}:1"
        if measured.get("contrast") is not None
        else "copy background not measurable"
    )
    return out


def _rendering(copy: dict[str, Any] | None, text: str | None, out: dict[str, Any]) -> list[str]:
    if copy is None:
        out["rendering"] = "not recorded by this brand step"
        return []
    failures = []
    missing = [str(c) for c in copy.get("missing") or []]
    if missing:
        shown = ", ".join(repr(c) for c in missing[:8])
        failures.append(f"copy drawn without {len(missing)} character(s) its font lacks: {shown}")
    if (text or "").strip() and not copy.get("font") and not copy.get("font_sha256"):
        failures.append("no font recorded for the drawn copy")
    out["rendering"] = {"font": copy.get("font"), "font_sha256": copy.get("font_sha256"), "missing": missing}
    return failures


