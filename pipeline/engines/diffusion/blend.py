"""Putting generated pixels next to master pixels without a visible seam (pure numpy/OpenCV).

Why: a diffusion model's output drifts in colour and contrast from its input (the VAE round trip
is lossy: diffusers#10582, ComfyUI#6765), which reads as a seam where generated pixels meet the
master. Three steps, all measured on the model's *own rendering of the kept area* next to the
seam, so they correct the model's drift rather than the content:

1. :func:`colour_match` — LAB mean/std transfer: statistics of the original in a band around the
   seam vs the model output in that same band, applied to the generated region.
2. :func:`seam_offset` — what is left of the difference at the seam (low-frequency, per position
   along the seam) is added to the generated side, fading out over ``feather`` px.
3. :func:`composite` — the original is pasted back where it is kept, so kept pixels are
   bit-identical; :func:`feathered_alpha` softens an edge only *inside* the generated region.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
from scipy import ndimage

MIN_BAND_PIXELS = 64
STD_RATIO_LIMITS = (0.5, 2.0)  # a transfer that wants more than this is fixing content, not drift


def _lab(pixels: np.ndarray) -> np.ndarray:
    """N×3 uint8 RGB → N×3 float32 CIELAB (OpenCV wants an image: a column of pixels)."""
    column = pixels.reshape(-1, 1, 3).astype(np.float32) / 255.0
    return cv2.cvtColor(column, cv2.COLOR_RGB2LAB).reshape(-1, 3)


def _rgb(lab: np.ndarray) -> np.ndarray:
    rgb = cv2.cvtColor(lab.reshape(-1, 1, 3).astype(np.float32), cv2.COLOR_LAB2RGB).reshape(-1, 3)
    return np.clip(rgb * 255.0 + 0.5, 0, 255).astype(np.uint8)


def seam_band(keep: np.ndarray, width: int) -> np.ndarray:
    """Kept pixels within ``width`` px of a generated pixel (bool H×W)."""
    if keep.all() or not keep.any():
        return np.zeros_like(keep)
    dist = ndimage.distance_transform_edt(keep)
    return keep & (dist <= width)


def colour_match(
    generated: np.ndarray, original: np.ndarray, keep: np.ndarray, band: np.ndarray, target: np.ndarray
) -> tuple[np.ndarray, dict[str, Any]]:
    """Shift the LAB mean/std of ``generated`` pixels in ``target`` by the drift measured in ``band``.

    ``band`` holds kept pixels the model also rendered (original and generated both exist there).
    Returns the corrected image (only ``target`` pixels change) and the measured statistics.
    """
    if int(band.sum()) < MIN_BAND_PIXELS or not target.any():
        return generated.copy(), {"applied": False, "reason": "seam band too small to measure"}
    ref = _lab(original[band])
    src = _lab(generated[band])
    ref_mean, ref_std = ref.mean(0), ref.std(0)
    src_mean, src_std = src.mean(0), src.std(0)
    ratio = np.clip(ref_std / np.maximum(src_std, 1e-3), *STD_RATIO_LIMITS)
    lab = _lab(generated[target])
    lab = (lab - src_mean) * ratio + ref_mean
    out = generated.copy()
    out[target] = _rgb(lab)
    return out, {
        "applied": True,
        "band_px": int(band.sum()),
        "delta_mean_lab": [round(float(v), 3) for v in ref_mean - src_mean],
        "std_ratio": [round(float(v), 3) for v in ratio],
    }


def seam_offset(generated: np.ndarray, original: np.ndarray, keep: np.ndarray, feather: int) -> np.ndarray:
    """Carry the remaining low-frequency difference at the seam into the generated side.

    For each generated pixel, the difference (original − generated, blurred along the band) at the
    nearest kept pixel is added, weighted 1 at the seam and 0 at ``feather`` px away.
    """
    if feather <= 0 or keep.all() or not keep.any():
        return generated.copy()
    band = seam_band(keep, max(2, feather // 4)).astype(np.float32)
    diff = (original.astype(np.float32) - generated.astype(np.float32)) * band[..., None]
    sigma = max(1.0, feather / 4)
    # Normalised convolution: average the difference over band pixels only.
    num = cv2.GaussianBlur(diff, (0, 0), sigma)
    den = cv2.GaussianBlur(band, (0, 0), sigma)[..., None]
    smooth = np.where(den > 1e-3, num / np.maximum(den, 1e-3), 0.0)
    dist, (iy, ix) = ndimage.distance_transform_edt(~keep, return_indices=True)
    weight = np.clip(1.0 - dist / feather, 0.0, 1.0)[..., None]
    offset = smooth[iy, ix] * weight
    out = generated.astype(np.float32) + np.where(keep[..., None], 0.0, offset)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def feathered_alpha(region: np.ndarray, feather: int) -> np.ndarray:
    """0 outside ``region``, rising to 1 at ``feather`` px inside it (float32 H×W).

    The ramp lies wholly inside the region, so whatever is outside stays untouched.
    """
    if feather <= 0:
        return region.astype(np.float32)
    dist = ndimage.distance_transform_edt(region)
    return np.clip(dist / (feather + 1), 0.0, 1.0).astype(np.float32)


def composite(generated: np.ndarray, original: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """``original`` where alpha is 0 (bit-identical), ``generated`` where it is 1, mixed between."""
    a = alpha[..., None].astype(np.float32)
    mixed = original.astype(np.float32) * (1 - a) + generated.astype(np.float32) * a
    out = np.clip(mixed + 0.5, 0, 255).astype(np.uint8)
    hold = alpha <= 0
    out[hold] = original[hold]
    return out
