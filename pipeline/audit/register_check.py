"""Checks on a proposed registration: is the geometry one keyart could have made, and do the
file's details agree with it?

Agreement is counted a-contrario: a proposal fixed by the search, not by the matches, is
confirmed by SIFT matches (ratio test, both images at 1, ½ and ¼ size so that blur and grain
matter less) that land within 3 % of the frame of where the proposal puts them. Unrelated
photos score 0 on every pair of the calibration's six photos and their degraded crops
(bench/audit_registration.py); degraded crops of the master score 3–30.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from pipeline.audit.register_search import shrink

AGREE_RADIUS = 0.03  # of the variant's long side
RATIO = 0.85
VARIANT_SIDES = (768, 384, 192)
MAX_ANISOTROPY = 1.25  # beyond this, a "stretch" is a wrong registration, not a distorted file
MAX_SHEAR_DEG = 5.0
MAX_ROTATION_DEG = 45.0
MIN_INSIDE = 0.6  # share of the frame that must show master pixels


@dataclass(frozen=True)
class Level:
    """SIFT keypoints (full-resolution px) and descriptors of one copy of an image."""

    points: np.ndarray
    descriptors: np.ndarray


def stretch_contrast(grey: np.ndarray) -> np.ndarray:
    """Grey levels spread to 0–255 between p0.5 and p99.5: a flattened file gets its keypoints back
    (SIFT's detection threshold is absolute)."""
    lo, hi = np.percentile(grey, (0.5, 99.5))
    if hi - lo < 1:
        return grey.astype(np.uint8)
    return np.clip((grey.astype(np.float32) - lo) * (255.0 / (hi - lo)), 0, 255).astype(np.uint8)


def sift_level(grey: np.ndarray, side: float, count: int = 2000) -> Level:
    """SIFT on a contrast-stretched copy at ≤ ``side`` px long side."""
    height, width = grey.shape
    factor = max(1.0, max(width, height) / side)
    small = shrink(grey, (round(width / factor), round(height / factor))) if factor > 1 else grey
    keypoints, descriptors = cv2.SIFT.create(nfeatures=count).detectAndCompute(stretch_contrast(small), None)
    if descriptors is None:
        return Level(np.zeros((0, 2), np.float32), np.zeros((0, 128), np.float32))
    points = np.array([k.pt for k in keypoints], np.float32)
    return Level((points + 0.5) * factor - 0.5, descriptors)


def master_levels(grey: np.ndarray, largest: int = 1024) -> list[Level]:
    levels, side = [], min(largest, max(grey.shape))
    while side >= 96:
        levels.append(sift_level(grey, side, 4000 if side == largest else 2000))
        side //= 2
    return levels


def candidate_pairs(master: list[Level], variant: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ratio-test matches of the variant (at 1, ½, ¼ of ≤ 768 px) against every master level:
    (master px, variant px) arrays, one row per match."""
    matcher = cv2.BFMatcher(cv2.NORM_L2)
    src, dst = [], []
    longest = max(variant.shape)
    for side in VARIANT_SIDES:
        side = min(side, longest * side / VARIANT_SIDES[0])
        if side < 64:
            break
        found = sift_level(variant, side)
        if len(found.descriptors) < 2:
            continue
        for level in master:
            if len(level.descriptors) < 2:
                continue
            for pair in matcher.knnMatch(found.descriptors, level.descriptors, k=2):
                if len(pair) == 2 and pair[0].distance < RATIO * pair[1].distance:
                    src.append(level.points[pair[0].trainIdx])
                    dst.append(found.points[pair[0].queryIdx])
    if not src:
        return np.zeros((0, 2)), np.zeros((0, 2))
    return np.array(src, np.float64), np.array(dst, np.float64)


def agreeing(pairs: tuple[np.ndarray, np.ndarray], affine: np.ndarray, size: tuple[int, int]) -> int:
    """Distinct variant places whose match lands within AGREE_RADIUS of where ``affine`` puts it."""
    src, dst = pairs
    if len(src) == 0:
        return 0
    predicted = src @ affine[:, :2].T + affine[:, 2]
    radius = AGREE_RADIUS * max(size)
    close = np.linalg.norm(predicted - dst, axis=1) < radius
    # the same detail found at two sizes or in two master levels counts once
    return len({(round(x / 2), round(y / 2)) for x, y in dst[close]})


def implausible(affine: np.ndarray, size: tuple[int, int], master_size: tuple[int, int]) -> str | None:
    """Why ``affine`` (master px → variant px) cannot be a crop / resize of the master, or None."""
    c0, c1 = affine[:, 0], affine[:, 1]
    if np.linalg.det(affine[:, :2]) <= 0:
        return "mirrored"
    anisotropy = float(np.linalg.norm(c0) / np.linalg.norm(c1))
    if not 1 / MAX_ANISOTROPY <= anisotropy <= MAX_ANISOTROPY:
        return f"stretched {anisotropy - 1:+.0%}"
    cos = float(np.dot(c0, c1) / (np.linalg.norm(c0) * np.linalg.norm(c1)))
    if abs(90.0 - math.degrees(math.acos(np.clip(cos, -1.0, 1.0)))) > MAX_SHEAR_DEG:
        return "sheared"
    if abs(math.degrees(math.atan2(affine[1, 0], affine[0, 0]))) > MAX_ROTATION_DEG:
        return "rotated"
    # the frame's pixel centres, sampled on a grid, mapped into the master
    xs, ys = np.meshgrid(np.linspace(0, size[0] - 1, 16), np.linspace(0, size[1] - 1, 16))
    inverse = np.linalg.inv(np.vstack([affine, [0, 0, 1]]))
    mx = inverse[0, 0] * xs + inverse[0, 1] * ys + inverse[0, 2]
    my = inverse[1, 0] * xs + inverse[1, 1] * ys + inverse[1, 2]
    inside = (mx >= -0.5) & (mx <= master_size[0] - 0.5) & (my >= -0.5) & (my <= master_size[1] - 0.5)
    if inside.mean() < MIN_INSIDE:
        return f"mostly outside the master ({inside.mean():.0%} inside)"
    return None
