"""Small readers shared by the recognisers: keywords, free-text descriptions, colours, markets, typos."""

from __future__ import annotations

import difflib
import re

from bot.planner import vocabulary as v
from bot.planner.text import ARTICLES, Clause, Token

CONNECTORS = frozenset(
    {"and", ",", "then", "plus", "&", "+", "for", "but", "/", "also", "while", "on", "in", "across"}
)
# Words that may sit between a connector and the keyword that ends a description ("and add the logo").
LEAD_WORDS = (
    ARTICLES
    | v.ALL_WORDS
    | v.USUAL_WORDS
    | {"add", "make", "also", "then", "please", "put", "use", "include", "create", "do", "a", "of"}
)
LINKERS = frozenset({"to", "with", "for", "into", "as", ":", "→", "-", "—", "showing", "featuring", "of"})

_OP_WORDS = (
    v.CLEAN_WORDS
    | v.CLEAN_OBJECTS
    | v.RECOLOR_WORDS
    | v.HARMONIZE_WORDS
    | v.UPSCALE_WORDS
    | v.EXPAND_WORDS
    | v.CROP_WORDS
    | v.RERENDER_WORDS
    | v.REGENERATE_WORDS
    | v.BRAND_WORDS
    | v.EXPORT_WORDS
    | frozenset(v.FORMAT_WORDS)
    | {"swap", "replace", "remove"}
)
_TARGET_WORDS = (
    v.SPEC_NAMES
    | frozenset(v.GROUP_ALIASES)
    | frozenset(v.SHAPE_WORDS)
    | frozenset(k.split()[0] for k in v.SPEC_ALIASES)
    | frozenset(form for forms in v.AMBIGUOUS_NOUNS.values() for form in forms)
    | frozenset(k.split()[0] for k in v.SIZE_WORDS)
    | v.DOUBLE_WORDS
)
# Every word of a channel phrase ("medium rectangle", "out of home"): read as written, and a typo of
# one is read as the word (then the phrase matches).
_PHRASE_WORDS = frozenset(
    w for table in (v.SPEC_ALIASES, v.GROUP_ALIASES) for k in table for w in k.split()[1:] if len(w) >= 6
)
KNOWN_WORDS = (
    _OP_WORDS
    | _TARGET_WORDS
    | _PHRASE_WORDS
    | v.FILLER
    | ARTICLES
    | v.ALL_WORDS
    | v.NEGATIONS
    | v.MATCH_OBJECTS
    | v.TEXT_WORDS
    | v.SOURCE_OBJECTS
    | v.BACKGROUND_WORDS
    | v.SWAP_WORDS
    | v.REMOVE_VERBS
    | v.MARKET_MARKERS
    | v.SET_WORDS
    | v.USUAL_WORDS
    | frozenset(v.MARKETS)
    | frozenset(w for name in v.COLOURS for w in name.split())
    | LINKERS
    | CONNECTORS
)
# Typos are read against meaningful words only (never against filler), four letters or more.
_TYPO_TARGETS = sorted(
    w
    for w in (
        _OP_WORDS
        | _TARGET_WORDS
        | _PHRASE_WORDS
        | frozenset(v.SPEC_ALIASES)
        | v.HARMONIZE_WORDS
        | v.MARKET_MARKERS
        | v.BACKGROUND_WORDS
    )
    if len(w) >= 4 and " " not in w
)


def market_code(tok: Token) -> str | None:
    """The market suffix a token names ("JP", "Japan" → "jp"); English-word codes need capitals."""
    if tok.kind == "word" and (locale := locale_code(tok)):
        return locale
    if tok.kind != "word" or tok.low not in v.MARKETS:
        return None
    if tok.low in v.CAPITALS_ONLY and not tok.text.isupper():
        return None
    return v.MARKETS[tok.low]


def locale_code(tok: Token) -> str | None:
    """A locale such as ``de-DE``, ``en-GB``, ``ja_JP`` → the market of its region part ("de", "uk", "jp")."""
    match = re.fullmatch(r"[a-z]{2}[-_]([A-Z]{2})", tok.text)
    region = match.group(1).lower() if match else ""
    return v.MARKETS.get(region) if region in v.MARKETS else None


def is_keyword(c: Clause, i: int, after: str = "") -> bool:
    """Does token ``i`` start something other than free text (a channel, an op, a market)?"""
    tok = c.tokens[i]
    if tok.kind in ("size", "ratio", "quote"):
        return True
    if tok.low in _OP_WORDS or tok.low in _TARGET_WORDS:
        return True
    code = market_code(tok)
    return code is not None and (after == "for" or c.low(i + 1) in v.MARKET_MARKERS)


def description_end(c: Clause, start: int) -> int:
    """End of a free-text description starting at ``start`` (e.g. a background to swap in).

    It runs to the end of the clause, or to a connector followed by a keyword: in "a warm dusk and
    upscale for print" the description is "a warm dusk".
    """
    i = start
    while c.free(i):
        if i == start or c.low(i) in CONNECTORS:
            j = c.skip(i if i == start else i + 1, LEAD_WORDS)
            if j < len(c.tokens) and (not c.free(j) or is_keyword(c, j, after=c.low(i))):
                return i
        i += 1
    return i


def colour_at(c: Clause, i: int) -> tuple[str, int] | None:
    """A colour written at free token ``i`` (``#FFD400``, ``white``, ``light blue``): (hex, tokens)."""
    if not c.free(i):
        return None
    if c.tokens[i].kind == "hex":
        return c.tokens[i].low, 1
    found = c.phrase_at(i, v.COLOURS, longest=2)
    return (found[1], found[0]) if found else None


def plain_colour(text: str) -> str | None:
    """The hex colour when a description is only a colour ("plain white", "#fff"), else None."""
    words = [w for w in text.lower().replace("-", " ").split() if w not in v.COLOUR_FILLER]
    joined = " ".join(words)
    if joined in v.COLOURS:
        return v.COLOURS[joined]
    if len(words) == 1 and words[0].startswith("#") and len(words[0]) in (4, 7):
        try:
            int(words[0][1:], 16)
        except ValueError:
            return None
        w = words[0][1:]
        return "#" + (w if len(w) == 6 else "".join(ch * 2 for ch in w)).upper()
    return None


def read_typos(c: Clause) -> None:
    """Read misspelt keywords as the keyword (``storie`` → ``stories``), remembering the original."""
    for tok in c.tokens:
        if tok.kind != "word" or len(tok.low) < 4 or tok.low in KNOWN_WORDS or tok.low in v.NOT_TYPOS:
            continue
        if not tok.low.replace("-", "").isalpha() and "-" not in tok.low:
            continue
        # difflib proposes; a typo must also keep its first letter and be one or two keystrokes away,
        # so "sport" never becomes "spots" nor "deadline" "headline".
        limit = 1 if len(tok.low) <= 6 else 2
        for match in difflib.get_close_matches(tok.low, _TYPO_TARGETS, n=3, cutoff=0.75):
            if match[0] == tok.low[0] and _edits(tok.low, match) <= limit:
                tok.fixed_from, tok.low = tok.low, match
                break


def _edits(a: str, b: str) -> int:
    """Edit distance counting a swap of neighbours as one edit (optimal string alignment)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            cost = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, prev2[j - 2] + 1)
            row.append(cost)
        prev2, prev = prev, row
    return prev[-1]


def typo_note(tok: Token) -> str:
    shown = v.SPEC_ALIASES.get(tok.low, tok.low)
    return f"read `{tok.text}` as `{shown}`"
