"""Logo and copy compositing for the `brand` op (deterministic, never AI).

- :mod:`.fonts`: which of the kit's fonts covers the copy (fontTools cmap), layout engine choice.
- :mod:`.wrapping`: copy over several lines with balanced breaks.
- :mod:`.calm`: how busy the picture is under a box.
- :mod:`.placement` / :mod:`.arrange`: the search for a spot that never covers a face or product.
- :mod:`.legibility`: WCAG contrast against the pixels under the glyphs; scrim and colour choice.
- :mod:`.compose`: drawing the chosen spot and measuring the result.
"""

from pipeline.engines.classical.branding.legibility import (
    TARGET_CONTRAST,
    contrast,
    hex_rgb,
    relative_luminance,
    worst_contrast,
)

__all__ = ["TARGET_CONTRAST", "contrast", "hex_rgb", "relative_luminance", "worst_contrast"]
