"""Estimate a variant's geometry when there is no lineage: SIFT + ratio test + RANSAC affine,
with a search for files whose features do not match.

Both images are matched on downscaled grey copies (master ≤ ``MASTER_SIDE`` px long side, variant
≤ ``VARIANT_SIDE``: 0.17 s instead of 0.37 s for a 1080×1920 story, boxes within 0.15 px; the master's
keypoints are computed once per batch). The affine maps master pixels to variant pixels; its
column norms give the per-axis scale, whose ratio is the frame's anisotropy (§2d: 8 % stretch
reads 1.0801, pure resizes 1.0000). keyart variants are crops and resizes, so the affine is
reported in full (rotation, shear) but turned into an axis-aligned ``Geometry`` for the warp.

Blurred, flattened or noisy files lose the fine features SIFT matches (defocus σ3 left 4–10
inliers on the calibration photos). When SIFT finds too few, or a geometry no crop or resize
has (register_check.implausible), the file is searched for over crop sizes and positions and
refined by ECC (register_search.py), and that proposal is kept only if details agree with it
(register_check.agreeing). Results with few inliers are refined by ECC too (4 px → < 1 px on
blurred crops). A file that still does not register gets a message that says what was tried.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import cv2
import numpy as np
from PIL import Image

from pipeline.audit import register_check, register_search
from pipeline.errors import BadInput
from pipeline.ops.base import Geometry

MASTER_SIDE = 1024
VARIANT_SIDE = 768
MIN_INLIERS = 12
MIN_AGREEING = 3  # details that must agree with a searched geometry (unrelated photos: 0)
REFINE_BELOW = 40  # SIFT results with fewer inliers are refined by ECC ...
MAX_REFINE_MOVE = 0.05  # ... unless ECC moves a corner by more than this share of the frame
SEARCH_SIDE = 2048  # the master's grey copy for the search and ECC
RATIO = 0.75
RANSAC_PX = 2.0
SNAP_PX = 1.5


@dataclass
class Features:
    keypoints: np.ndarray  # (N, 2) in full-resolution pixel coordinates
    descriptors: np.ndarray  # (N, 128) float32

    @cached_property
    def index(self) -> Any:
        """A FLANN k-d forest over the descriptors, built once (the master's, per batch): ~5× faster
        than brute force for 4000 × 4000 matches, same registrations on the calibration set."""
        matcher = cv2.FlannBasedMatcher({"algorithm": 1, "trees": 4}, {"checks": 64})
        matcher.add([self.descriptors])
        matcher.train()
        return matcher


@dataclass
class MasterFeatures(Features):
    """The master's SIFT features, and (built on the first file that needs them) its grey copies
    for the search and its SIFT features at ½, ¼, ⅛ size for the agreement check."""

    grey: np.ndarray = field(default_factory=lambda: np.zeros((1, 1), np.uint8))
    grey_factor: float = 1.0  # master px per ``grey`` px

    @cached_property
    def levels(self) -> register_search.MasterLevels:
        return register_search.MasterLevels(self.grey.astype(np.float32), self.grey_factor)

    @cached_property
    def coarse(self) -> list[register_check.Level]:
        work, factor = _grey(Image.fromarray(self.grey), MASTER_SIDE)
        levels = register_check.master_levels(work)
        scale = factor * self.grey_factor  # level px were mapped to ``work`` px: now to master px
        return [register_check.Level((lv.points + 0.5) * scale - 0.5, lv.descriptors) for lv in levels]


@dataclass(frozen=True)
class Registration:
    affine: np.ndarray  # 2×3, master px → variant px (pixel centres at integer coordinates)
    geometry: Geometry
    inliers: int
    matches: int
    method: str = "sift-ransac-affine"
    detail: dict[str, Any] = field(default_factory=dict)  # what the search / refinement measured

    @property
    def scale(self) -> tuple[float, float]:
        return (float(np.hypot(*self.affine[:, 0])), float(np.hypot(*self.affine[:, 1])))

    @property
    def anisotropy(self) -> float:
        sx, sy = self.scale
        return sx / sy

    @property
    def rotation_deg(self) -> float:
        return math.degrees(math.atan2(self.affine[1, 0], self.affine[0, 0]))

    @property
    def shear_deg(self) -> float:
        c0, c1 = self.affine[:, 0], self.affine[:, 1]
        cos = float(np.dot(c0, c1) / (np.linalg.norm(c0) * np.linalg.norm(c1)))
        return 90.0 - math.degrees(math.acos(np.clip(cos, -1.0, 1.0)))

    def to_json(self) -> dict[str, Any]:
        left, top = self.geometry.source_box[:2]
        return {
            "method": self.method,
            "inliers": self.inliers,
            "matches": self.matches,
            "scale": [round(v, 5) for v in self.scale],
            "offset": [round(left, 2), round(top, 2)],
            "anisotropy": round(self.anisotropy, 5),
            "rotation_deg": round(self.rotation_deg, 3),
            "shear_deg": round(self.shear_deg, 3),
            **self.detail,
        }


def _grey(image: Image.Image, side: int) -> tuple[np.ndarray, float]:
    """Grey copy at ≤ ``side`` px long side, and the factor from it back to full resolution."""
    factor = max(1.0, max(image.size) / side)
    if factor > 1.0:
        size = (round(image.width / factor), round(image.height / factor))
        image = image.convert("L").resize(size, Image.Resampling.BOX)
    return np.asarray(image.convert("L")), factor


def features(image: Image.Image, side: int = MASTER_SIDE) -> Features:
    grey, factor = _grey(image, side)
    points, descriptors = _sift(grey, factor)
    return Features(points, descriptors)


def master_features(image: Image.Image) -> MasterFeatures:
    grey, factor = _grey(image, MASTER_SIDE)
    points, descriptors = _sift(grey, factor)
    search, search_factor = _grey(image, SEARCH_SIDE)
    return MasterFeatures(points, descriptors, search, search_factor)


def _sift(grey: np.ndarray, factor: float) -> tuple[np.ndarray, np.ndarray]:
    keypoints, descriptors = cv2.SIFT.create(nfeatures=4000).detectAndCompute(grey, None)
    if descriptors is None:
        return np.zeros((0, 2), np.float32), np.zeros((0, 128), np.float32)
    points = np.array([kp.pt for kp in keypoints], np.float32)
    # Keypoint coordinates are pixel centres; map the downscaled grid back to full resolution.
    return (points + 0.5) * factor - 0.5, descriptors


def register(
    master: MasterFeatures, master_size: tuple[int, int], variant: Image.Image, name: str
) -> Registration:
    """Register ``variant`` to the master, or raise BadInput saying what was tried and why it failed."""
    affine, inliers, matches = _match(master, features(variant, VARIANT_SIDE), variant.size)
    tried: list[str] = []
    if affine is not None and inliers >= MIN_INLIERS:
        problem = register_check.implausible(affine, variant.size, master_size)
        if problem is None:
            detail: dict[str, Any] = {}
            if inliers < REFINE_BELOW:
                affine, detail = _refined(master, variant, affine, master_size)
            return Registration(
                affine, _to_geometry(affine, variant.size, master_size), inliers, matches, detail=detail
            )
        tried.append(f"matching details: {inliers} points agree, but on a {problem} frame")
    else:
        tried.append(f"matching details: only {inliers} points agree (need {MIN_INLIERS})")
    return _search(master, master_size, variant, name, tried, inliers)


def _match(master: Features, found: Features, size: tuple[int, int]) -> tuple[np.ndarray | None, int, int]:
    """SIFT ratio-test matches and the RANSAC affine (master px → variant px) with its inlier count."""
    good: list[tuple[int, int]] = []
    if len(found.descriptors) >= 2 and len(master.descriptors) >= 2:
        pairs = master.index.knnMatch(found.descriptors, k=2)
        good = [
            (m.queryIdx, m.trainIdx)
            for m, n in (p for p in pairs if len(p) == 2)
            if m.distance < RATIO * n.distance
        ]
    if len(good) < 3:
        return None, 0, len(good)
    src = master.keypoints[[g[1] for g in good]]
    dst = found.keypoints[[g[0] for g in good]]
    factor = max(1.0, max(size) / VARIANT_SIDE)  # RANSAC's threshold is in work pixels
    affine, mask = cv2.estimateAffine2D(
        src, dst, method=cv2.RANSAC, ransacReprojThreshold=RANSAC_PX * factor, maxIters=4000, confidence=0.999
    )
    return affine, int(mask.sum()) if mask is not None else 0, len(good)


def _refined(
    master: MasterFeatures, variant: Image.Image, affine: np.ndarray, master_size: tuple[int, int]
) -> tuple[np.ndarray, dict[str, Any]]:
    """ECC from a SIFT affine resting on few inliers; kept if plausible and within 5 % of the frame
    (SIFT from 11–20 inliers was measured up to 4 px off on 160 px blurred / noisy crops)."""
    grey = np.asarray(variant.convert("L"), np.float32)
    start = np.linalg.inv(np.vstack([affine, [0, 0, 1]]))
    found = register_search.refine(master.levels, grey, start)
    if found is None:
        return affine, {"refined": False}
    refined = np.linalg.inv(found[0])[:2]
    # where the refined geometry puts the frame's corners, in variant px
    w, h = variant.width - 1, variant.height - 1
    corners = np.array([[0, 0, 1], [w, 0, 1], [0, h, 1], [w, h, 1]], np.float64)
    moved = np.abs((corners @ start.T) @ np.vstack([refined, [0, 0, 1]]).T - corners).max()
    if moved > MAX_REFINE_MOVE * max(variant.size) or register_check.implausible(
        refined, variant.size, master_size
    ):
        return affine, {"refined": False}
    return refined, {"refined": True, "ecc_correlation": round(found[1], 4)}


def _search(
    master: MasterFeatures,
    master_size: tuple[int, int],
    variant: Image.Image,
    name: str,
    tried: list[str],
    sift_inliers: int,
) -> Registration:
    grey = np.asarray(variant.convert("L"))
    proposals = register_search.propose(master.levels, grey.astype(np.float32))
    if not proposals:
        tried.append("searching crop sizes and positions: the file is almost uniform, nothing to match")
        raise BadInput(_failure(name, tried))
    pairs = register_check.candidate_pairs(master.coarse, grey)

    def rank(p: register_search.Proposal) -> tuple[bool, int, bool]:
        # plausible first, then most agreeing details, then ECC-refined before the bare search box
        plausible = register_check.implausible(p.affine, variant.size, master_size) is None
        return (not plausible, -register_check.agreeing(pairs, p.affine, variant.size), p.correlation is None)

    best = min(proposals, key=rank)
    count = register_check.agreeing(pairs, best.affine, variant.size)
    problem = register_check.implausible(best.affine, variant.size, master_size)
    if count >= MIN_AGREEING and problem is None:
        detail = {
            "search_score": round(best.score, 4),
            "ecc_correlation": None if best.correlation is None else round(best.correlation, 4),
            "sift_inliers": sift_inliers,
        }
        geometry = _to_geometry(best.affine, variant.size, master_size)
        method = "search-box" if best.correlation is None else "search-ecc-affine"
        return Registration(best.affine, geometry, count, len(pairs[0]), method, detail)
    box = _to_geometry(best.affine, variant.size, master_size).source_box
    where = f"{(box[2] - box[0]) / master_size[0]:.0%} of the master's width at ({box[0]:.0f}, {box[1]:.0f})"
    agree = "1 detail agrees" if count == 1 else f"{count} details agree"
    why = f"a {problem} frame" if problem else f"only {agree} with it (need {MIN_AGREEING})"
    tried.append(f"searching crop sizes and positions: the closest candidate is {where}, but {why}")
    raise BadInput(_failure(name, tried))


def _failure(name: str, tried: list[str]) -> str:
    return (
        f"could not register `{name}` to the master: it does not look like a crop or resize of it. "
        f"Tried {'; '.join(tried)}. Is this the right master? Flipped or heavily retouched files, "
        "and files that are mostly new pixels, cannot be compared with it."
    )


def _to_geometry(affine: np.ndarray, size: tuple[int, int], master_size: tuple[int, int]) -> Geometry:
    """Axis-aligned part of the affine as a Geometry: the master box whose centre maps to the frame's
    centre, sized by the per-axis scales (for a turned frame, the box it would be unturned)."""
    sx, sy = (float(np.hypot(*affine[:, 0])), float(np.hypot(*affine[:, 1])))
    inverse = np.linalg.inv(np.vstack([affine, [0, 0, 1]]))
    cx, cy, _ = inverse @ np.array([(size[0] - 1) / 2, (size[1] - 1) / 2, 1.0])
    # pixel centres sit at integers, box edges half a pixel out: left = cx + ½ − width / 2
    width, height = size[0] / sx, size[1] / sy
    left = _snap(cx + 0.5 - width / 2, width, master_size[0])
    top = _snap(cy + 0.5 - height / 2, height, master_size[1])
    return Geometry((left, top, left + width, top + height), size, master_size)


def _snap(start: float, length: float, limit: int) -> float:
    """Registration puts a crop's edge up to ~1 px outside the master (measured −1.1 px on a
    320×50 banner); keyart never expands by less than that, so slide such a box back inside
    rather than report a sliver of "generated" pixels."""
    if -SNAP_PX < start < 0 and start + length <= limit:
        return 0.0
    end = start + length
    if limit < end < limit + SNAP_PX and start - (end - limit) >= 0:
        return start - (end - limit)
    return start
