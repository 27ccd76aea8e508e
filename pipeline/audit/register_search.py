"""Registration by search, for files whose features do not match (blurred, flattened, noisy).

keyart's variants are crops and resizes, so a variant is found by sliding it, shrunk to each
candidate crop size, over the master (normalised cross-correlation: blind to contrast and
brightness, and at these coarse sizes to blur and grain), then refined by ECC (Evangelidis &
Psarakis 2008) at a working size — to an affine only where it fits clearly better than a plain
crop and resize, since on smooth blurred content the affine drifts. The search proposes; it
cannot tell a true match from the best-looking place in an unrelated photo (ECC reaches a
correlation of 0.97 on unrelated pairs), so register.py accepts a proposal only when details
agree with it (register_check.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

TEMPLATE_PX = 56  # the shrunk variant's long side at the search level (smaller: chance matches)
SIZE_STEP = 1.04  # crop sizes are tried in 4 % steps ...
SMALLEST_CROP = 0.1  # ... down to a tenth of the largest crop of the variant's aspect
WORK_SIDE = 384  # ECC runs with the variant at this long side
VARIANT_SIDE = 512  # the variant is searched from a copy this size (templates are ≤ 2 × TEMPLATE_PX)
CANDIDATES = 3  # distinct search peaks refined by ECC
MODEL_GAIN = 0.001  # correlation an affine must add over a plain crop-and-resize to be kept


def pixel_map(factor: float) -> np.ndarray:
    """3×3 map from a resized copy's pixel centres to the original's (``factor`` px per copy px)."""
    return np.array([[factor, 0, 0.5 * factor - 0.5], [0, factor, 0.5 * factor - 0.5], [0, 0, 1]])


def shrink(grey: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    interp = cv2.INTER_AREA if size[0] < grey.shape[1] else cv2.INTER_LINEAR
    return cv2.resize(grey, size, interpolation=interp)


@dataclass
class MasterLevels:
    """The master's grey plane and lazily built copies at power-of-two long sides."""

    grey: np.ndarray  # float32, full resolution (or the largest copy kept)
    factor: float = 1.0  # master px per ``grey`` px
    _levels: dict[int, tuple[np.ndarray, float]] = field(default_factory=dict)

    def at(self, side: int) -> tuple[np.ndarray, float]:
        """A copy at ≤ ``side`` px long side and its master px per copy px."""
        if side not in self._levels:
            height, width = self.grey.shape
            k = max(width, height) / side
            if k <= 1:
                self._levels[side] = (self.grey, self.factor)
            else:
                small = shrink(self.grey, (max(1, round(width / k)), max(1, round(height / k))))
                self._levels[side] = (small, k * self.factor)
        return self._levels[side]

    @property
    def size(self) -> tuple[float, float]:
        return (self.grey.shape[1] * self.factor, self.grey.shape[0] * self.factor)


@dataclass(frozen=True)
class Proposal:
    affine: np.ndarray  # 2×3, master px → variant px
    score: float  # normalised cross-correlation at the search level
    correlation: float | None  # after refinement (None: the bare search box, ECC did not converge)


@dataclass(frozen=True)
class _Peak:
    score: float
    box: tuple[float, float, float, float]  # master px


def _peaks(levels: MasterLevels, variant: np.ndarray) -> list[_Peak]:
    """Best correlation of the variant at each crop size, best first."""
    mw, mh = levels.size
    vh, vw = variant.shape
    aspect = vw / vh
    widest = min(mw, mh * aspect)
    peaks: list[_Peak] = []
    width = widest
    while width >= SMALLEST_CROP * widest:
        height = width / aspect
        # the level at which the shrunk variant's long side is at least TEMPLATE_PX
        side = int(np.clip(2 ** np.ceil(np.log2(TEMPLATE_PX * max(mw, mh) / max(width, height))), 128, 2048))
        plane, k = levels.at(side)
        tw, th = round(width / k), round(height / k)
        if min(tw, th) >= 8 and tw <= plane.shape[1] and th <= plane.shape[0]:
            template = shrink(variant, (tw, th))
            if float(template.std()) > 0.5:
                scores = cv2.matchTemplate(plane, template, cv2.TM_CCOEFF_NORMED)
                _, best, _, (x, y) = cv2.minMaxLoc(scores)
                left, top = x * k, y * k
                peaks.append(_Peak(float(best), (left, top, left + width, top + height)))
        width /= SIZE_STEP
    return sorted(peaks, key=lambda p: -p.score)


def _distinct(peaks: list[_Peak], count: int) -> list[_Peak]:
    chosen: list[_Peak] = []
    for peak in peaks:
        width = peak.box[2] - peak.box[0]
        if all(np.abs(np.subtract(peak.box, c.box)).max() > 0.05 * width for c in chosen):
            chosen.append(peak)
        if len(chosen) == count:
            break
    return chosen


def _reference(levels: MasterLevels, to_master: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The master resampled through ``to_master`` (3×3, work px → master px) at ``size``, from the
    level whose pixels are no coarser than the work pixels."""
    per_px = float(np.sqrt(abs(np.linalg.det(to_master[:2, :2]))))
    mw, mh = levels.size
    side = int(np.clip(2 ** np.floor(np.log2(max(mw, mh) / per_px)), 64, 4096))
    plane, km = levels.at(side)
    to_level = np.linalg.inv(pixel_map(km)) @ to_master
    return cv2.warpAffine(
        plane,
        to_level[:2].astype(np.float32),
        size,
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REFLECT,
    )


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Zero-mean normalised correlation after ECC's own 5×5 Gaussian pre-filter."""
    a = cv2.GaussianBlur(a, (5, 5), 0).ravel()
    b = cv2.GaussianBlur(b, (5, 5), 0).ravel()
    a, b = a - a.mean(), b - b.mean()
    norm = float(np.sqrt((a @ a) * (b @ b)))
    return float(a @ b) / norm if norm > 0 else 0.0


def crop_resize(to_master: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The crop-and-resize nearest ``to_master`` (3×3, variant px → master px): one scale (the
    affine's area scale), no rotation or shear, the frame's centre kept in place."""
    centre = np.array([(size[0] - 1) / 2, (size[1] - 1) / 2, 1.0])
    x, y, _ = to_master @ centre
    scale = float(np.sqrt(abs(np.linalg.det(to_master[:2, :2]))))
    return np.array([[scale, 0, x - scale * centre[0]], [0, scale, y - scale * centre[1]], [0, 0, 1]])


def refine(levels: MasterLevels, variant: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, float] | None:
    """ECC affine between the variant (float32 grey) at WORK_SIDE and the master resampled through
    ``start`` (3×3, variant px → master px); returns the refined variant px → master px map and
    its correlation, or None when ECC does not converge (flat images, nothing in common).

    On smooth, blurred content ECC's affine drifts (a defocused crop of smoke read +1.7 % stretch):
    the plain crop-and-resize at the same place is kept unless the affine fits better by more than
    MODEL_GAIN.
    """
    vh, vw = variant.shape
    kv = max(1.0, max(vw, vh) / WORK_SIDE)
    size = (max(8, round(vw / kv)), max(8, round(vh / kv)))
    work = shrink(variant, size) if kv > 1 else variant
    to_master = start @ pixel_map(kv)  # work px → master px
    reference = _reference(levels, to_master, size)
    criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 100, 1e-5)
    try:
        everywhere = np.full(work.shape, 255, np.uint8)
        _, warp = cv2.findTransformECC(
            work, reference, np.eye(2, 3, dtype=np.float32), cv2.MOTION_AFFINE, criteria, everywhere, 5
        )
    except cv2.error:
        return None
    affine = to_master @ np.vstack([warp, [0, 0, 1]])
    simple = crop_resize(affine, size)
    fit = _correlation(work, _reference(levels, affine, size))
    simple_fit = _correlation(work, _reference(levels, simple, size))
    chosen, value = (affine, fit) if fit > simple_fit + MODEL_GAIN else (simple, simple_fit)
    return chosen @ np.linalg.inv(pixel_map(kv)), value


def propose(levels: MasterLevels, variant: np.ndarray) -> list[Proposal]:
    """Geometries for ``variant`` (float32 grey, full resolution): for each of the CANDIDATES best
    search peaks, its ECC refinement (when ECC converges) and the peak's box itself."""
    vh, vw = variant.shape
    factor = max(1.0, max(vw, vh) / VARIANT_SIDE)
    small = shrink(variant, (round(vw / factor), round(vh / factor))) if factor > 1 else variant
    if float(small.std()) < 0.5:
        return []
    out = []
    for peak in _distinct(_peaks(levels, small), CANDIDATES):
        left, top, right, bottom = peak.box
        sx, sy = (right - left) / small.shape[1], (bottom - top) / small.shape[0]
        start = np.array([[sx, 0, left + 0.5 * sx - 0.5], [0, sy, top + 0.5 * sy - 0.5], [0, 0, 1]])
        found = refine(levels, small, start)
        if found is not None:  # found on the small copy: back to the variant's own pixels
            to_master = found[0] @ np.linalg.inv(pixel_map(factor))
            out.append(Proposal(np.linalg.inv(to_master)[:2], peak.score, found[1]))
        # the unrefined box too: ECC can shear off on smooth crops (smoke, sky) where the box is right
        to_master = start @ np.linalg.inv(pixel_map(factor))
        out.append(Proposal(np.linalg.inv(to_master)[:2], peak.score, None))
    return out
