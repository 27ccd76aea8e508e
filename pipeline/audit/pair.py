"""A variant and its reference (the master warped to its geometry, encoded like it), with the
derived planes every check reads, computed once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from pipeline.audit import colorspace
from pipeline.audit.encoding import Encoding
from pipeline.audit.measures import shrink_mask
from pipeline.ops.base import Geometry

SEAM_MARGIN = 4  # px of master pixels left out beside generated / designed ones


@dataclass
class Pair:
    variant: np.ndarray  # (H, W, 3) uint8 sRGB
    reference: np.ndarray  # same shape: aligned master, encoded like the variant
    geometry: Geometry
    encoding: Encoding
    generated: np.ndarray | None = None  # True where pixels were generated (expand / swap)
    overlay: np.ndarray | None = None  # True where brand put logo / copy / scrim: never compared
    designed: np.ndarray | None = (
        None  # True where pixels were designed (layout panels, brand): never compared
    )

    def __post_init__(self) -> None:
        if self.variant.shape != self.reference.shape:
            raise ValueError(f"variant {self.variant.shape} and reference {self.reference.shape} differ")
        if self.generated is not None and self.excluded is not None:
            self.generated = self.generated & ~self.excluded

    @cached_property
    def excluded(self) -> np.ndarray | None:
        """Pixels put there on purpose (brand's overlay, designed panels): in no photo comparison."""
        masks = [m for m in (self.overlay, self.designed) if m is not None]
        return None if not masks else masks[0] if len(masks) == 1 else np.logical_or(*masks)

    @cached_property
    def compare(self) -> np.ndarray | None:
        """Where the variant shows master pixels (None: everywhere), ``SEAM_MARGIN`` px clear of
        generated and designed ones: the encoder bleeds across that edge (JPEG's half-resolution
        chroma turned the 4 px of a skyscraper's photo beside a blue panel +180 K bluer)."""
        masks = [m for m in (self.generated, self.excluded) if m is not None]
        if not masks:
            return None
        master = ~np.logical_or.reduce(masks) if len(masks) > 1 else ~masks[0]
        inner = shrink_mask(master, SEAM_MARGIN)
        return inner if inner is not None and int(inner.sum()) >= 256 else master

    @property
    def generated_fraction(self) -> float:
        return 0.0 if self.generated is None else float(self.generated.mean())

    @property
    def overlay_fraction(self) -> float:
        return 0.0 if self.overlay is None else float(self.overlay.mean())

    @property
    def designed_fraction(self) -> float:
        """Share of the frame designed on purpose: layout panels and brand's logo, copy and scrim."""
        return 0.0 if self.excluded is None else float(self.excluded.mean())

    @cached_property
    def variant_linear(self) -> np.ndarray:
        return colorspace.to_linear(self.variant)

    @cached_property
    def reference_linear(self) -> np.ndarray:
        return colorspace.to_linear(self.reference)

    @cached_property
    def variant_luma(self) -> np.ndarray:
        return colorspace.luma(self.variant)

    @cached_property
    def reference_luma(self) -> np.ndarray:
        return colorspace.luma(self.reference)

    @cached_property
    def cast_gains(self) -> np.ndarray:
        """Per-channel linear gains taking the variant's grey world onto the reference's."""
        if self.compare is not None and not self.compare.any():
            return np.ones(3)  # every pixel generated or designed: no white balance to compare
        ref = colorspace.grey_world(self.reference_linear, self.compare, linear=True)
        var = colorspace.grey_world(self.variant_linear, self.compare, linear=True)
        if float(ref @ colorspace.Y_WEIGHTS) < 1e-4 or float(var @ colorspace.Y_WEIGHTS) < 1e-4:
            return np.ones(3)  # black (or near): no light whose balance could be compared
        return ref / np.maximum(var, 1e-6)

    @cached_property
    def chroma_gains(self) -> np.ndarray:
        """``cast_gains`` with their luminance-weighted mean scaled to 1: the white-balance part of
        the difference only, so that the overall level (exposure, crushed whites) is left alone."""
        gains = self.cast_gains
        return gains / float(gains @ colorspace.Y_WEIGHTS)

    @cached_property
    def variant_balanced(self) -> np.ndarray:
        """The variant in linear light with its global white-balance difference divided out:
        what the luminance check reads, so that a colour cast (the colour check's finding) does not
        also move the L* of saturated pixels into a luminance failure."""
        return self.variant_linear * self.chroma_gains.astype(np.float32)
