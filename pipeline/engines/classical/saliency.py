"""Spectral-residual saliency (Hou & Zhang, CVPR 2007) with a mild centre prior, numpy FFT only.

opencv-contrib's ``cv2.saliency`` is not in the headless wheel, and the method is a dozen lines:
the log-amplitude spectrum minus its local average is the "unexpected" part of the image; inverting
it with the original phase lights up what stands out. Computed per CIELAB channel at two small
scales (64 and 128 px), which is where the method works best.
"""

from __future__ import annotations

import cv2
import numpy as np
from scipy import ndimage

_SCALES = (64, 128)
# Centre prior weight: 0 = none, 1 = only the centre. Mild, because key art is often off-centre.
_CENTRE_WEIGHT = 0.3
_FLAT = 2.0  # grey-level std below which an image has no salient content


def _residual(channel: np.ndarray) -> np.ndarray:
    spectrum = np.fft.fft2(channel)
    log_amp = np.log(np.abs(spectrum) + 1e-6)
    residual = log_amp - ndimage.uniform_filter(log_amp, size=3, mode="nearest")
    out = np.abs(np.fft.ifft2(np.exp(residual + 1j * np.angle(spectrum)))) ** 2
    return out.astype(np.float32)


def spectral_residual(rgb: np.ndarray) -> np.ndarray:
    """Saliency of a uint8 RGB image at its own size, float32 in [0, 1], with no centre prior."""
    height, width = rgb.shape[:2]
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    total = np.zeros((height, width), np.float32)
    for scale in _SCALES:
        f = scale / max(height, width)
        small_size = (max(8, round(width * f)), max(8, round(height * f)))
        small = cv2.resize(lab, small_size, interpolation=cv2.INTER_AREA)
        sal = np.stack([_residual(small[..., c]) for c in range(3)]).sum(axis=0)
        sal = cv2.GaussianBlur(sal, (0, 0), sigmaX=scale / 40)  # light: the final blur does the rest
        sal = sal / (float(sal.max()) + 1e-12)
        total += cv2.resize(sal, (width, height), interpolation=cv2.INTER_LINEAR)
    return _normalise(np.asarray(cv2.GaussianBlur(total, (0, 0), sigmaX=max(height, width) / 64)))


def centre_prior(shape: tuple[int, int], sigma: float = 0.35) -> np.ndarray:
    """An isotropic Gaussian in normalised coordinates (frame corners ≈ 0.2 of the centre for σ=0.35)."""
    ys = (np.arange(shape[0], dtype=np.float32) + 0.5) / shape[0] - 0.5
    xs = (np.arange(shape[1], dtype=np.float32) + 0.5) / shape[1] - 0.5
    d2 = ys[:, None] ** 2 + xs[None, :] ** 2
    return np.exp(-d2 / (2 * sigma**2)).astype(np.float32)


def frequency_tuned(rgb: np.ndarray) -> np.ndarray:
    """Frequency-tuned saliency (Achanta et al. 2009): distance of each blurred Lab pixel from the mean.

    Spectral residual finds small, busy things (lights, eyes); this finds large regions of unusual
    colour (a white rocket on a blue sky). Their average is steadier than either.
    """
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    blurred = cv2.GaussianBlur(lab, (0, 0), sigmaX=max(rgb.shape[:2]) / 128)
    return _normalise(np.linalg.norm(blurred - lab.reshape(-1, 3).mean(axis=0), axis=2))


def saliency_map(rgb: np.ndarray) -> np.ndarray:
    """Spectral-residual + frequency-tuned saliency with a mild centre prior, float32 0–1 at input size."""
    if float(rgb.std()) < _FLAT:
        return np.zeros(rgb.shape[:2], np.float32)  # nothing stands out; normalising would amplify noise
    sal = 0.5 * (spectral_residual(rgb) + frequency_tuned(rgb))
    prior = centre_prior(sal.shape[:2])
    return _normalise(sal * ((1 - _CENTRE_WEIGHT) + _CENTRE_WEIGHT * prior))


def salient_box(sal: np.ndarray, mass: float = 0.9) -> tuple[int, int, int, int] | None:
    """The box (map pixels) holding the central ``mass`` of the thresholded saliency, or None if flat.

    Threshold at 2× the mean (Hou & Zhang use 3× for object maps; 2× keeps whole objects rather
    than their edges). A map whose peak is barely above its mean has no subject worth framing.
    """
    mean = float(sal.mean())
    if float(sal.max()) < 2.5 * mean or mean <= 0:
        return None
    fg = np.where(sal > 2 * mean, sal, 0.0)
    if fg.sum() <= 0 or np.count_nonzero(fg) < 0.002 * fg.size:
        return None
    tail = (1 - mass) / 2
    x0, x1 = _quantiles(fg.sum(axis=0), tail)
    y0, y1 = _quantiles(fg.sum(axis=1), tail)
    return x0, y0, x1, y1


def _quantiles(profile: np.ndarray, tail: float) -> tuple[int, int]:
    cdf = np.cumsum(profile) / profile.sum()
    lo = int(np.searchsorted(cdf, tail))
    hi = int(np.searchsorted(cdf, 1 - tail)) + 1
    return lo, max(hi, lo + 1)


def _normalise(a: np.ndarray) -> np.ndarray:
    lo, hi = float(a.min()), float(a.max())
    if hi - lo < 1e-12:
        return np.zeros_like(a, dtype=np.float32)
    return ((a - lo) / (hi - lo)).astype(np.float32)
