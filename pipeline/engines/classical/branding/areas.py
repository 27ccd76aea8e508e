"""Where brand may draw, and at what sizes: the layout's panel, the safe zone, copy and logo sizes."""

from __future__ import annotations

import math
from typing import Any

from PIL import Image

from pipeline.engines.classical.branding.placement import Area, IntBox
from pipeline.specs import ChannelSpec

OFF_PANEL = 0.6  # with a designed panel, copy on the photo is a last resort
TEXT_START = 0.05  # starting copy size as a fraction of sqrt(width × height)
MIN_TEXT_PX = 10  # below this, copy is not readable on a phone whatever the format
MIN_TEXT_SHARE = 0.022  # … and below this share of the short side, not at the format's viewing size
MIN_LOGO_PX, MIN_LOGO_SHARE = 12, 0.04
PANEL_LOGO = 0.3
BANNER_HEIGHT = 300
PANEL_KEEP = 0.5  # a panel keeps the safe zone's insets when that leaves it at least half its area


def _inset(box: IntBox, by: int) -> IntBox:
    return (box[0] + by, box[1] + by, box[2] - by, box[3] - by)


def _area(box: IntBox) -> int:
    return max(0, box[2] - box[0]) * max(0, box[3] - box[1])


def areas_for(
    safe: IntBox, layout: dict[str, Any] | None, size: tuple[int, int]
) -> tuple[list[Area], list[str]]:
    """The areas to search, best first: the layout's panel (with a margin), then the safe zone."""
    sw, sh = safe[2] - safe[0], safe[3] - safe[1]
    in_safe = Area(_inset(safe, max(2, round(0.03 * min(sw, sh)))), on_panel=False)
    panel = layout.get("panel_box") if layout else None
    if not panel:
        return [in_safe], []
    px0, py0, px1, py1 = (round(v) for v in panel)
    whole = (max(0, px0), max(0, py0), min(size[0], px1), min(size[1], py1))
    clipped = (max(whole[0], safe[0]), max(whole[1], safe[1]), min(whole[2], safe[2]), min(whole[3], safe[3]))
    notes = []
    if _area(clipped) >= PANEL_KEEP * _area(whole):
        usable = clipped
    else:
        usable = whole
        notes.append("the safe zone's insets leave too little of the panel: the whole panel is used")
    margin = max(4, round(0.06 * min(usable[2] - usable[0], usable[3] - usable[1])))
    on_panel = _inset(usable, margin)
    if _area(on_panel) == 0 or on_panel[2] <= on_panel[0] or on_panel[3] <= on_panel[1]:
        return [in_safe], ["the layout's panel is too small to hold anything: using the safe zone"]
    return [Area(on_panel, on_panel=True), Area(in_safe.box, on_panel=False, penalty=OFF_PANEL)], notes


def min_copy_px(spec: ChannelSpec) -> int:
    """The smallest legible copy size for the format (~9–10 CSS px where the asset is shown)."""
    return max(MIN_TEXT_PX, round(MIN_TEXT_SHARE * min(spec.width, spec.height)))


def start_copy_px(spec: ChannelSpec, area: IntBox, wide: bool, on_panel: bool = False) -> int:
    """The size copy is designed at before any shrinking.

    Over the photo it is set by the frame's area; banners (wide, ≤ 300 px tall) set a line a third
    of their height, which their area alone would make unreadably small. A layout's panel is there
    to carry the copy: it is set as a headline, a third of the panel's height or an eighth of its
    width (a sixth, on a tall panel, where the copy stacks), whichever is smaller.
    """
    aw, ah = area[2] - area[0], area[3] - area[1]
    by_area = round(TEXT_START * math.sqrt(spec.width * spec.height))
    by_height = round(ah / 3) if wide and spec.height <= BANNER_HEIGHT else 0
    by_panel = round(min(ah / 3, aw / (8 if aw >= ah else 6))) if on_panel else 0
    return max(min_copy_px(spec), by_area, by_height, by_panel)


def min_logo_side(spec: ChannelSpec) -> int:
    """The smallest logo worth placing: 4 % of the frame's short side, and never under 12 px."""
    return max(MIN_LOGO_PX, round(MIN_LOGO_SHARE * min(spec.width, spec.height)))


def wanted_logo(
    logo: Image.Image, want_w: float, area: IntBox, wide: bool, on_panel: bool = False
) -> tuple[int, int]:
    """The logo's size before any fallback: ``want_w`` wide (on a layout's panel, at least
    ``PANEL_LOGO`` of the panel's short side: the panel is there to carry the brand), within the area
    (a row: 80 % of its height; a stack: 40 %, leaving room for the copy)."""
    aw, ah = area[2] - area[0], area[3] - area[1]
    if on_panel:
        want_w = max(want_w, PANEL_LOGO * min(aw, ah))
    scale = min(want_w / logo.width, aw / logo.width, (0.8 if wide else 0.4) * ah / logo.height)
    return max(1, math.floor(logo.width * scale)), max(1, math.floor(logo.height * scale))
