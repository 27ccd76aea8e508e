"""A brief as people write it → (campaign name, the brief without the naming part).

``new campaign "Spring Sale". Hero: …``, ``new campaign: spring sale, hero is our astronaut``,
``campaign: Aurora — …``, ``Summer Drop campaign: …``, ``kick off the Summer Drop campaign …``,
``key art for the Aurora X2 launch: …``. Without any of these the first words name it.
"""

from __future__ import annotations

import re

MAX_NAME = 80
_QUOTE = r"[\"“”'‘’]"
# The name runs to the first punctuation that ends a phrase, or to words that start the brief.
_NAME = r"(?P<name>[^\"“”.,;:!?\n—–()]{1,80}?)"
_END = r"(?=\s*(?:[.,;:!?\n—–(]|\s-\s|$|\s+(?:hero|key\s+art|kv|brief|master|with|featuring)\b))"
_VERB = (
    r"(?:(?:start|kick\s+off|set\s+up|create|open|begin|launch)\s+(?:a\s+|an\s+|the\s+)?(?:new\s+)?|new\s+)"
)
_PATTERNS = [
    # new campaign "Spring Sale" · campaign: 'Aurora'
    re.compile(
        rf"^\s*{_VERB}?campaign\s*(?:called|named|:|-|—|–)?\s*{_QUOTE}(?P<name>[^\"“”'‘’]{{1,120}}){_QUOTE}",
        re.I,
    ),
    # new campaign: spring sale, hero is … · new campaign called Spring Sale. Hero: …
    re.compile(rf"^\s*{_VERB}?campaign\s*(?:called|named|for|:|-|—|–)?\s*{_NAME}{_END}", re.I),
    # Summer Drop campaign: … · kick off the Summer Drop campaign …
    re.compile(rf"^\s*{_VERB}?(?:the\s+)?{_NAME}\s+campaign\b", re.I),
    # … for the Aurora X2 launch: …
    re.compile(
        r"\bfor\s+(?:the\s+|our\s+)?(?P<name>[^\"“”.,;:!?\n—–()]{1,80}?\s+(?:launch|campaign))\b", re.I
    ),
]
_QUOTED = re.compile(rf"{_QUOTE}(?P<name>[^\"“”'‘’]{{1,120}}){_QUOTE}")
_NOT_NAMES = frozenset(
    {"", "new", "a", "an", "the", "start", "create", "set up", "kick off", "open", "begin"}
)
_LEAD = re.compile(r"^[\s.,;:!?\-—–]+|^(?:and|with|so)\s+", re.I)


def read_brief(text: str) -> tuple[str, str]:
    """``(name, brief)``: the campaign's name and the brief that is left once the name is taken out."""
    text = text.strip()
    for pattern in _PATTERNS:
        match = pattern.search(text)
        name = _clean(match.group("name")) if match else ""
        if not match or name.lower() in _NOT_NAMES:
            continue
        if pattern is _PATTERNS[3]:  # the name sits inside the sentence: the brief is around it
            name = re.sub(r"\s+campaign$", "", name, flags=re.I)
            return name, _tidy(text[: match.start()].rstrip() + text[match.end() :])
        return name, _tidy(text[match.end() :])
    quoted = _QUOTED.search(text[:160])
    if quoted and _clean(quoted.group("name")):
        return _clean(quoted.group("name")), _tidy(text[: quoted.start()] + text[quoted.end() :])
    first = re.split(r"[.\n:;!?]", text, maxsplit=1)[0]
    words = re.sub(rf"^\s*{_VERB}?campaign\b", "", first, flags=re.I).split()
    name = " ".join(words[:6]) + ("…" if len(words) > 6 else "")
    return (
        (name, text)
        if name
        else ("Untitled", _tidy(re.sub(rf"^\s*{_VERB}?campaign\b", "", text, flags=re.I)))
    )


def _clean(name: str) -> str:
    name = re.sub(r"^(?:the|our|a|an)\s+", "", " ".join(name.split()), flags=re.I)
    return name.strip(" -—–'\"“”‘’")[:MAX_NAME]


def _tidy(rest: str) -> str:
    previous = None
    while previous != rest:
        previous, rest = rest, _LEAD.sub("", rest).strip()
    return rest
