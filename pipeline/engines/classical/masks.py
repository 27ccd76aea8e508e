"""Region masks for the region ops (clean, swap, recolor): float32 in [0, 1] at image size, 1 = region.

A region is a box (fractions of the frame), an uploaded mask (white = region), the subject (GrabCut
seeded from face/saliency detection, refined with an edge-aware guided filter) or the background
(its complement). Values within 1 % of 0 or 1 are snapped so "outside the mask" means exactly 0.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np
from PIL import Image

from pipeline.engines.classical.subject import Subject, detect_subject_cached
from pipeline.errors import BadInput, BadRequest

if TYPE_CHECKING:  # engines never import the ops package at run time (it imports them)
    from pipeline.ops.fields import Box, Region

GRABCUT_WORK = 320  # long side GrabCut runs at (~0.5 s); the guided filter restores full-size edges
GRABCUT_ITERS = 5
CACHE_KEY = "classical.masks.subject"
_SNAP = 0.01


def region_mask(
    image: Image.Image,
    region: Region,
    *,
    box: Box | None = None,
    extras: dict[str, Image.Image] | None = None,
    cache: dict[str, Any] | None = None,
    record: dict[str, Any] | None = None,
    notes: list[str] | None = None,
) -> np.ndarray:
    """The mask of ``region`` over ``image`` (H×W float32, 1 = region). Raises on missing inputs.

    Where the mask came from goes into ``record`` and any adjustment into ``notes`` (when given).
    """
    size = image.size
    record = record if record is not None else {}
    if region == "box":
        if box is None:
            raise BadRequest("region=box needs a `box` (left, top, right, bottom as fractions of the frame)")
        record["box_px"] = list(box.pixels(*size))
        return box_mask(size, box)
    if region == "mask":
        uploaded = (extras or {}).get("mask")
        if uploaded is None:
            raise BadInput("region=mask needs an uploaded mask image (the `mask` input; white = region)")
        record["uploaded_mask_size"] = list(uploaded.size)
        stretch = (uploaded.width / uploaded.height) / (size[0] / size[1])
        if notes is not None and abs(stretch - 1) > 0.01:
            notes.append(
                f"the uploaded mask ({uploaded.width}×{uploaded.height}) was stretched to the image "
                f"({size[0]}×{size[1]}); its aspect ratio differs by {abs(stretch - 1):.0%}"
            )
        return uploaded_mask(uploaded, size)
    cache = cache if cache is not None else {}
    subject = subject_mask(image, cache)
    record["subject"] = detect_subject_cached(image, cache).to_record()
    return subject if region == "subject" else _snap(1.0 - subject)


def box_mask(size: tuple[int, int], box: Box) -> np.ndarray:
    """A hard rectangle; ``Box.pixels`` guarantees at least one pixel."""
    mask = np.zeros((size[1], size[0]), np.float32)
    left, top, right, bottom = box.pixels(*size)
    mask[top:bottom, left:right] = 1.0
    return mask


def uploaded_mask(mask: Image.Image, size: tuple[int, int]) -> np.ndarray:
    """An uploaded mask resized to ``size``: white = region; with transparency, opacity = region."""
    values: np.ndarray = np.asarray(mask.convert("L"), np.float32) / 255.0
    if mask.mode in ("RGBA", "LA", "PA") or (mask.mode == "P" and "transparency" in mask.info):
        alpha = np.asarray(mask.convert("RGBA").getchannel("A"), np.float32) / 255.0
        # Strokes (any colour) painted on a transparent sheet: opacity marks the region. A fully
        # opaque RGBA file is an ordinary white-on-black mask.
        if float(alpha.min()) < 1.0:
            values = alpha
    if values.shape != (size[1], size[0]):
        values = cv2.resize(values, size, interpolation=cv2.INTER_LINEAR)
    if float(values.max()) <= _SNAP:
        raise BadInput("the uploaded mask is empty (all black); paint the region to change in white")
    return _snap(values)


def feather(mask: np.ndarray, radius: int) -> np.ndarray:
    """Soften a mask's edge over ``radius`` px. The kernel is truncated at ``radius``, so the result
    is exactly 0 farther than ``radius`` px from the region (σ = radius/3: smooth to its support)."""
    if radius <= 0:
        return mask.astype(np.float32)
    k = 2 * radius + 1
    # Pad with edge values so a region touching the frame does not fade out at the border.
    blurred = cv2.GaussianBlur(mask.astype(np.float32), (k, k), radius / 3.0, borderType=cv2.BORDER_REPLICATE)
    return _snap(np.clip(blurred, 0.0, 1.0))


def feather_outward(mask: np.ndarray, radius: int) -> np.ndarray:
    """Feather that keeps the whole region at full weight and fades *outside* it over ``radius`` px
    (2× the centred feather, capped at 1): a replaced background leaves no halo of the old one."""
    return _snap(np.maximum(mask, np.minimum(1.0, 2.0 * feather(mask, radius))))


def dilate(mask: np.ndarray, radius: int) -> np.ndarray:
    """Grow the non-zero part of a mask by ``radius`` px (elliptical element), as a 0/1 float mask."""
    binary = (mask > 0).astype(np.uint8)
    if radius > 0:
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
        return cv2.dilate(binary, kernel).astype(np.float32)
    return binary.astype(np.float32)


def guided_filter(guide: np.ndarray, src: np.ndarray, radius: int, eps: float) -> np.ndarray:
    """He et al.'s guided filter (grey guide in [0, 1]): smooths ``src`` but keeps the guide's edges.

    opencv-contrib's ``ximgproc.guidedFilter`` is not in the headless wheel; this is six box filters.
    """
    size = (2 * radius + 1, 2 * radius + 1)

    def box(a: np.ndarray) -> np.ndarray:
        return cv2.boxFilter(a, cv2.CV_32F, size, borderType=cv2.BORDER_REFLECT)

    guide, src = guide.astype(np.float32), src.astype(np.float32)
    mean_i, mean_p = box(guide), box(src)
    cov_ip = box(guide * src) - mean_i * mean_p
    var_i = box(guide * guide) - mean_i * mean_i
    a = cov_ip / (var_i + eps)
    b = mean_p - a * mean_i
    return box(a) * guide + box(b)


def subject_mask(image: Image.Image, cache: dict[str, Any]) -> np.ndarray:
    """Soft subject mask: GrabCut at ≤ 512 px seeded from the detection, upsampled edge-aware. Memoised."""
    store: dict[tuple[Any, ...], tuple[weakref.ref[Image.Image], np.ndarray]]
    store = cache.setdefault(CACHE_KEY, {})
    key = (id(image), image.size, image.mode)
    hit = store.get(key)
    if hit is not None and hit[0]() is image:
        return hit[1]
    subject = detect_subject_cached(image, cache)
    rgb = np.asarray(image.convert("RGB"))
    scale = min(1.0, GRABCUT_WORK / max(image.size))
    work_size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    small = cv2.resize(rgb, work_size, interpolation=cv2.INTER_AREA) if scale < 1 else rgb
    hard = _grabcut(small, grabcut_seeds(subject, work_size, scale))
    mask = refine_upsample(hard, rgb)
    mask.setflags(write=False)  # shared through the batch cache
    store[key] = (weakref.ref(image), mask)
    return mask


def grabcut_seeds(subject: Subject, work_size: tuple[int, int], scale: float) -> np.ndarray:
    """GrabCut labels at work size.

    Probable background everywhere; a thin frame border outside the subject box is sure background
    (it anchors the background colour model; the subject box and a face's torso are exempt because
    people are often cut by the frame). The subject box's salient pixels are probable foreground;
    each face's core and the neck/chest below it are sure foreground, a torso about 2.4 face widths
    wide below it probable foreground.
    """
    w, h = work_size
    seeds = np.full((h, w), cv2.GC_PR_BGD, np.uint8)
    x0, y0, x1, y1 = _scaled(subject.box, scale)
    border = max(2, round(0.02 * min(w, h)))
    seeds[:border, :] = seeds[-border:, :] = cv2.GC_BGD
    seeds[:, :border] = seeds[:, -border:] = cv2.GC_BGD
    sal = cv2.resize(subject.saliency, work_size, interpolation=cv2.INTER_LINEAR)
    box = seeds[y0:y1, x0:x1]
    box[:] = cv2.GC_PR_BGD
    threshold = 0.35 if subject.faces else 0.2  # without faces the salient region is all we have
    box[sal[y0:y1, x0:x1] > threshold] = cv2.GC_PR_FGD
    for face in subject.faces:
        fx0, fy0, fx1, fy1 = _scaled(face, scale)
        fw, fh = fx1 - fx0, fy1 - fy0
        # Torso: people continue below the face, about 2.4 face widths across, often out of frame.
        seeds[fy1:h, max(0, round(fx0 - 0.7 * fw)) : min(w, round(fx1 + 0.7 * fw))] = cv2.GC_PR_FGD
        seeds[max(0, fy0 - fh // 2) : fy1, fx0:fx1] = cv2.GC_PR_FGD  # hair
        # Face core (inner 60 %) and neck/chest column below it: sure foreground, anchoring the
        # colour model (a dark collar would otherwise join a dark background).
        cx0, cx1 = fx0 + round(0.2 * fw), fx1 - round(0.2 * fw)
        seeds[fy0 + round(0.2 * fh) : fy1 - round(0.2 * fh), cx0:cx1] = cv2.GC_FGD
        seeds[fy1 - round(0.2 * fh) : min(h, fy1 + round(1.2 * fh)), cx0:cx1] = cv2.GC_FGD
    return seeds


def _scaled(b: tuple[int, int, int, int], scale: float) -> tuple[int, int, int, int]:
    return (int(b[0] * scale), int(b[1] * scale), int(np.ceil(b[2] * scale)), int(np.ceil(b[3] * scale)))


def _grabcut(rgb: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """Binary (0/1 float32) foreground from GrabCut in mask mode; seeds only if a class is empty."""
    fg = np.isin(seeds, (cv2.GC_FGD, cv2.GC_PR_FGD))
    if fg.all() or not fg.any():  # GrabCut needs samples of both classes to fit its colour models
        return fg.astype(np.float32)
    labels = seeds.copy()
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.setRNGSeed(0)  # GrabCut's k-means init draws from OpenCV's global RNG: keep it reproducible
    bgr = np.ascontiguousarray(rgb[..., ::-1])
    cv2.grabCut(bgr, labels, None, bgd, fgd, GRABCUT_ITERS, cv2.GC_INIT_WITH_MASK)  # type: ignore[call-overload]
    fg = np.isin(labels, (cv2.GC_FGD, cv2.GC_PR_FGD)).astype(np.uint8)
    return _largest_components(fg).astype(np.float32)


def _largest_components(fg: np.ndarray, keep: float = 0.05) -> np.ndarray:
    """Drop foreground islands smaller than ``keep`` of the largest (GrabCut strays), fill small holes."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(fg, connectivity=8)
    if count <= 2:
        return fg
    areas = stats[1:, cv2.CC_STAT_AREA]
    kept = np.flatnonzero(areas >= keep * areas.max()) + 1
    fg = np.isin(labels, kept).astype(np.uint8)
    holes = 1 - fg
    count, labels, stats, _ = cv2.connectedComponentsWithStats(holes, connectivity=4)
    small = np.flatnonzero(stats[1:, cv2.CC_STAT_AREA] < 0.002 * fg.size) + 1
    fg[np.isin(labels, small)] = 1
    return fg


def refine_upsample(hard: np.ndarray, rgb: np.ndarray) -> np.ndarray:
    """Upsample a work-size binary mask to ``rgb``'s size, snapping its edge to the image's edges."""
    height, width = rgb.shape[:2]
    factor = width / hard.shape[1]
    soft = cv2.resize(hard, (width, height), interpolation=cv2.INTER_LINEAR) if factor != 1 else hard
    guide = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
    radius = max(2, round(2 * factor))
    refined = guided_filter(guide, soft, radius, eps=1e-3)
    return _snap(np.clip(refined, 0.0, 1.0))


def _snap(mask: np.ndarray) -> np.ndarray:
    out = mask.astype(np.float32, copy=True)
    out[out < _SNAP] = 0.0
    out[out > 1 - _SNAP] = 1.0
    return out
