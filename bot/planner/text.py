"""Request text → clauses of tokens that keep their original spelling and offsets.

Recognisers walk a clause's tokens and mark the ones they use (``Token.role``); whatever is left
unmarked and is not filler is reported back to the person, never silently dropped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

MAX_REQUEST_CHARS = 2000  # a request, not a brief: bounds planner work (OWASP LLM10)

ARTICLES = frozenset({"a", "an", "the", "our", "my", "your", "their", "its", "some", "any", "this", "that"})

_SLACK_LINK = re.compile(r"<(?:https?|mailto):[^|>]*\|([^>]*)>")
_SLACK_REF = re.compile(r"<[@#!][^>]*>|<(?:https?|mailto):[^>]*>")
_QUOTE = re.compile(r"\"([^\"]+)\"|“([^”]+)”|‘([^’]+)’|„([^“”]+)[“”]|「([^」]+)」|(?<![\w])'([^']+)'(?![\w])")
_CLAUSE_END = re.compile(r"[;\n]+|[.!?](?=\s|$)")
# A new verb phrase after "," / "and" / "then" starts a new clause, so what it says applies to the
# channels named next to it ("expand the 21:9 hero, crop the story").
_VERB_SPLIT = re.compile(
    r"\s*(?:,\s*(?:and\s+|then\s+)?|\s(?:and|then|\+|&)\s+)(?=(?:please\s+|also\s+|then\s+)?(?:swap|replace|change|"
    r"recolou?r|clean|remove|erase|wipe|take\s+(?:out|off)|get\s+rid|do|upscale|enlarge|harmoni[sz]e|match|expand|outpaint|extend|crop|reframe|"
    r"re-?render|regenerate|img2img|add|put|brand|export|deliver|make|create|ignore|disregard|forget|approve|"
    r"delete|run|execute)\b)",
    re.IGNORECASE,
)
_TOKEN = re.compile(
    r"(?P<quote>\x00\d+\x00)"
    r"|(?P<hex>#[0-9a-fA-F]{6}(?![0-9a-zA-Z])|#[0-9a-fA-F]{3}(?![0-9a-zA-Z]))"
    r"|(?P<size>(?<![\w.])\d{1,5}\s*(?:[x×*]|by)\s*\d{1,5}(?:\s*px)?(?![\w.:]))"
    r"|(?P<ratio>(?<![\w.])\d{1,2}(?:\.\d+)?\s*:\s*\d{1,2}(?:\.\d+)?(?![\w.:]))"
    r"|(?P<word>[^\W_](?:[\w'’-]*[^\W_])?)"
    r"|(?P<punct>[,+&/:→—-])"
)


@dataclass
class Token:
    text: str  # as written
    low: str  # normalised: lowercase word, "300x250", "16:9", "#FFD400"
    kind: str  # word | size | ratio | hex | quote | punct
    start: int
    end: int
    role: str | None = None  # which recogniser used it
    fixed_from: str | None = None  # the misspelling this token was read from


@dataclass
class Clause:
    """One clause (split at ; . ! ? and newlines) of a request."""

    source: str
    tokens: list[Token]
    quotes: list[str] = field(default_factory=list)

    def low(self, i: int) -> str:
        return self.tokens[i].low if 0 <= i < len(self.tokens) else ""

    def free(self, i: int) -> bool:
        return 0 <= i < len(self.tokens) and self.tokens[i].role is None

    def use(self, start: int, end: int, role: str) -> None:
        for tok in self.tokens[start:end]:
            if tok.role is None:
                tok.role = role

    def skip(self, i: int, words: Iterable[str] = ARTICLES) -> int:
        """The first index at or after ``i`` whose free token is not in ``words``."""
        wordset = set(words)
        while self.free(i) and self.low(i) in wordset:
            i += 1
        return i

    def span(self, start: int, end: int) -> str:
        """The original text of tokens ``start:end``, quotes restored."""
        if start >= end:
            return ""
        text = self.source[self.tokens[start].start : self.tokens[end - 1].end]
        return restore_quotes(text, self.quotes).strip(" ,:-—")

    def quote(self, i: int) -> str | None:
        tok = self.tokens[i] if 0 <= i < len(self.tokens) else None
        if tok is None or tok.kind != "quote":
            return None
        return self.quotes[int(tok.low.strip("\x00"))]

    def phrase_at(self, i: int, table: Mapping[str, str], longest: int = 4) -> tuple[int, str] | None:
        """Longest phrase from ``table`` starting at free token ``i``: (length, value)."""
        for n in range(longest, 0, -1):
            toks = self.tokens[i : i + n]
            if len(toks) < n or any(t.role is not None or t.kind != "word" for t in toks):
                continue
            key = " ".join(t.low for t in toks)
            if key in table:
                return n, table[key]
        return None


def clean_slack(text: str) -> str:
    """Drop Slack mentions/links markup, unescape ``&amp;``-style entities, spell out "w/" and "w/o"."""
    text = _SLACK_LINK.sub(r"\1", text)
    text = _SLACK_REF.sub(" ", text)
    text = re.sub(r"(?<![\w/])w/o(?![\w/])", "without", text, flags=re.IGNORECASE)
    return re.sub(r"(?<![\w/])w/(?=\s|\w)", "with ", html.unescape(text), flags=re.IGNORECASE)


def extract_quotes(text: str) -> tuple[str, list[str]]:
    """Replace quoted copy with placeholders so no recogniser reads inside it."""
    quotes: list[str] = []

    def keep(match: re.Match[str]) -> str:
        quotes.append(next(g for g in match.groups() if g is not None).strip())
        return f" \x00{len(quotes) - 1}\x00 "

    return _QUOTE.sub(keep, text), quotes


def restore_quotes(text: str, quotes: list[str]) -> str:
    return re.sub(r"\s?\x00(\d+)\x00\s?", lambda m: f" “{quotes[int(m.group(1))]}” ", text).strip()


def split_clauses(text: str) -> list[str]:
    parts = (sub for part in _CLAUSE_END.split(text) if part for sub in _VERB_SPLIT.split(part))
    return [part.strip() for part in parts if part and part.strip()]


def tokenize(source: str, quotes: list[str]) -> Clause:
    tokens: list[Token] = []
    for match in _TOKEN.finditer(source):
        kind = match.lastgroup or "word"
        raw = match.group()
        tokens.append(Token(raw, _normalise(kind, raw), kind, match.start(), match.end()))
        if kind == "size" and _is_ratio(tokens[-1].low):
            tokens[-1].kind, tokens[-1].low = "ratio", tokens[-1].low.replace("x", ":")
    return Clause(source, tokens, quotes)


def _normalise(kind: str, raw: str) -> str:
    if kind == "size":
        w, h = re.findall(r"\d+", raw)[:2]
        return f"{int(w)}x{int(h)}"
    if kind == "ratio":
        return re.sub(r"\s+", "", raw)
    if kind == "hex":
        return raw.upper() if len(raw) == 7 else "#" + "".join(c * 2 for c in raw[1:]).upper()
    low = raw.lower().replace("’", "'")
    return low[:-2] if low.endswith("'s") else low


def _is_ratio(size: str) -> bool:
    # "9x16" is an aspect ratio; "300x250" is pixels.
    w, h = (int(v) for v in size.split("x"))
    return w <= 32 and h <= 32
