"""Pixels in and out of the blob store, and the JSON-safe form of op records."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from storage.blobs import BlobStore

# Intermediate (non-delivered) images are stored as fast, lossless PNG.
_INTERMEDIATE_PNG = {"format": "PNG", "compress_level": 1}


def encode_intermediate(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, **_INTERMEDIATE_PNG)  # type: ignore[arg-type]
    return buffer.getvalue()


def load_stored_image(blobs: BlobStore, key: str) -> Image.Image:
    """Decode an image keyart itself stored (already validated and normalised when it entered)."""
    with blobs.open(key) as f:
        decoded = Image.open(f)
        decoded.load()
    image: Image.Image = decoded
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    return image


def store_mask(blobs: BlobStore, mask: np.ndarray) -> str:
    """Store a 0–1 mask as an 8-bit PNG; returns its blob key."""
    pixels = np.clip(np.asarray(mask, dtype=np.float32) * 255 + 0.5, 0, 255).astype(np.uint8)
    return blobs.put_bytes(encode_intermediate(Image.fromarray(pixels, "L")))


def load_mask(blobs: BlobStore, key: str) -> np.ndarray:
    with blobs.open(key) as f:
        return np.asarray(Image.open(f).convert("L"), dtype=np.float32) / 255.0


def jsonable(value: Any) -> Any:
    """Make an op's ``record`` safe for a JSON column (numpy, tuples, paths, images)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist() if value.size <= 64 else f"<array {value.shape}>"
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Image.Image):
        return f"<image {value.size[0]}x{value.size[1]}>"
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
