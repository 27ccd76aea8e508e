"""Hue/chroma edits in CIE LCh(ab) that keep L* — so shading, texture and the luminance audit survive.

Out-of-gamut results are brought back by lowering chroma at constant L* and hue (a neutral of any
L* is always in gamut), never by clipping RGB, which would change lightness.
"""

from __future__ import annotations

import numpy as np
from skimage.color import lab2lch, rgb2lab

from pipeline.engines.classical.colour import encode_u8, lab_to_linear

_BISECT_STEPS = 8  # chroma within 0.4 % of the most the gamut allows


def lch_of(rgb: np.ndarray) -> np.ndarray:
    """L*, C*, h (radians, 0–2π) of a uint8 RGB array."""
    return np.asarray(lab2lch(rgb2lab(rgb)))


def mean_hue_chroma(lch: np.ndarray, weight: np.ndarray) -> tuple[float, float]:
    """Chroma-weighted circular mean hue (radians) and weighted mean chroma over ``weight`` > 0."""
    w = weight.astype(np.float64)
    chroma, hue = lch[..., 1], lch[..., 2]
    vec = (w * chroma * np.exp(1j * hue)).sum()
    mean_c = float((w * chroma).sum() / max(float(w.sum()), 1e-9))
    return float(np.angle(vec)) % (2 * np.pi), mean_c


def edit_lch(
    lch: np.ndarray, hue_shift: float, chroma_scale: float, tint: tuple[float, float] | None = None
) -> tuple[np.ndarray, float]:
    """On ``lch`` (from :func:`lch_of`): rotate hue by ``hue_shift`` radians and scale chroma, or with
    ``tint`` = (hue, chroma offset) set the hue and add the offset to chroma (for near-neutral
    regions, which have no hue to rotate).
    Returns uint8 RGB with the input's L*, and the share of pixels whose chroma the gamut limited."""
    if tint is None:
        chroma = lch[..., 1] * chroma_scale
        hue = lch[..., 2] + hue_shift
    else:
        chroma = np.maximum(0.0, lch[..., 1] + tint[1])
        hue = np.full_like(lch[..., 2], tint[0])
    lab = np.stack([lch[..., 0], chroma * np.cos(hue), chroma * np.sin(hue)], axis=-1)
    return _to_rgb_in_gamut(lab)


def _to_rgb_in_gamut(lab: np.ndarray) -> tuple[np.ndarray, float]:
    lin = lab_to_linear(lab)
    # A hair of tolerance: in-gamut colours round-trip with ~1e-12 errors.
    outside = ((lin < -1e-6) | (lin > 1 + 1e-6)).any(axis=-1)
    if outside.any():
        sub = lab[outside]
        lo, hi = np.zeros(len(sub)), np.ones(len(sub))  # chroma factor: lo always in gamut
        for _ in range(_BISECT_STEPS):
            mid = (lo + hi) / 2
            trial = np.concatenate([sub[:, :1], sub[:, 1:] * mid[:, None]], axis=1)
            ok = ((t := lab_to_linear(trial)) >= 0).all(axis=1) & (t <= 1).all(axis=1)
            lo, hi = np.where(ok, mid, lo), np.where(ok, hi, mid)
        fixed = np.concatenate([sub[:, :1], sub[:, 1:] * lo[:, None]], axis=1)
        lin[outside] = lab_to_linear(fixed)
    return encode_u8(lin), float(outside.mean())
