"""Spot text that is not a production request (prompt injection, admin actions) and cut it out.

The planner has no approve, delete or shell action to misuse (design §2: the plan is made only of
registered image ops); this module makes sure such text does not leak into the plan as channel
words either ("approve *everything*" must not select the full set) and that the person sees what
was ignored.
"""

from __future__ import annotations

import re

# Each pattern names an action keyarts' planner does not have. They are specific on purpose:
# "for approval", "a shell on the beach" or a "Secret Sale" campaign are ordinary requests.
_PATTERNS = [
    r"\b(?:ignore|disregard|forget|override|bypass)\b.*\b(?:instructions?|rules?|prompts?|guidelines"
    r"|polic(?:y|ies)|above|previous|system|guardrails?|limits?)\b",
    r"\b(?:auto-?approve|approve|reject)\b",
    # The data noun must be what is deleted ("delete all the files"), not where an edit happens
    # ("erase the watermark on all the assets" is a retouch).
    r"\b(?:delete|drop|wipe|erase|destroy|purge|truncate|nuke)\s+(?:(?:the|all|of|my|our|your|this|these"
    r"|those|every|entire|whole|old|previous|existing)\s+)*(?:campaigns?|database|db|tables?|files?|assets?"
    r"|everything|data|records?|history|logs?|approvals?|channels?|threads?|users?|batch(?:es)?)\b",
    r"\brm\s+-|\brm\s+/|\bsudo\b|\bchmod\b|\b(?:curl|wget)\s+(?:-|https?://)|\bexec\(|\beval\(|/bin/"
    r"|\bbash\s+-c\b|\bpython\s+-c\b|\bdrop\s+table\b|\$\(|`\s*(?:rm|sudo|curl|wget|cat|ls|python|sh|chmod|kill)\b",
    r"\b(?:run|execute|open|spawn)\s+(?:this|the|a|an|my)?\s*(?:command|script|code|program|shell|terminal)\b",
    r"\bsystem prompt\b|\bapi[ _-]?keys?\b|\b(?:slack|bot|access|auth|api)[ _-]?tokens?\b|\bpasswords?\b"
    r"|\bsecret keys?\b|\bcredentials?\b|\benv(?:ironment)? var",
    r"\byou are now\b|\bpretend (?:to be|you)\b|\bjailbreak\b|\bdeveloper mode\b",
    r"\b(?:grant|give|make)\b.*\b(?:admin|approver|permissions?)\b",
    r"\b(?:send|post|upload|email|forward|leak|share)\b.*(?:https?://|\b\w+@\w+\.\w+)",
    r"\b(?:spend|unlimited)\b.*\b(?:gpu|credits?|money|dollars?|budget)\b",
]
_INJECTION = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE)
# Words that lead into the ignored instruction ("and then please run …"): cut them with it.
_LEAD_IN = re.compile(
    r"(?:\b(?:and|then|also|now|please|pls|just|kindly|run|execute|to)\s*,?\s*)+$", re.IGNORECASE
)


def cut_instructions(clause: str) -> tuple[str, str | None]:
    """Split a clause into (request part, ignored instruction or None), cutting at the first match."""
    match = _INJECTION.search(clause)
    if match is None:
        return clause, None
    kept = clause[: match.start()]
    lead = _LEAD_IN.search(kept)
    start = lead.start() if lead else len(kept)
    ignored = clause[start:].strip(" ,")
    ignored = re.sub(r"^(?:and|then)\s+", "", ignored, flags=re.IGNORECASE)
    return clause[:start].rstrip(" ,"), ignored


def ignored_note(instructions: list[str]) -> str:
    shown = "; ".join(f"“{_short(text)}”" for text in instructions)
    return f"ignored instructions that aren't production requests: {shown} (I only plan image work)"


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
