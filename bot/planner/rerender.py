"""Re-rendered variants: "re-render the story at low strength", "img2img variants", "strength 0.35".

A re-rendered variant starts with the ``variant`` op (img2img of the master at the spec's size)
instead of ``fit``. This module only reads the request; whether the engine can do it is decided in
``build.py``, which says so in a note when it cannot.
"""

from __future__ import annotations

import re
from typing import Any

from bot.planner import vocabulary as v
from bot.planner.text import Clause
from pipeline.errors import BadRequest
from pipeline.ops.variant import VariantParams

_FIELD = VariantParams.model_fields["strength"]


def _bound(name: str) -> float:
    return float(next(getattr(m, name) for m in _FIELD.metadata if hasattr(m, name)))


# Read from the op's Params so the planner and the op never disagree on the range.
DEFAULT_STRENGTH = float(_FIELD.default)
MIN_STRENGTH, MAX_STRENGTH = _bound("ge"), _bound("le")
_NOUNS = frozenset({"variant", "variants", "version", "versions", "render", "renders"})
# Numbers are read from the clause text: the tokenizer splits "0.35" and drops "%".
_NUMBER = r"(\d+(?:\.\d+)?|\.\d+)\s*(%|percent\b)?"
_AFTER = re.compile(r"\s*(?:of|=|:|at|to|is)?\s*" + _NUMBER, re.IGNORECASE)  # "strength 0.35"
_BEFORE = re.compile(_NUMBER + r"\s*$", re.IGNORECASE)  # "35 % strength"
_AT = re.compile(r"\bat\s+(\d+(?:\.\d+)?)\s*(%|percent\b)", re.IGNORECASE)  # "at 35 %"


def read_variant(c: Clause, notes: list[str]) -> dict[str, Any] | None:
    """Re-render wishes → ``variant`` params (``{}`` or ``{"strength": …}``), or None when not asked."""
    cue = False
    strength: float | None = None
    regenerate: list[int] = []
    for i, tok in enumerate(c.tokens):
        if not c.free(i):
            continue
        low, after = tok.low, c.low(i + 1)
        if low in v.RERENDER_WORDS:
            end = i + 1
        elif low in v.SUBTLE_WORDS and (after in _NOUNS or after in v.RERENDER_WORDS) and c.free(i + 1):
            end = i + 2  # "subtle variants", "a gentle re-render"
        elif low == "low" and after == "strength" and c.free(i + 1):
            end = i + 2
        elif low in v.REGENERATE_WORDS:
            regenerate.append(i)  # only with a variant cue: "regenerate" alone may mean "make again"
            continue
        elif low == "strength" and (found := _strength_near(c, i, notes)) is not None:
            strength, cue = found, True
            continue
        else:
            continue
        while c.free(end) and c.low(end) in _NOUNS:  # "img2img variants"
            end += 1
        c.use(i, end, "variant")
        cue = True
    if regenerate and (cue or any(c.free(i) and t.low in _NOUNS for i, t in enumerate(c.tokens))):
        for i in regenerate:
            c.use(i, i + 1, "variant")
        cue = True
    if not cue:
        return None
    if strength is None:
        strength = _strength_at(c, notes)
    return {} if strength is None else {"strength": strength}


def _strength_near(c: Clause, i: int, notes: list[str]) -> float | None:
    """The number right after or right before the word "strength"."""
    tok = c.tokens[i]
    after = _AFTER.match(c.source, tok.end)
    if after and _starts_free_token(c, after.start(1)):
        _use_span(c, tok.start, after.end())
        said = c.source[after.start(1) : after.end()].strip()
        return _strength(after.group(1), bool(after.group(2)), said, notes)
    before = _BEFORE.search(c.source, 0, tok.start)
    if before and _starts_free_token(c, before.start()):
        _use_span(c, before.start(), tok.end)
        return _strength(before.group(1), bool(before.group(2)), before.group().strip(), notes)
    return None


def _strength_at(c: Clause, notes: list[str]) -> float | None:
    """ "at 35 %" in a clause that asks for a re-render (a bare percentage is not read otherwise)."""
    for match in _AT.finditer(c.source):
        if _starts_free_token(c, match.start()) and _starts_free_token(c, match.start(1)):
            _use_span(c, match.start(), match.end())
            return _strength(match.group(1), True, c.source[match.start(1) : match.end()].strip(), notes)
    return None


def _strength(number: str, percent: bool, said: str, notes: list[str]) -> float:
    value = float(number)
    if not percent and value > 1 and value.is_integer() and value <= 100:
        notes.append(f"read strength “{said}” as {value:g} %")  # "strength 35"
        percent = True
    if percent:
        value /= 100
    if not 0 < value <= 1:
        raise BadRequest(
            f"variant strength “{said}” is not a strength: give a value from {MIN_STRENGTH:g} to "
            f"{MAX_STRENGTH:g} (e.g. “strength 0.35” or “at 35 %”)"
        )
    if not MIN_STRENGTH <= value <= MAX_STRENGTH:
        notes.append(
            f"variant strength “{said}” is outside {MIN_STRENGTH:g}–{MAX_STRENGTH:g} (the range that keeps "
            f"the master's look); using the default {DEFAULT_STRENGTH:g}"
        )
        return DEFAULT_STRENGTH
    return round(value, 3)


def _starts_free_token(c: Clause, pos: int) -> bool:
    return any(tok.start == pos and tok.role is None for tok in c.tokens)


def _use_span(c: Clause, start: int, end: int) -> None:
    for i, tok in enumerate(c.tokens):
        if tok.start >= start and tok.end <= end:
            c.use(i, i + 1, "variant")
