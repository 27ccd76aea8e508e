"""What the rule planner understood from a request, before it becomes plan steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Swap:
    """Replace the background: with a colour (any engine) or a described scene (diffusion only)."""

    text: str  # as the person wrote it ("a Tokyo skyline at dusk")
    colour: str | None = None  # #RRGGBB when the description is just a colour


@dataclass
class Ask:
    """A reading left open: the plan is made with ``options[0]``; the person may pick another."""

    text: str  # "16:9 — landing hero or YouTube thumbnail?"
    options: list[tuple[str, tuple[str, ...]]]  # (label, spec names)
    note: str = ""  # the plan note that explains the default


@dataclass
class Tweak:
    """A per-variant setting or step (fit preference, upscale, harmonize, brand, export options).

    ``specs`` limits it to those channels; ``None`` means every variant.
    """

    op: str
    params: dict[str, Any] = field(default_factory=dict)
    specs: tuple[str, ...] | None = None


@dataclass
class Market:
    """A second set of variants, ``<spec>-<code>``, optionally on its own background and copy."""

    code: str
    swap: Swap | None = None
    cta: str | None = None
    specs: tuple[str, ...] | None = None  # "JP version of the story": only these; None = every target


@dataclass
class Intent:
    targets: list[str] = field(default_factory=list)  # spec names, in the order asked
    edits: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # clean/recolor on the master
    swap: Swap | None = None  # the base set's background
    tweaks: list[Tweak] = field(default_factory=list)
    markets: list[Market] = field(default_factory=list)
    brand_declined: bool = False
    wants_all: bool = False  # "all" / "everything" with no channel named: the default set
    notes: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # instructions cut out by the guard
    asks: list[Ask] = field(default_factory=list)  # readings to confirm (Slack asks, the CLI prints)
    removals: list[str] = field(default_factory=list)  # named things to take out of the photo
    excluded: list[str] = field(default_factory=list)  # "everything except print"
    logo_removed: bool = False  # a logo/text/watermark in the photo is to go: never add the kit's logo
    understood: list[str] = field(default_factory=list)  # short labels, for the "nothing to do" message

    def add_targets(self, specs: list[str]) -> None:
        for name in specs:
            if name not in self.targets:
                self.targets.append(name)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def market(self, code: str) -> Market:
        for market in self.markets:
            if market.code == code:
                return market
        self.markets.append(Market(code))
        return self.markets[-1]

    @property
    def has_work(self) -> bool:
        """Anything that changes pixels beyond the plain fit → export chain."""
        return bool(self.edits or self.swap or self.tweaks or self.markets)
