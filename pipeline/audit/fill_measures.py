"""The measures behind ``judge_fill`` (fills.py), for one side at a time.

Every plane arrives turned so that the side's band is at the top: rows ``[0, t)`` are generated,
the seam is at row ``t``, the photo below it. The band is compared with the photo band of about
its own depth beside the seam (never with the whole frame: a fill continues what it touches).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import cv2
import numpy as np
from skimage.color import rgb2lab

from pipeline.audit import colorspace
from pipeline.audit.fill_frame import Oriented
from pipeline.audit.fill_repeats import mirror_correlation, repeat
from pipeline.audit.measures import _DB2_HI, shrink_mask, wavelet_sigma

DETAIL_FLOOR = 0.125  # grey levels / px added to both sides: flat next to flat is not a 10× ratio
GRAIN_FLOOR = 0.3  # 8-bit σ, as the texture check's floor
BLOCK = 8  # work px
SMOOTHER = 0.5  # a band block with less than this × the photo's 5th-percentile block gradient is smooth
SEAM_GAP = 3  # work rows left out on both sides of the seam for detail (the seam's own edge)
MAX_GRAIN_PX = 200_000  # grain is a statistic: a centred part of a big band measures the same


@dataclass(frozen=True)
class SideMeasures:
    compared: bool
    values: dict[str, float | None]


def _mean(plane: np.ndarray, mask: np.ndarray) -> float | None:
    return float(plane[mask].mean()) if mask.any() else None


def measure_side(
    o: Oriented, t: int, across: tuple[int, int, int], smooth_floor: float | None
) -> SideMeasures:
    """Seam colour and tone, detail, grain, smoothness and repetition of the band ``[0, t)``."""
    first, last, opposite = across
    full_h, full_w = o.gen.shape
    f = o.factor
    h, w = o.work_gen.shape
    tg, tm = math.floor(t * f), math.ceil(t * f)
    me = math.floor((full_h - opposite) * f)
    c0, c1 = math.ceil(first * f), math.floor((full_w - last) * f)
    photo_rows = me - tm
    if tg < 2 or photo_rows < 4 or c1 - c0 < 4:
        return SideMeasures(False, {"depth_px": float(t)})
    depth = min(max(tg, 8), photo_rows // 2)
    gen_ok, photo_ok = o.work_valid(True), o.work_valid(False)
    cols = np.zeros(w, bool)
    cols[c0:c1] = True
    rows = np.arange(h)[:, None]
    band = gen_ok & cols & (rows < tg - SEAM_GAP if tg > 2 * SEAM_GAP + 4 else rows < tg)
    near_photo = photo_ok & cols & (rows >= tm + SEAM_GAP) & (rows < tm + SEAM_GAP + depth)
    values: dict[str, float | None] = {"depth_px": float(t), "depth_share": round(t / full_h, 4)}
    values.update(_seam(o, tg, tm, c0, c1, depth, gen_ok, photo_ok))
    values.update(_detail(o.structure, band, near_photo, rows, tg))
    values.update(_smooth(o.structure, band, smooth_floor))
    values["grain_ratio"] = _grain(o, t, first, last, opposite)
    values["mirror_correlation"] = mirror_correlation(o, t * f, tg, tm, me, c0, c1, gen_ok, photo_ok)
    beside = photo_ok & cols & (rows >= tm + SEAM_GAP) & (rows < tm + SEAM_GAP + max(depth, tg))
    values.update(repeat(o, band, beside))
    return SideMeasures(True, values)


def _detail(
    structure: np.ndarray, band: np.ndarray, photo: np.ndarray, rows: np.ndarray, tg: int
) -> dict[str, float | None]:
    """Gradient energy of the band's far half (the near half still carries the seam's mirrored
    detail) against the quietest quarter of the photo beside it: a fill continues the background
    around the subject, not the subject, so the photo's calmest blocks are the bar it must reach."""
    far = band & (rows < max(2, (tg - SEAM_GAP) // 2)) if tg > 2 * SEAM_GAP + 4 else band
    blocks = _block_means(structure, photo)
    if not far.any() or not photo.any():
        return {"detail_ratio": None}
    quiet = (
        float(np.percentile(blocks, 25)) if blocks.size >= 4 else float(np.percentile(structure[photo], 25))
    )
    average = float(structure[photo].mean())
    fill = float(structure[far].mean())
    return {
        "detail_ratio": round((fill + DETAIL_FLOOR) / (quiet + DETAIL_FLOOR), 4),
        "detail_vs_average": round(
            (float(structure[band].mean()) + DETAIL_FLOOR) / (average + DETAIL_FLOOR), 4
        ),
    }


def _seam(
    o: Oriented, tg: int, tm: int, c0: int, c1: int, depth: int, gen_ok: np.ndarray, photo_ok: np.ndarray
) -> dict[str, float | None]:
    """Median over segments along the seam of the chromatic ΔE2000 and the L* step of local means."""
    strip = int(np.clip(round(0.02 * max(o.work_gen.shape)), 2, 6))
    strip = max(1, min(strip, tg, depth))
    gen_rgb, photo_rgb = o.work_rgb[tg - strip : tg, c0:c1], o.work_rgb[tm : tm + strip, c0:c1]
    gen_m, photo_m = gen_ok[tg - strip : tg, c0:c1], photo_ok[tm : tm + strip, c0:c1]
    count = int(np.clip((c1 - c0) // 24, 1, 12))
    edges = np.linspace(0, c1 - c0, count + 1).round().astype(int)
    pairs = []
    for a, b in itertools.pairwise(edges):
        gm, pm = gen_m[:, a:b], photo_m[:, a:b]
        if gm.mean() < 0.5 or pm.mean() < 0.5:
            continue
        pairs.append((gen_rgb[:, a:b][gm].mean(axis=0), photo_rgb[:, a:b][pm].mean(axis=0)))
    if not pairs:
        return {"seam_delta_e": None, "seam_lightness_step": None}
    means = np.array(pairs, np.float64) / 255.0  # (n, 2, 3)
    lab = rgb2lab(means)
    gen_lab, photo_lab = lab[:, 0].copy(), lab[:, 1]
    step = gen_lab[:, 0] - photo_lab[:, 0]
    gen_lab[:, 0] = photo_lab[:, 0]
    chroma = colorspace.delta_e2000(gen_lab, photo_lab)
    return {
        "seam_delta_e": round(float(np.median(chroma)), 3),
        "seam_delta_e_max": round(float(chroma.max()), 3),
        "seam_lightness_step": round(float(np.median(step)), 3),
        "seam_segments": float(len(pairs)),
    }


def _block_means(structure: np.ndarray, mask: np.ndarray) -> np.ndarray:
    h, w = (mask.shape[0] // BLOCK) * BLOCK, (mask.shape[1] // BLOCK) * BLOCK
    m = mask[:h, :w].reshape(h // BLOCK, BLOCK, w // BLOCK, BLOCK)
    s = np.where(mask, structure, 0.0)[:h, :w].reshape(h // BLOCK, BLOCK, w // BLOCK, BLOCK)
    counts = m.sum(axis=(1, 3))
    full = counts >= BLOCK * BLOCK * 0.75
    return s.sum(axis=(1, 3))[full] / counts[full]


def smooth_floor(structure: np.ndarray, photo: np.ndarray) -> float | None:
    """Half the gradient energy of the photo's smoothest 5 % of blocks: below it, a block is
    smoother than anything in the photo (computed once per frame)."""
    blocks = _block_means(structure, photo)
    return None if blocks.size < 8 else SMOOTHER * float(np.percentile(blocks, 5))


def _smooth(structure: np.ndarray, band: np.ndarray, floor: float | None) -> dict[str, float | None]:
    """Share of the band's blocks smoother than anything in the photo (``smooth_floor``)."""
    band_blocks = _block_means(structure, band)
    if band_blocks.size < 4 or floor is None:
        return {"smooth_share": None}
    return {
        "smooth_share": round(float((band_blocks < floor).mean()), 4),
        "photo_smooth_floor": round(floor, 4),
    }


def noise_floor(luma: np.ndarray, mask: np.ndarray) -> float | None:
    """Grain σ (8-bit) where the region is least textured: the 25th percentile over 16 px blocks of
    the finest diagonal db2 detail (mean |d| · √(π/2) = σ for Gaussian noise). Texture raises a
    block's value; sensor grain, or a fill's synthetic grain, is what the quiet blocks still show."""
    detail = cv2.sepFilter2D(luma, cv2.CV_32F, _DB2_HI, _DB2_HI, borderType=cv2.BORDER_REFLECT)[1::2, 1::2]
    valid = shrink_mask(mask[1::2, 1::2], 1)  # coefficients whose support is all inside the region
    assert valid is not None
    h, w = (detail.shape[0] // 8) * 8, (detail.shape[1] // 8) * 8
    if h == 0 or w == 0:
        return None
    d = np.where(valid, np.abs(detail), 0.0)[:h, :w].reshape(h // 8, 8, w // 8, 8).sum(axis=(1, 3))
    n = valid[:h, :w].reshape(h // 8, 8, w // 8, 8).sum(axis=(1, 3))
    full = n >= 48
    if int(full.sum()) < 4:
        return None
    return float(np.percentile(d[full] / n[full], 25)) * math.sqrt(math.pi / 2)


def _grain(o: Oriented, t: int, first: int, last: int, opposite: int) -> float | None:
    """Band / photo-band grain at full size (grain is a per-pixel property: no resampling)."""
    full_h, full_w = o.gen.shape
    depth = min(max(t, 16), (full_h - opposite - t) // 2)
    if t < 8 or depth < 8:
        return None
    lo, hi = first, full_w - last
    sides = []
    for r0, r1, generated in ((0, max(1, t - 2), True), (t + 2, t + 2 + depth, False)):
        rows = r1 - r0
        width = hi - lo
        keep = max(1, min(width, MAX_GRAIN_PX // max(rows, 1)))  # a centred part of very big bands
        a = lo + (width - keep) // 2
        rgb = np.ascontiguousarray(o.rgb[r0:r1, a : a + keep])
        mask = o.gen[r0:r1, a : a + keep] if generated else ~o.gen[r0:r1, a : a + keep]
        if o.skip is not None:
            mask = mask & ~o.skip[r0:r1, a : a + keep]
        sigma = noise_floor(colorspace.luma(rgb), np.ascontiguousarray(mask))
        if sigma is None:
            return None
        sides.append(sigma)
    return round((sides[0] + GRAIN_FLOOR) / (sides[1] + GRAIN_FLOOR), 4)


def measure_inside(o: Oriented, inside: np.ndarray) -> SideMeasures:
    """Generated pixels inside the frame (a swap, a patch): only their grain against the ring of
    photo around them — what they show may differ from the photo by request."""
    h, w = inside.shape
    radius = max(8, round(0.05 * min(h, w)))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    ring = cv2.dilate(inside.astype(np.uint8), kernel) > 0
    ring &= ~o.gen
    if o.skip is not None:
        ring &= ~o.skip
    core = shrink_mask(inside, 2)
    if core is None or int(core.sum()) < 256 or int(ring.sum()) < 256:
        return SideMeasures(False, {})
    luma = colorspace.luma(o.rgb)
    g, p = wavelet_sigma(luma, core), wavelet_sigma(luma, ring)
    return SideMeasures(
        True,
        {
            "grain_ratio": round((g + GRAIN_FLOOR) / (p + GRAIN_FLOOR), 4),
            "share": round(float(inside.mean()), 4),
        },
    )
