"""Taking things out of the photo: "remove the watermark", "get rid of the coffee stain", "erase the text".

What is named is an edit target in the master, never the brand layer: "remove the logo" is a logo
*in the photo*, so it never adds ours (and with a brand kit, the kit's logo stays off unless asked
for). Specks and dust are what ``clean`` finds by itself; anything else needs a mask of it, which
neither engine makes from a name — so it is left out with a note saying exactly that.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.planner import vocabulary as v
from bot.planner.phrases import CONNECTORS, LEAD_WORDS, is_keyword
from bot.planner.text import ARTICLES, Clause

# Two-word verbs first: "get rid of", "take out", "clean up" …
_VERBS = (
    ("get", "rid", "of"),
    ("take", "out"),
    ("take", "off"),
    ("paint", "out"),
    ("clone", "out"),
    ("retouch", "out"),
    ("clean", "up"),
    ("clean", "off"),
    ("clean", "out"),
    ("remove",),
    ("erase",),
    ("delete",),
    ("wipe",),
    ("ditch",),
    ("lose",),
    ("zap",),
    ("kill",),
    ("eliminate",),
    ("retouch",),
    ("rid",),
)
# Where the thing is: "from the hero image", "in the photo" — the source, not part of the name.
_SOURCE_LEADS = frozenset({"from", "in", "on", "off", "out"})
BRAND_MARKS = frozenset(
    {
        "logo",
        "logos",
        "watermark",
        "watermarks",
        "text",
        "copy",
        "tagline",
        "headline",
        "brand",
        "branding",
        "wordmark",
        "cta",
        "ctas",
        "caption",
        "captions",
        "type",
        "lettering",
        "stamp",
        "signature",
        "credit",
    }
)
_CLAUSE_STARTS = frozenset(
    {
        "we",
        "i",
        "you",
        "they",
        "he",
        "she",
        "it",
        "it's",
        "its",
        "that's",
        "there",
        "because",
        "since",
        "as",
        "so",
        "but",
        "which",
        "cause",
        "cuz",
        "otherwise",
        "client",
        "legal",
    }
)
_PICTURE = v.SOURCE_OBJECTS | {"photo", "photos", "shot", "frame", "pic", "original", "images", "picture"}
_QUIET = (
    ARTICLES | v.FILLER | {"any", "all", "stray", "tiny", "small", "little", "visible", "old", "existing"}
)


@dataclass
class Removals:
    specks: bool = False  # what `clean` finds by itself
    named: list[str] = field(default_factory=list)  # what needs a mask ("the coffee stain")
    background: bool = False  # "remove the background": replace it with what?
    brand_marks: bool = False  # a logo, text or watermark in the photo

    @property
    def found(self) -> bool:
        return self.specks or bool(self.named) or self.background


def read_removals(c: Clause) -> Removals:
    """Removal verbs with what follows them; the tokens are marked so nothing else reads them."""
    out = Removals()
    i = 0
    while i < len(c.tokens):
        width = _verb_at(c, i)
        split = None if width else _split_verb(c, i)
        if not width and split is None:
            i += 1
            continue
        if split is not None:  # the thing sits between the verb and its particle
            start, particle = split
            parts = _parts(c, start, particle)
            end = _source_end(c, particle + 1) or particle + 1
        else:
            start, end = i + width, _object_end(c, i + width)
            parts = _parts(c, start, end)
        if c.low(i) == "clean" and all(_speckish(words) for _, words in parts):
            i += 1  # "clean up the dust", "clean up the master": bot/planner/edits.read_clean's
            continue
        if not parts:
            i += 1
            continue
        c.use(i, end, "clean")
        for text, words in parts:
            if _speckish(words):
                out.specks = True
            elif words & v.BACKGROUND_WORDS and len(words - _QUIET - v.BACKGROUND_WORDS) == 0:
                out.background = True
            else:
                out.named.append(text)
                out.brand_marks |= bool(words & BRAND_MARKS)
        i = end
    return out


def _object_end(c: Clause, start: int) -> int:
    """Where the thing to remove ends: at a connector that leads to a channel or another edit.

    Unlike a scene description, the thing may itself be a keyword ("the logo", "the specks and the
    watermark"), so only what follows a connector can end it.
    """
    i = start
    while c.free(i):
        if i > start and c.low(i) in _SOURCE_LEADS and (after := _source_end(c, i + 1)):
            i = after  # "… on the hero image": where it is, not a channel
            continue
        if i > start and c.low(i) in CONNECTORS:
            if c.low(c.skip(i + 1, ARTICLES)) in v.ALL_WORDS | v.USUAL_WORDS:
                return i  # "…, the usual": a channel word
            if c.low(i) == "," and c.low(i + 1) in _CLAUSE_STARTS:
                return i  # "…, we don't have the rights": a reason, not more to remove
            j = c.skip(i + 1, LEAD_WORDS)
            if j < len(c.tokens) and (not c.free(j) or _leads_on(c, j)):
                return i
        i += 1
    return i


def _source_end(c: Clause, i: int) -> int:
    """After "from"/"on"/"of": the end of "the hero image", "the master", "the shot" — or 0."""
    j = c.skip(c.skip(i, {"of"}), ARTICLES)
    k = j
    while c.free(k) and c.low(k) in _PICTURE:
        k += 1
    after = c.skip(k, v.FILLER - CONNECTORS)  # "… out of the shot pls, usual set"
    ends = after >= len(c.tokens) or not c.free(after) or c.low(after) in CONNECTORS | {",", ";"}
    return k if k > j and ends else 0


def _leads_on(c: Clause, j: int) -> bool:
    return is_keyword(c, j) and c.low(j) not in BRAND_MARKS | v.CLEAN_OBJECTS | v.BACKGROUND_WORDS


def _verb_at(c: Clause, i: int) -> int:
    for verb in _VERBS:
        if all(c.free(i + k) and c.low(i + k) == word for k, word in enumerate(verb)):
            return len(verb)
    return 0


def _split_verb(c: Clause, i: int) -> tuple[int, int] | None:
    """ "take the logo out (of the shot)", "get the text off": (object start, particle index)."""
    if not (c.free(i) and c.low(i) in ("take", "get", "cut")):
        return None
    for k in range(i + 2, min(i + 7, len(c.tokens))):
        if not c.free(k) or c.low(k) in CONNECTORS - {"on", "in"}:
            return None
        if c.low(k) in ("out", "off"):
            return i + 1, k
    return None


def _parts(c: Clause, start: int, end: int) -> list[tuple[str, set[str]]]:
    """ "the specks and the watermark from the photo" → [("the specks", …), ("the watermark", …)]."""
    parts: list[tuple[str, set[str]]] = []
    begin = start
    for k in range(start, end + 1):
        if (
            k == end
            or c.low(k) in (",", "and", "&", "+", "plus")
            or (c.low(k) in _SOURCE_LEADS and _source_follows(c, k + 1, end))
        ):
            words = {c.low(j) for j in range(begin, k)} - _QUIET
            if words:
                parts.append((c.span(begin, k), words))
            if k < end and c.low(k) in _SOURCE_LEADS:
                break  # the rest names the picture it is in
            begin = k + 1
    return parts


def _source_follows(c: Clause, i: int, end: int) -> bool:
    words = {c.low(j) for j in range(i, end)} - _QUIET - {"of"}
    return bool(words) and words <= _PICTURE


def _speckish(words: set[str]) -> bool:
    return bool(words) and words <= v.CLEAN_OBJECTS | v.SOURCE_OBJECTS | {"up", "everything", "it"}


def named_note(named: list[str]) -> str:
    things = " and ".join(f"“{n}”" for n in named)
    return (
        f"removing {things} needs a mask of it: keyart can't find a named object in the photo — `clean` "
        "finds only specks and dust by itself, and the diffusion engine repaints a masked area but doesn't "
        "locate one — and a request can't carry a mask yet. Left out: retouch it in the master and upload "
        "that"
    )


BACKGROUND_NOTE = (
    "remove the background — and put what there? Name a colour (“swap the background to white”) or, on the "
    "diffusion engine, a scene; left out"
)
LOGO_KEPT_OFF_NOTE = (
    "not placing the brand kit's logo: the request removes a logo from the photo (say “add our logo” to "
    "place it)"
)
