"""Which raster formats this installation decodes, and how to say so.

PNG, JPEG, TIFF, WebP, GIF and BMP come with Pillow. AVIF needs a Pillow built with libavif (the
PyPI wheels are); HEIC/HEIF (phone photos) needs the ``heic`` extra, ``pillow-heif``, kept out of the
base install because its wheels bundle the GPL-licensed x265 encoder (~26 MB installed).
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache

from PIL import features


@lru_cache(maxsize=1)
def heif_available() -> bool:
    return importlib.util.find_spec("pillow_heif") is not None


@lru_cache(maxsize=1)
def avif_available() -> bool:
    return bool(features.check("avif"))


def accepted_names() -> list[str]:
    """The formats people may upload here, in the order messages list them."""
    names = ["PNG", "JPEG", "TIFF", "WebP"]
    names += ["AVIF"] if avif_available() else []
    names += ["HEIC"] if heif_available() else []
    return [*names, "GIF", "BMP"]


def accepted() -> str:
    """``Use PNG, JPEG, … or BMP.`` for refusals."""
    names = accepted_names()
    return f"Use {', '.join(names[:-1])} or {names[-1]}."


def unavailable(kind: str) -> str | None:
    """Completes "`x` is …" when ``kind`` is recognised but this installation cannot decode it."""
    if kind == "HEIF" and not heif_available():
        return (
            "a HEIC/HEIF photo, and this installation can't read HEIC: install the `heic` extra "
            "(`pip install 'keyart[heic]'`) or export it as JPEG or PNG."
        )
    if kind == "AVIF" and not avif_available():
        return (
            "an AVIF image, and this installation's Pillow was built without AVIF: upgrade Pillow "
            "(its PyPI wheels include AVIF) or export it as JPEG or PNG."
        )
    return None
