"""A JPEG saved twice: find the history that made the file, so texture is compared like for like.

The texture check encodes its reference like the variant (the file's own tables) so that what the
encoder removes is removed from both sides. A file saved twice — a crop exported at q90, then
re-saved at q85 by someone's tool — carries the second save's tables only, and the two rounds of
quantisation leave grain a single save does not (measured: ×1.3–1.9 on the wavelet grain of plain
crops of six photos, sharpness up to ×1.9), so honest re-saved crops failed texture.

When texture fails a JPEG, the reference is also encoded through plausible first saves (q70–q98,
then the file's tables). A history is taken only when it reproduces the variant's *pixels* clearly
better than one save does (mean squared luma difference at most ``CLOSER`` of the single save's):
that is what a re-save looks like. Added grain, blur, denoise or smear move the pixels away from
every history alike, so they still fail on the reference of one save.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from PIL import Image

from pipeline.audit import colorspace
from pipeline.audit.encoding import Encoding, encode_as, encode_like
from pipeline.audit.pair import Pair

FIRST_SAVES = (70, 75, 80, 85, 88, 90, 92, 94, 95, 96, 98)
CLOSER = 0.5  # a history must halve the single save's pixel difference to count


def _difference(variant_luma: np.ndarray, reference: np.ndarray, mask: np.ndarray | None) -> float:
    diff = (variant_luma - colorspace.luma(reference)) ** 2
    return float(diff[mask].mean() if mask is not None else diff.mean())


def resaved_pair(pair: Pair, raw_reference: Image.Image) -> tuple[Pair, dict[str, Any]] | None:
    """``pair`` with its reference encoded through the first save that best explains the file, and a
    record of the finding; None when the file is not a JPEG or no history explains it better."""
    encoding: Encoding = pair.encoding
    if encoding.format != "jpeg" or encoding.qtables is None:
        return None
    single = _difference(pair.variant_luma, pair.reference, pair.compare)
    best: tuple[float, int, np.ndarray] | None = None
    for quality in FIRST_SAVES:
        options: dict[str, Any] = {"quality": quality}
        if encoding.subsampling is not None and encoding.subsampling >= 0:
            options["subsampling"] = encoding.subsampling
        first, _ = encode_as(raw_reference, "jpeg", **options)
        twice = np.asarray(encode_like(first, encoding)[0])
        difference = _difference(pair.variant_luma, twice, pair.compare)
        if best is None or difference < best[0]:
            best = (difference, quality, twice)
    if best is None or best[0] > CLOSER * single:
        return None
    difference, quality, twice = best
    record = {
        "resaved": True,
        "first_save_quality": quality,
        "pixel_difference": round(difference, 3),
        "single_save_difference": round(single, 3),
    }
    return replace(pair, reference=twice), record
