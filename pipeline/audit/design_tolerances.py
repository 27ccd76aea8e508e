"""Tolerances of the ``design`` check (design.py): what designed pixels must hold."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DesignTolerances:
    # A brand-colour panel in the delivered file, against the colour the layout recorded from the
    # kit as the file's encoder renders a flat area of it (an 8-bit YCbCr round trip alone moves
    # #111827 one level, ΔE2000 1.03, in WebP q90): ΔE2000 ≤ 1 is "acceptably close" at kL = 1
    # (audit_specs.md §1e). Calibration: good panels 0.00, a swatch 3 L* off 1.8–3.0.
    brand_delta_e: float = 1.0
    # WCAG 2.x AA for body text: (L1 + 0.05) / (L2 + 0.05) ≥ 4.5, against the background's worst 5 %.
    copy_contrast: float = 4.5
    panel_inset: float = 0.06  # of the panel's shorter side: brand colour is read this far from its edges
    min_panel_px: int = 64  # fewer interior pixels than this: the panel is too small to measure
