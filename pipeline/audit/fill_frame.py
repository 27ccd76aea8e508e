"""The planes ``judge_fill`` measures: the frame at full size (grain) and at work scale (≤ 512 px:
colour, structure, shapes), each turned so that one side's generated band is on top."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from pipeline.audit import colorspace

STRUCTURE_SIGMA = 2.0  # work px: shapes and mottling, not grain or JPEG ringing
WORK_SIDE = 512  # structure and colour are judged at ≤ this long side: shapes, not pixels


@dataclass(frozen=True)
class Oriented:
    rgb: np.ndarray
    gen: np.ndarray
    skip: np.ndarray | None
    factor: float
    work_rgb: np.ndarray
    work_gen: np.ndarray
    work_skip: np.ndarray | None
    structure: np.ndarray
    shapes: np.ndarray
    texture: np.ndarray

    def work_valid(self, generated: bool) -> np.ndarray:
        ok = self.work_gen > 0.99 if generated else self.work_gen < 0.01
        return ok if self.work_skip is None else ok & ~self.work_skip


@dataclass
class Frame:
    """The frame's planes at full size (luma for grain) and at work scale (colour, structure)."""

    rgb: np.ndarray
    gen: np.ndarray
    skip: np.ndarray | None
    factor: float  # work px per full px
    work_rgb: np.ndarray
    work_gen: np.ndarray  # fraction generated per work pixel
    work_skip: np.ndarray | None
    structure: np.ndarray  # gradient magnitude of the σ2-smoothed work luma (grey levels / px)
    shapes: np.ndarray  # work luma band-passed (σ3 − σ10): whole shapes, which a mirrored copy repeats
    texture: np.ndarray  # work luma minus its σ6 blur: the texture a tiled patch repeats

    @classmethod
    def build(cls, rgb: np.ndarray, gen: np.ndarray, skip: np.ndarray | None, thinnest: int | None) -> Frame:
        h, w = gen.shape
        # A whole-pixel reduction (fast, exact block means) to at most ~WORK_SIDE px, keeping at
        # least 4 work rows across the thinnest band; the frame is padded by edge replication to a
        # multiple of it, which only ever extends a band at the far edge of the frame.
        k = max(1, math.ceil(max(h, w) / WORK_SIDE))
        if thinnest:
            k = max(1, min(k, thinnest // 4))
        if k > 1:
            work = _reduce(rgb, k)
            work_gen = _reduce(gen.astype(np.float32), k)
            work_skip = None if skip is None else _reduce(skip.astype(np.float32), k) > 0.01
        else:
            work, work_gen, work_skip = rgb, gen.astype(np.float32), skip
        factor = 1.0 / k
        luma = colorspace.luma(work)
        smooth = cv2.GaussianBlur(luma, (0, 0), STRUCTURE_SIGMA, borderType=cv2.BORDER_REFLECT)
        gx = cv2.Sobel(smooth, cv2.CV_32F, 1, 0, ksize=3, scale=0.125)
        gy = cv2.Sobel(smooth, cv2.CV_32F, 0, 1, ksize=3, scale=0.125)
        structure = cv2.magnitude(gx, gy)
        blur3, blur6, blur10 = (
            cv2.GaussianBlur(luma, (0, 0), s, borderType=cv2.BORDER_REFLECT) for s in (3.0, 6.0, 10.0)
        )
        return cls(rgb, gen, skip, factor, work, work_gen, work_skip, structure, blur3 - blur10, luma - blur6)

    def work_valid(self, generated: bool) -> np.ndarray:
        """Work pixels wholly generated (or wholly photo), not ignored."""
        ok = self.work_gen > 0.99 if generated else self.work_gen < 0.01
        return ok if self.work_skip is None else ok & ~self.work_skip

    def oriented(self, side: str) -> Oriented:
        """Every plane turned so that ``side``'s band is at the top (row 0 = the frame's edge)."""

        def turn(a: np.ndarray | None) -> np.ndarray | None:
            if a is None:
                return None
            if side in ("left", "right"):
                a = np.swapaxes(a, 0, 1)
            return a[::-1] if side in ("bottom", "right") else a

        return Oriented(
            rgb=turn(self.rgb),  # type: ignore[arg-type]
            gen=turn(self.gen),  # type: ignore[arg-type]
            skip=turn(self.skip),
            factor=self.factor,
            work_rgb=turn(self.work_rgb),  # type: ignore[arg-type]
            work_gen=turn(self.work_gen),  # type: ignore[arg-type]
            work_skip=turn(self.work_skip),
            structure=turn(self.structure),  # type: ignore[arg-type]
            shapes=turn(self.shapes),  # type: ignore[arg-type]
            texture=turn(self.texture),  # type: ignore[arg-type]
        )


def _reduce(plane: np.ndarray, k: int) -> np.ndarray:
    """Mean of each k×k block (the plane padded by edge replication to a multiple of k)."""
    h, w = plane.shape[:2]
    padded = cv2.copyMakeBorder(plane, 0, -h % k, 0, -w % k, cv2.BORDER_REPLICATE)
    size = (padded.shape[1] // k, padded.shape[0] // k)
    return cv2.resize(padded, size, interpolation=cv2.INTER_AREA)
