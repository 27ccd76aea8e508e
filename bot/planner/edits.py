"""Recognisers for the shared edits on the master: swap the background, recolour, clean.

Each reads one clause, marks the tokens it used and returns what it found; none of them decides
engines or builds steps (``build.py`` does).
"""

from __future__ import annotations

from typing import Any

from bot.planner import vocabulary as v
from bot.planner.intent import Swap
from bot.planner.phrases import LINKERS, colour_at, description_end, is_keyword, plain_colour
from bot.planner.text import ARTICLES, Clause

_AFTER_BACKGROUND = frozenset(
    {"swapped", "replaced", "changed", "switched", "set", "swap", "becomes", "replacement"}
)
_SWAP_LINKERS = (LINKERS - {"of", "showing", "featuring"}) | {"="}
_SUBJECT_WORDS = frozenset(
    {"subject", "person", "model", "product", "figure", "people", "character", "him", "her", "it", "talent"}
)
_CLEAN_BACK = v.REMOVE_VERBS | ARTICLES | {"any", "all", "up", "of", "rid", "the", "stray", "tiny", "small"}
_CLEAN_FORWARD = v.CLEAN_OBJECTS | ARTICLES | {"up", "any", "all", "stray", "tiny", "small", "little"}


def read_swap(c: Clause) -> Swap | None:
    """Background swaps: "replace the background with X", "new background: X", "on a white background"."""
    for i, tok in enumerate(c.tokens):
        if not c.free(i) or tok.low not in v.BACKGROUND_WORDS:
            continue
        trigger = next((j for j in range(max(0, i - 4), i) if c.free(j) and c.low(j) in v.SWAP_WORDS), None)
        k = i + 1
        after = c.low(k) in _AFTER_BACKGROUND
        k += 1 if after else 0
        if c.low(k) in _SWAP_LINKERS and (trigger is not None or after or c.low(k) in (":", "→", "=")):
            end = description_end(c, k + 1)
            text = c.span(k + 1, end)
            c.use(k + 1, end, "description")
            c.use(trigger if trigger is not None else i, k + 1, "swap")
            return Swap(text, plain_colour(text))
        colour = _colour_before(c, i)
        if colour is not None:
            return colour
        if trigger is not None and c.low(trigger) in ("swap", "replace", "switch"):
            c.use(trigger, i + 1, "swap")  # "swap the background" — to what? (build.py asks)
            return Swap("")
    return None


def _colour_before(c: Clause, i: int) -> Swap | None:
    # "on a white background" / "against #000000 backdrop": a plain colour right before the word.
    for n in (2, 1):
        found = colour_at(c, i - n)
        if found and found[1] == n:
            start = i - n
            while c.free(start - 1) and c.low(start - 1) in ARTICLES | {
                "on",
                "against",
                "with",
                "over",
                "plain",
            }:
                start -= 1
            if start == i - n:
                return None
            c.use(start, i + 1, "swap")
            return Swap(c.span(i - n, i), found[0])
    return None


def read_recolors(c: Clause, notes: list[str]) -> list[dict[str, Any]]:
    """Recolours: "recolor the jacket to #FFD400", "change the colour of the jacket to yellow"."""
    found: list[dict[str, Any]] = []
    for i, tok in enumerate(c.tokens):
        explicit = tok.low in v.RECOLOR_WORDS
        if not c.free(i) or not (
            explicit or tok.low in {"change", "make", "turn", "paint", "colour", "color"}
        ):
            continue
        j, obj, colour = i + 1, [], None
        while c.free(j) and j <= i + 8:
            colour = colour_at(c, j)
            if colour or (is_keyword(c, j) and c.low(j) not in ("colour", "color")):
                break
            obj.append(j)
            j += 1
        if colour is None:
            if explicit:
                notes.append(f"`{tok.text}` needs a colour (#RRGGBB or a name such as yellow); left out")
                c.use(i, i + 1, "recolor")
            continue
        words = [
            c.tokens[k]
            for k in obj
            if c.low(k) not in ARTICLES | {"colour", "color", "of", "to", "into", "in", "as", "hue"}
        ]
        region = "subject"
        if any(w.low in v.BACKGROUND_WORDS for w in words):
            region = "background"
        elif words and not any(w.low in _SUBJECT_WORDS for w in words):
            what = " ".join(w.text for w in words)
            notes.append(
                f"recolouring the subject region for “{what}”: I can't isolate that by name, so the "
                "whole subject shifts — attach a mask to limit it"
            )
        c.use(i, j + colour[1], "recolor")
        found.append({"region": region, "target_color": colour[0]})
    return found


def read_clean(c: Clause) -> bool:
    """Cleaning: "remove the specks", "clean up the dust", "get rid of the spots", "despeckle"."""
    hit = False
    for i, tok in enumerate(c.tokens):
        if not c.free(i) or not (tok.low in v.CLEAN_WORDS or tok.low in v.CLEAN_OBJECTS):
            continue
        start, end = i, i + 1
        while c.free(start - 1) and c.low(start - 1) in _CLEAN_BACK:
            start -= 1
        while c.free(end) and (
            c.low(end) in _CLEAN_FORWARD or (c.low(end) == "and" and c.low(end + 1) in v.CLEAN_OBJECTS)
        ):
            end += 1
        # "clean up the master", "remove the dust from the hero image": the source, not a channel.
        if c.low(end) in ("from", "on", "in") or tok.low in v.CLEAN_WORDS:
            j = c.skip(end + (1 if c.low(end) in ("from", "on", "in") else 0))
            while c.free(j) and c.low(j) in v.SOURCE_OBJECTS:
                j += 1
                end = j
        c.use(start, end, "clean")
        hit = True
    return hit
