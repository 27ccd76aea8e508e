"""The corpus's vocabulary: a :class:`Case` (a request and the plan it should produce) and helpers.

Plain data shared by every planner's tests: the LLM-planner test replays cases through a fake chat
model and scores with ``tests/planner/scoring.py``. Each case says, per variant, the op lineage from
the master (shared edits first: ``("swap", "fit", "export")`` for a JP copy built on the swap), a
few expected parameters, note substrings, the questions the plan must ask back (``asks``), or the
``BadRequest`` it should raise. ``decision`` records how an ambiguous phrasing is read, so both
planners read it the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

META = ("meta-feed-square", "meta-feed-portrait", "story")
FEEDS = ("meta-feed-square", "meta-feed-portrait")
IAB_CORE = (
    "iab-medium-rectangle",
    "iab-leaderboard",
    "iab-wide-skyscraper",
    "iab-half-page",
    "iab-mobile-banner",
    "iab-billboard",
)
IAB_ALL = (*IAB_CORE, "iab-large-rectangle", "iab-super-leaderboard", "iab-large-mobile-banner")
DEFAULT = (
    "meta-feed-square",
    "meta-feed-portrait",
    "story",
    "landing-hero",
    "web-hero-21x9",
    "youtube-thumbnail",
    "linkedin-single",
    *IAB_CORE,
    "print-a4-300dpi",
)
STORYBOARD_REQUEST = (
    "Meta set, stories, IAB 300x250 728x90 160x600 and the 21:9 hero; JP version with a Tokyo skyline at dusk"
)
STORYBOARD = (
    "meta-feed-square",
    "meta-feed-portrait",
    "story",
    "iab-medium-rectangle",
    "iab-leaderboard",
    "iab-wide-skyscraper",
    "web-hero-21x9",
)


def chains(
    specs: Iterable[str],
    *middle: str,
    edits: tuple[str, ...] = (),
    market: str = "",
    frame: str = "fit",
) -> dict[str, tuple[str, ...]]:
    """Expected lineage per variant: shared edits, ``frame`` (fit or variant), the ops in between, export."""
    return {f"{spec}-{market}" if market else spec: (*edits, frame, *middle, "export") for spec in specs}


@dataclass(frozen=True)
class Ask:
    """A question the plan must carry: made with ``chosen``, offering each of ``others``."""

    chosen: tuple[str, ...]
    others: tuple[tuple[str, ...], ...]


def ask(chosen: str | tuple[str, ...], *others: str | tuple[str, ...]) -> Ask:
    def specs(value: str | tuple[str, ...]) -> tuple[str, ...]:
        return (value,) if isinstance(value, str) else tuple(value)

    return Ask(specs(chosen), tuple(specs(o) for o in others))


@dataclass(frozen=True)
class Case:
    request: str
    variants: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # "variant:op" or shared "op"
    notes: tuple[str, ...] = ()  # each must appear (case-insensitive) in some note
    error: str | None = None  # the request must raise BadRequest containing this
    engine: str = "classical"
    has_brand_kit: bool = False
    max_variants: int = 60
    tags: tuple[str, ...] = ()
    decision: str = ""
    asks: tuple[Ask, ...] = ()  # the questions the plan must carry (none when empty)
