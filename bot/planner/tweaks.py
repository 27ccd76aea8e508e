"""Recognisers for per-variant steps and settings: upscale, harmonize, crop/expand, brand, export."""

from __future__ import annotations

import re
from typing import Any

from bot.planner import vocabulary as v
from bot.planner.intent import Tweak
from bot.planner.phrases import description_end, is_keyword
from bot.planner.text import ARTICLES, Clause

_PRINT_WORDS = frozenset({"print", "a4", "print-a4-300dpi"})
_RES_WORDS = frozenset({"resolution", "res", "ready", "quality"})
_BYTES = re.compile(r"^(\d+(?:\.\d+)?)(kb|k|mb)$")
_CAP_WORDS = frozenset(
    {
        "under",
        "below",
        "max",
        "maximum",
        "<",
        "≤",
        "within",
        "cap",
        "capped",
        "than",
        "most",
        "to",
        "limit",
        "at",
    }
)
_TEXT_LEAD = frozenset(
    {":", "saying", "reading", "that", "says", "of", "with", "text", "the", "a", "-", "—", "="}
)


def read_upscale(c: Clause) -> tuple[bool, bool]:
    """Upscaling: "upscale the hero for print", "enlarge", "print-ready" → (found, names print itself)."""
    found = names_print = False
    for i, tok in enumerate(c.tokens):
        if not c.free(i):
            continue
        if tok.low in v.UPSCALE_WORDS:
            c.use(i, i + 1, "upscale")
            j = c.skip(i + 1)
            k = j
            while c.free(k) and c.low(k) in v.SOURCE_OBJECTS:  # "the hero", "the key art": the source image
                k += 1
            if k > j:
                c.use(i + 1, k, "upscale")
            found = True
        elif tok.low in ("high", "higher", "hi", "full", "print") and c.low(i + 1) in _RES_WORDS:
            c.use(i, i + 2, "upscale")
            found, names_print = True, names_print or tok.low == "print"
        elif tok.low == "print-ready":
            c.use(i, i + 1, "upscale")
            found = names_print = True
        elif tok.low == "for" and c.low(c.skip(i + 1)) in _PRINT_WORDS:
            c.use(i, c.skip(i + 1), "upscale")  # the print word itself stays a channel word
            found = True
    return found, names_print


def read_harmonize(c: Clause) -> bool:
    """Harmonizing: "harmonize", "match the colours to the master", "colour-match"."""
    hit = False
    for i, tok in enumerate(c.tokens):
        if not c.free(i):
            continue
        start = i
        if tok.low in v.HARMONIZE_WORDS or tok.low in ("colour-match", "color-match"):
            end = i + 1
        elif tok.low == "match" and c.low(c.skip(i + 1)) in v.MATCH_OBJECTS:
            end = c.skip(i + 1)
        elif tok.low in ("colour", "color") and c.low(i + 1) == "match":
            end = i + 2
        else:
            continue
        while c.free(end) and (c.low(end) in v.MATCH_OBJECTS | ARTICLES | {"to", "with", "and", "levels"}):
            end += 1
        c.use(start, end, "harmonize")
        hit = True
    return hit


def read_fit_preference(c: Clause) -> dict[str, Any]:
    """Fit preference: "expand"/"wider" → expand (optional "with X" prompt); "crop only" → crop."""
    params: dict[str, Any] = {}
    for i, tok in enumerate(c.tokens):
        low = tok.low
        generative = low in ("generation", "generated", "generative", "ai")
        if not c.free(i) or not (low in v.EXPAND_WORDS or low in v.CROP_WORDS or generative):
            continue
        start = i
        while c.free(start - 1) and c.low(start - 1) in v.NEGATIONS | {"do", "please", "just", "only"}:
            start -= 1
        negated = any(c.low(j) in v.NEGATIONS for j in range(start, i))
        if generative and not negated:
            continue
        expand = (low in v.EXPAND_WORDS or generative) != negated
        end = i + 1
        while c.free(end) and c.low(end) in ("only", "fill", "to", "it", "them", "everything"):
            end += 1
        c.use(start, end, "fit")
        params["prefer"] = "expand" if expand else "crop"
        lead = next(
            (j for j in range(end, len(c.tokens)) if c.free(j) and c.low(j) in ("with", "showing")), None
        )
        if expand and lead is not None:  # "outpaint to 9:16 with more street"
            stop = description_end(c, lead + 1)
            if stop > lead + 1:
                params["prompt"] = c.span(lead + 1, stop)
                c.use(lead, stop, "description")
    return params


def read_export(c: Clause) -> dict[str, Any]:
    """Export options: "as PNG", "under 150 KB", "quality 80"; "export"/"deliver" (always done)."""
    params: dict[str, Any] = {}
    for i, tok in enumerate(c.tokens):
        if not c.free(i):
            continue
        if tok.low in v.FORMAT_WORDS:
            params["format"] = v.FORMAT_WORDS[tok.low]
            start = i - 1 if c.free(i - 1) and c.low(i - 1) in ("as", "in", "to") else i
            c.use(start, i + 1, "export")
        elif tok.low == "quality" and c.low(i + 1).isdigit():
            params["quality"] = int(c.low(i + 1))
            c.use(i, i + 2, "export")
        elif tok.low in v.EXPORT_WORDS:
            c.use(i, i + 1, "export")
        elif (size := _bytes(c, i)) is not None:
            count, value = size
            start = i
            while c.free(start - 1) and c.low(start - 1) in _CAP_WORDS | {"file", "size", "less", "up"}:
                start -= 1
            if start < i:
                params["max_bytes"] = value
                c.use(start, i + count, "export")
    return params


def _bytes(c: Clause, i: int) -> tuple[int, int] | None:
    # Platforms state caps in decimal kilobytes (pipeline.specs.KB).
    m = _BYTES.match(c.low(i))
    if m:
        return 1, round(float(m.group(1)) * (1000 if m.group(2) in ("kb", "k") else 1_000_000))
    if re.fullmatch(r"\d+(?:\.\d+)?", c.low(i)) and c.low(i + 1) in ("kb", "k", "mb"):
        return 2, round(float(c.low(i)) * (1000 if c.low(i + 1) in ("kb", "k") else 1_000_000))
    return None


def read_brand(c: Clause) -> tuple[Tweak | None, bool]:
    """Logo / CTA / copy wishes → (brand tweak or None, declined); "no logo" and "unbranded" decline."""
    asked = declined = False
    params: dict[str, Any] = {}
    for i, tok in enumerate(c.tokens):
        low = tok.low
        is_text = low == "text" and c.quote(c.skip(i + 1, _TEXT_LEAD)) is not None
        call_to_action = low == "call" and c.low(i + 1) == "to" and c.low(i + 2) == "action"
        if not c.free(i) or not (low in v.BRAND_WORDS or is_text or call_to_action):
            continue
        width = 3 if call_to_action else 1
        negated = c.free(i - 1) and (
            c.low(i - 1) in v.NEGATIONS or (c.low(i - 1) in ARTICLES and c.low(i - 2) in v.NEGATIONS)
        )
        if negated or low == "unbranded":
            start = i
            while c.free(start - 1) and c.low(start - 1) in v.NEGATIONS | ARTICLES:
                start -= 1
            c.use(start, i + width, "brand")
            # "no logo" declines the brand kit; "no CTA" only means no copy (the default).
            declined |= low in ("logo", "logos", "brand", "branding", "branded", "unbranded")
            continue
        asked = True
        c.use(i, i + width, "brand")
        if low in ("logo", "logos", "brand", "branding", "branded"):
            params["use_logo"] = True
        if low in v.TEXT_WORDS or is_text or call_to_action:
            text = _text_after(c, i + width)
            if text:
                params["text"] = text
    if asked and "text" not in params:
        quote = next((j for j, t in enumerate(c.tokens) if t.kind == "quote" and c.free(j)), None)
        if quote is not None and any(t.low in v.TEXT_WORDS for t in c.tokens if t.role == "brand"):
            params["text"] = c.quote(quote)
            c.use(quote, quote + 1, "brand")
    if asked:
        _position(c, params)
    return (Tweak("brand", params) if asked else None), declined


def _text_after(c: Clause, i: int) -> str | None:
    j = c.skip(i, _TEXT_LEAD)
    quote = c.quote(j)
    if quote is not None:
        c.use(i, j + 1, "brand")
        return quote
    # Unquoted copy must look like copy (a capitalised word), not the rest of the sentence.
    if c.free(j) and c.tokens[j].kind == "word" and c.tokens[j].text[:1].isupper() and not is_keyword(c, j):
        end = description_end(c, j)
        c.use(i, end, "brand")
        return c.span(j, end)
    return None


def _position(c: Clause, params: dict[str, Any]) -> None:
    for i, tok in enumerate(c.tokens):
        parts = tok.low.split("-")
        if len(parts) == 2 and parts[0] in ("top", "bottom"):
            width = 1
        elif tok.low in ("top", "bottom") and c.free(i + 1):
            parts, width = [tok.low, c.low(i + 1)], 2
        else:
            continue
        side = {"centre": "center", "middle": "center"}.get(parts[1], parts[1])
        if c.free(i) and f"{parts[0]}-{side}" in v.POSITIONS:
            params["position"] = f"{parts[0]}-{side}"
            end = i + width + (1 if c.low(i + width) == "corner" else 0)
            c.use(i, end, "brand")
