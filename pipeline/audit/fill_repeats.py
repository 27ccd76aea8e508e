"""Repetition in a generated band: the photo mirrored across the seam (a mirrored subject), or one
patch repeated (tiling). Shapes are compared at work scale, where grain no longer matches itself."""

from __future__ import annotations

import math
from typing import Any

import cv2
import numpy as np

from pipeline.audit.fill_frame import Oriented

COARSE_ABOVE = 24_000  # work px: bands bigger than this are searched for repeats at half scale
WORTH_COMPARING = 0.5  # below this self-match the band repeats nothing: the photo's own is not needed


def mirror_correlation(
    o: Oriented,
    seam: float,
    tg: int,
    tm: int,
    me: int,
    c0: int,
    c1: int,
    gen_ok: np.ndarray,
    photo_ok: np.ndarray,
) -> float | None:
    """Correlation of the far half of the band's shapes with the photo's, mirrored across the seam.
    A continuation may mirror the photo near the seam (keyart's classical engine does, fading out
    within ~5 % of the photo's side: 0.0–0.5 in its far half); a mirrored subject keeps it to the end."""
    reach = min(tg, me - tm)
    start = max(2, reach // 2)
    if reach - start < 4:
        return None
    gen_rows = np.arange(tg - 1 - start, tg - reach - 1, -1)
    gen_rows = gen_rows[gen_rows >= 0]
    photo_rows = np.floor(2 * seam - gen_rows - 0.5).astype(int)  # mirror of the row's centre
    keep = (photo_rows >= tm) & (photo_rows < me)
    gen_rows, photo_rows = gen_rows[keep], photo_rows[keep]
    if gen_rows.size < 3:
        return None
    g = o.shapes[gen_rows, c0:c1]
    p = o.shapes[photo_rows, c0:c1]
    valid = gen_ok[gen_rows, c0:c1] & photo_ok[photo_rows, c0:c1]
    if valid.sum() < 64:
        return None
    g, p = g[valid], p[valid]
    denom = math.sqrt(float((g * g).sum()) * float((p * p).sum()))
    return None if denom <= 1e-6 else round(float((g * p).sum()) / denom, 4)


def _spectrum(x: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    padded = np.zeros(size, np.float32)
    padded[: x.shape[0], : x.shape[1]] = x
    return cv2.dft(padded, flags=cv2.DFT_COMPLEX_OUTPUT)


def _correlate(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cross-correlation c[s] = Σ a[x + s] · b[x] of two spectra (circular indices; zero-padded
    to twice the band, so linear for every shift that matters)."""
    return cv2.idft(cv2.mulSpectrums(a, b, 0, conjB=True), flags=cv2.DFT_REAL_OUTPUT | cv2.DFT_SCALE)


def self_match(plane: np.ndarray, mask: np.ndarray) -> tuple[float, float] | None:
    """The band's best match with itself at a shift of ≥ 4 px that is a separate peak (a repeat,
    not the ridge of a streak or a smooth gradient): (normalised correlation, shift in px).

    Normalised autocorrelation through the DFT, over every shift whose overlap covers ≥ 30 % of
    the band, so a patch repeated only two or three times is still found."""
    h, w = plane.shape
    if h < 8 or w < 8 or int(mask.sum()) < 64:
        return None
    m = mask.astype(np.float32)
    p = np.where(mask, plane - float(plane[mask].mean()), 0.0).astype(np.float32)
    size = (cv2.getOptimalDFTSize(2 * h), cv2.getOptimalDFTSize(2 * w))
    fp, fm, fq = _spectrum(p, size), _spectrum(m, size), _spectrum(p * p, size)
    num, count, energy = _correlate(fp, fp), _correlate(fm, fm), _correlate(fq, fm)
    mirrored = np.roll(energy[::-1, ::-1], (1, 1), axis=(0, 1))  # the other copy's energy: E(−s)
    ncc = num / np.sqrt(np.maximum(energy * mirrored, 1e-9))
    dy = np.arange(size[0])[:, None]
    dx = np.arange(size[1])[None, :]
    dy, dx = np.where(dy > size[0] // 2, dy - size[0], dy), np.where(dx > size[1] // 2, dx - size[1], dx)
    ok = (count >= 0.3 * float(m.sum())) & (np.maximum(np.abs(dy), np.abs(dx)) >= 4)
    if not ok.any():
        return None
    candidates = np.where(ok, ncc, -1.0)
    iy, ix = np.unravel_index(int(np.argmax(candidates)), candidates.shape)
    best, sy, sx = float(candidates[iy, ix]), int(dy[iy, 0]), int(dx[0, ix])
    # A repeat is a separate peak: on the way from zero shift to it the match must dip.
    path = np.linspace(0.15, 0.85, 15)
    ys, xs = np.rint(path * sy).astype(int) % size[0], np.rint(path * sx).astype(int) % size[1]
    if best - float(ncc[ys, xs].min()) < 0.3:
        return (0.0, 0.0)
    return best, float(math.hypot(sy, sx))


def repeat(o: Oriented, band: np.ndarray, photo: np.ndarray) -> dict[str, Any]:
    """How strongly the band repeats itself, next to how strongly the photo band beside it does
    (looked at only when the band repeats itself at all)."""
    out: dict[str, Any] = {"repeat_correlation": None, "photo_repeat_correlation": None}
    rows = np.flatnonzero(band.any(axis=1))
    if rows.size < 8:
        return out
    cols = np.flatnonzero(band.any(axis=0))
    window = (slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1))
    found = _match(o.texture[window], band[window])
    if found is None:
        return out
    out["repeat_correlation"], out["repeat_shift_px"] = round(found[0], 4), round(found[1] / o.factor, 1)
    prow = np.flatnonzero(photo.any(axis=1))
    if found[0] >= WORTH_COMPARING and prow.size >= 8:
        pwin = (slice(prow[0], prow[-1] + 1), window[1])
        photo_found = _match(o.texture[pwin], photo[pwin])
        out["photo_repeat_correlation"] = None if photo_found is None else round(photo_found[0], 4)
    return out


def _match(plane: np.ndarray, mask: np.ndarray) -> tuple[float, float] | None:
    """``self_match``, at half the work scale for big bands (a repeat worth seeing spans ≥ 8 work
    px there; the DFTs cost a quarter)."""
    if plane.size <= COARSE_ABOVE:
        return self_match(plane, mask)
    h, w = (plane.shape[0] // 2) * 2, (plane.shape[1] // 2) * 2
    half = (w // 2, h // 2)
    small = cv2.resize(plane[:h, :w], half, interpolation=cv2.INTER_AREA)
    inside = cv2.resize(mask[:h, :w].astype(np.float32), half, interpolation=cv2.INTER_AREA) > 0.99
    found = self_match(small, inside)
    return None if found is None else (found[0], 2.0 * found[1])
