"""One item of channel words → spec names, plus the notes and questions its reading needs.

Explicit beats implicit: an explicit ratio or size decides; names and platform words only narrow
among the specs of that shape (they never add a family), and orientation words only filter. When
several specs fit, the default-set ones compete first (the catalogue's preferred reading); two of
them left is a question for the person, anything else is named in a note.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.planner import vocabulary as v
from bot.planner.intent import Ask
from bot.planner.shapes import Shape
from pipeline.specs import CONTRACT_SPECS, SPECS, ChannelSpec, get_spec

_INDEX = {spec.name: n for n, spec in enumerate(SPECS)}
IAB_CORE = [s.name for s in SPECS if "iab-core" in s.groups]
# What an ambiguous noun can mean, the plan's default reading first: (button label, specs).
READINGS: dict[str, list[tuple[str, list[str]]]] = {
    "banner": [
        (f"the IAB set ({len(IAB_CORE)} sizes)", IAB_CORE),
        ("leaderboard 728×90", ["iab-leaderboard"]),
        ("medium rectangle 300×250", ["iab-medium-rectangle"]),
        ("billboard 970×250", ["iab-billboard"]),
        ("mobile banner 320×50", ["iab-mobile-banner"]),
    ],
    "billboard": [
        ("IAB billboard 970×250", ["iab-billboard"]),
        ("DOOH screen 1920×1080", ["dooh-landscape"]),
        ("OOH bulletin 14×48 ft", ["ooh-bulletin-14x48"]),
    ],
    "masthead": [
        ("YouTube banner 2560×1440", ["youtube-banner"]),
        ("IAB billboard 970×250", ["iab-billboard"]),
    ],
    "hero": [
        ("both web heroes", ["landing-hero", "web-hero-21x9"]),
        ("landing hero 16:9", ["landing-hero"]),
        ("web hero 21:9", ["web-hero-21x9"]),
    ],
}


@dataclass
class Item:
    """The channel words of one list item ("IAB 300x250 728x90", "a wide banner for the website")."""

    specs: list[str] = field(default_factory=list)  # named specs
    groups: list[str] = field(default_factory=list)  # platform and kind words
    nouns: list[str] = field(default_factory=list)  # ambiguous nouns, singular ("banner", "billboard")
    shapes: list[Shape] = field(default_factory=list)
    words: list[str] = field(default_factory=list)  # as written, for notes
    all: bool = False
    usual: bool = False
    family: bool = False  # "set", "sizes": a family, not one deliverable
    lead: str = ""  # the separator before it ("," "and" …)
    double: bool = False  # "2x" / "retina" written in it
    excluded: bool = False  # "except print": channels to leave out
    context: list[str] = field(default_factory=list)  # a neighbour's specs, for a bare shape

    @property
    def empty(self) -> bool:
        return not (self.specs or self.groups or self.nouns or self.shapes or self.all or self.usual)


def resolve(item: Item, notes: list[str], asks: list[Ask]) -> list[str]:
    """The specs an item names (in order), adding notes and questions where it is read loosely."""
    explicit = [s for s in item.shapes if s.explicit]
    filters = [s for s in item.shapes if not s.explicit]
    if explicit:
        return _by_shape(item, explicit, filters, notes, asks)
    out = [_on_platform(name, item.groups, notes) for name in item.specs]
    for noun in item.nouns:
        if not any(name in specs for _, specs in READINGS[noun] for name in item.specs):
            out += _noun(noun, item, filters, notes, asks)  # ("hero image for the landing page": named)
    if out:
        return _unique(out)
    if item.groups:
        return _unique(_family(item, filters))
    if filters:  # "portrait" alone: the orientation picks, like a ratio would
        near = [get_spec(n) for n in item.context]
        for found in filters:
            fits = [s for s in SPECS if found.matches(s)]
            inherited = [s for s in near if s in fits]  # "LinkedIn square + landscape": LinkedIn's
            out += _choose(found.label, inherited or fits, None, notes, asks)
    return _unique(out)


def _by_shape(
    item: Item, explicit: list[Shape], filters: list[Shape], notes: list[str], asks: list[Ask]
) -> list[str]:
    out: list[str] = []
    named = [n for n in item.specs if any(s.matches(get_spec(n)) for s in explicit)]
    pool = _pointed(item)
    for found in explicit:
        hit = [n for n in named if found.matches(get_spec(n))]
        if hit:  # "1080x1920 story": the name says which
            out += hit
            continue
        fits = [s for s in SPECS if found.matches(s)]
        fits = [s for s in fits if all(f.matches(s) for f in filters)] or fits
        if not fits and not (pool and found.size):
            notes.append(f"no channel spec is {found.label}; left out (see `keyart specs`)")
            continue
        if pool is None:
            near = set(item.context)
            inherited = [s for s in fits if s.name in near]  # "IAB 300x250, 728x90": still IAB
            out += _choose(found.label, inherited or fits, fits if inherited else None, notes, asks)
            continue
        pointed = [s for s in fits if s.name in pool]
        if not pointed and found.size:
            # "DV360 300x250": DV360 units are uploaded at 2× the IAB size they stand for.
            w, h = found.size
            pointed = [get_spec(n) for n in pool if get_spec(n).size == (2 * w, 2 * h)]
        if pointed:
            out += _choose(found.label, pointed, fits, notes, asks, said=" ".join(item.words))
        elif fits:
            words = " ".join(item.words)
            notes.append(f"no {words} spec is {found.label}: the size decides")
            out += _choose(found.label, fits, None, notes, asks)
        else:
            where = f" among {', '.join(sorted({get_spec(n).platform for n in pool}))} specs" if pool else ""
            notes.append(f"no channel spec is {found.label}{where}; left out (see `keyart specs`)")
    return out


def _on_platform(name: str, groups: list[str], notes: list[str]) -> str:
    """ "an MREC for DV360", "a story for TikTok": the platform's spec of that size (or its 2× upload)."""
    platforms = [g for g in groups if g in v.PLATFORM_GROUPS]
    spec = get_spec(name)
    if not platforms or set(platforms) & set(spec.groups):
        return name
    w, h = spec.size
    mates = [s for s in members(platforms) if set(platforms) & set(s.groups)]
    twin = next((s for size in ((w, h), (2 * w, 2 * h)) for s in mates if s.size == size), None)
    if twin is None:
        return name
    notes.append(f"read `{name}` for {', '.join(platforms)} as `{twin.name}` ({twin.width}×{twin.height})")
    return twin.name


def _pointed(item: Item) -> set[str] | None:
    """Spec names the item's words point to (None when there are no such words)."""
    pool: set[str] = set()
    for name in item.specs:  # "21:9 LP hero": the name narrows to its family
        pool |= {s.name for s in SPECS if set(s.groups) & set(get_spec(name).groups)}
    for noun in item.nouns:
        pool |= {n for _, specs in READINGS[noun] for n in specs}
    if item.groups:
        pool |= {s.name for s in members(item.groups)}
    return pool if (item.specs or item.nouns or item.groups) else None


def members(groups: list[str]) -> list[ChannelSpec]:
    """Platforms widen, kinds narrow: "Instagram feed" is Instagram's feeds; no overlap → any of them."""
    platforms = [g for g in groups if g in v.PLATFORM_GROUPS]
    kinds = [g for g in groups if g not in v.PLATFORM_GROUPS]
    both = [
        s
        for s in SPECS
        if (not platforms or set(platforms) & set(s.groups)) and all(k in s.groups for k in kinds)
    ]
    return both or [s for s in SPECS if set(groups) & set(s.groups)]


def _family(item: Item, filters: list[Shape]) -> list[str]:
    # Context words ("web", "display") stand for their group only when nothing else is named.
    groups = [g for g in item.groups if g not in v.CONTEXT_GROUPS] or item.groups
    found = [s for s in members(groups) if all(f.matches(s) for f in filters)] or members(groups)
    core = [s.name for s in found if s.name in CONTRACT_SPECS]
    return [s.name for s in found] if item.all or not core else core


def _noun(noun: str, item: Item, filters: list[Shape], notes: list[str], asks: list[Ask]) -> list[str]:
    """ "a banner", "billboard": the readings the other words allow; more than one is a question."""
    groups = [g for g in item.groups if g not in v.CONTEXT_GROUPS]
    allowed = {s.name for s in members(groups)} if groups else None
    readings: list[tuple[str, list[str]]] = []
    for label, specs in READINGS[noun]:
        kept = [
            n
            for n in specs
            if (allowed is None or n in allowed) and all(f.matches(get_spec(n)) for f in filters)
        ]
        if kept and all(kept != k for _, k in readings):
            if kept != specs:  # "a wide banner": the set's wide sizes only
                label = f"{label.split(' (')[0]} ({len(kept)} sizes)" if len(kept) > 1 else _label(kept)
            readings.append((label, kept))
    if not readings:
        return _family(item, filters) if item.groups else []
    if len(readings) > 1:
        labels = [label for label, _ in readings]
        text = f"{noun.capitalize()} — {', '.join(labels[:-1])} or {labels[-1]}?"
        note = f"read “{noun}” as {readings[0][0]}; also: {'; '.join(labels[1:])} — name one to get it"
        notes.append(note)
        asks.append(Ask(text, [(label, tuple(specs)) for label, specs in readings], note))
    return readings[0][1]


def _choose(
    label: str,
    pointed: list[ChannelSpec],
    fits: list[ChannelSpec] | None,
    notes: list[str],
    asks: list[Ask],
    said: str = "",
) -> list[str]:
    """The best of ``pointed``; a question if two default-set specs tie, else a note naming the rest."""
    if not pointed:
        return []
    tier = sorted([s for s in pointed if s.name in CONTRACT_SPECS] or pointed, key=lambda s: _INDEX[s.name])
    best = tier[0]
    others = [s for s in sorted(fits or pointed, key=lambda s: _INDEX[s.name]) if s.name != best.name]
    if not others:
        return [best.name]
    lead = f"{label} {said}: made `{best.name}`" if said else f"read {label} as `{best.name}`"
    note = (
        f"{lead} ({best.width}×{best.height}); also {label}: "
        f"{', '.join(f'`{s.name}`' for s in others[:3])}{' …' if len(others) > 3 else ''}"
        " — name one to get it"
    )
    notes.append(note)
    if len(tier) > 1:
        shown = tier[:5]
        names = [_short(s) for s in shown]
        text = f"{label} — {', '.join(names[:-1])} or {names[-1]}?"
        asks.append(Ask(text[:150], [(_label([s.name]), (s.name,)) for s in shown], note))
    return [best.name]


def _short(spec: ChannelSpec) -> str:
    """ "Landing-page hero 16:9" → "Landing-page hero": the question already says the ratio."""
    words = spec.label.split()
    return " ".join(words[:-1]) if len(words) > 1 and ":" in words[-1] else spec.label


def _label(names: list[str]) -> str:
    """A button label: "YouTube thumbnail 1280×720"."""
    if len(names) > 1:
        return " + ".join(get_spec(n).name for n in names)[:60]
    spec = get_spec(names[0])
    return f"{_short(spec)} {spec.width}×{spec.height}"[:60]


def _unique(names: list[str]) -> list[str]:
    return list(dict.fromkeys(names))
