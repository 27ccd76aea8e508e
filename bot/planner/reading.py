"""Request text → :class:`Intent`: guard, split into clauses, run the recognisers, report leftovers."""

from __future__ import annotations

import re

from bot.planner import vocabulary as v
from bot.planner.edits import read_clean, read_recolors, read_swap
from bot.planner.guard import cut_instructions
from bot.planner.intent import Intent, Swap, Tweak
from bot.planner.phrases import (
    description_end,
    locale_code,
    market_code,
    plain_colour,
    read_typos,
    typo_note,
)
from bot.planner.removals import BACKGROUND_NOTE, named_note, read_removals
from bot.planner.rerender import read_variant
from bot.planner.targets import read_targets
from bot.planner.text import (
    ARTICLES,
    Clause,
    clean_slack,
    extract_quotes,
    restore_quotes,
    split_clauses,
    tokenize,
)
from bot.planner.tweaks import read_brand, read_export, read_fit_preference, read_harmonize, read_upscale

PRINT_SPEC = "print-a4-300dpi"
_CODE_JOINERS = frozenset({",", "and", "&", "+", "/", "a", "an", "the"})
_TAIL_LEADS = frozenset({"with", ":", "featuring", "showing", "using", "where", "-", "—", "on"})
_SWAP_PREFIX = re.compile(
    r"^(?:(?:a|the)\s+)?(?:background|backdrop|bg|sky)\s+(?:swapped\s+|replaced\s+|changed\s+|set\s+)?"
    r"(?:to|with|for|by|as|of|:)\s+",
    re.IGNORECASE,
)


def read_request(request: str) -> Intent:
    intent = Intent()
    text, quotes = extract_quotes(clean_slack(request))
    for part in split_clauses(text):
        kept, ignored = cut_instructions(part)
        if ignored:
            intent.ignored.append(restore_quotes(ignored, quotes))
        if kept.strip():
            read_clause(tokenize(kept, quotes), intent)
    return intent


def read_clause(c: Clause, intent: Intent) -> None:
    read_typos(c)
    codes, market_swap = _read_markets(c)
    removed = read_removals(c)  # before brand and channel words: "remove the logo" is in the photo
    swap = read_swap(c) or market_swap
    recolors = read_recolors(c, intent.notes)
    clean = read_clean(c) or removed.specks
    brand, declined = read_brand(c)
    upscale, names_print = read_upscale(c)
    harmonize = read_harmonize(c)
    fit = read_fit_preference(c)
    variant = read_variant(c, intent.notes)
    export = read_export(c)
    targets, lone_all = read_targets(c, intent.notes, intent.asks, intent.excluded)
    if names_print and PRINT_SPEC not in targets:
        targets.append(PRINT_SPEC)

    for tok in c.tokens:
        if tok.fixed_from and tok.role not in (None, "description"):
            intent.note(typo_note(tok))
    _report_leftovers(c, intent)

    scope = tuple(targets) if targets else None
    intent.add_targets(targets)
    if removed.named:
        intent.removals.extend(removed.named)
        intent.note(named_note(removed.named))
    if removed.background:
        intent.note(BACKGROUND_NOTE)
    intent.logo_removed |= removed.brand_marks
    if clean and ("clean", {}) not in intent.edits:
        intent.edits.append(("clean", {}))
    intent.edits.extend(("recolor", params) for params in recolors)
    if codes:
        # The clause is about these markets: its background and copy are theirs, not the base set's.
        cta = brand.params.pop("text", None) if brand else None
        if brand is not None and not brand.params:
            brand = None
        for code in codes:
            market = intent.market(code)
            market.swap = swap or market.swap
            market.cta = cta or market.cta
            if targets:
                market.specs = tuple(dict.fromkeys((*(market.specs or ()), *targets)))
    elif swap:
        if intent.swap and intent.swap != swap:
            intent.note(f"two backgrounds asked for; using the last (“{swap.text}”)")
        intent.swap = swap
    intent.brand_declined |= declined
    if upscale:
        upscale_specs = scope
        if scope is None and not lone_all:  # "upscale" with no channel: for print
            upscale_specs = (PRINT_SPEC,)
            intent.add_targets([PRINT_SPEC])
            intent.note(f"read “upscale” as upscale for print (`{PRINT_SPEC}`)")
        intent.tweaks.append(Tweak("upscale", {}, upscale_specs))
    for op, params, found in (
        ("harmonize", {}, harmonize),
        ("fit", fit, bool(fit)),
        ("variant", variant or {}, variant is not None),
        ("export", export, bool(export)),
        ("brand", brand.params if brand else {}, brand is not None),
    ):
        if found:
            intent.tweaks.append(Tweak(op, dict(params), scope))
    # "everything" / "the full set": the default set when no channel is named anywhere in the request.
    intent.wants_all |= lone_all


def _read_markets(c: Clause) -> tuple[list[str], Swap | None]:
    """Markets: "JP version with …", "UK and DE versions", "… for JP" → (codes, swap)."""
    codes: list[str] = []
    tail: int | None = None
    for i, tok in enumerate(c.tokens):
        label = tok.low == ":" and _codes_before(c, i)[1] == 0  # "JP: story + feed with …"
        if not c.free(i) or not (tok.low in v.MARKET_MARKERS or label):
            continue
        found, start = _codes_before(c, i)
        end = i + 1
        if not found and c.low(i + 1) in ("for", "in"):
            found, end = _codes_after(c, i + 2)
        if not found:
            continue
        c.use(start if start < i else i, end, "market")
        codes.extend(code for code in found if code not in codes)
        if c.low(end) == "of" or label:  # "JP version of the story with …": the channels stay for targets
            end = next(
                (j for j in range(end + 1, len(c.tokens)) if c.free(j) and c.low(j) in ("with", ":")), end
            )
        if c.free(end) and c.low(end) in _TAIL_LEADS:
            c.use(end, end + 1, "market")
            tail = end + 1
    for i, tok in enumerate(c.tokens):  # "de-DE and fr-FR story": a locale is a market on its own
        if c.free(i) and (code := locale_code(tok)):
            c.use(i, i + 1, "market")
            codes.extend([code] if code not in codes else [])
    for i, tok in enumerate(c.tokens):  # "swap the background to Tokyo at dusk for JP" (design §1)
        if c.free(i) and tok.low in ("for", "in"):  # "… in FR and DE"
            found, end = _codes_after(c, c.skip(i + 1))
            if found:
                end += 1 if c.free(end) and c.low(end) in v.MARKET_MARKERS else 0
                c.use(i, end, "market")
                codes.extend(code for code in found if code not in codes)
    swap = None
    if tail is not None:
        end = description_end(c, tail)
        text = _SWAP_PREFIX.sub("", c.span(tail, end))
        if text:
            c.use(tail, end, "description")
            swap = Swap(text, plain_colour(text))
    return codes, swap


def _codes_before(c: Clause, i: int) -> tuple[list[str], int]:
    found: list[str] = []
    j = i - 1
    while c.free(j):
        code = market_code(c.tokens[j])
        if code:
            found.insert(0, code)
        elif c.low(j) not in _CODE_JOINERS:
            break
        j -= 1
    return found, j + 1


def _codes_after(c: Clause, i: int) -> tuple[list[str], int]:
    found: list[str] = []
    j, end = i, i
    while c.free(j):
        code = market_code(c.tokens[j])
        if code:
            found.append(code)
            end = j + 1
        elif c.low(j) not in _CODE_JOINERS:
            break
        j += 1
    return found, end


def _report_leftovers(c: Clause, intent: Intent) -> None:
    """Unused words that aren't filler: say so, so nothing is silently ignored."""
    quiet = v.FILLER | ARTICLES | v.NEGATIONS
    runs: list[list[int]] = []
    for i, tok in enumerate(c.tokens):
        if not c.free(i) or tok.kind not in ("word", "quote", "hex") or tok.low in quiet:
            continue
        # One note per phrase: join words separated only by free filler ("remove the person on the left").
        if runs and all(c.free(k) and c.low(k) in quiet for k in range(runs[-1][1], i)):
            runs[-1][1] = i + 1
        else:
            runs.append([i, i + 1])
    for start, end in runs:
        intent.note(f"didn't understand “{c.span(start, end)}”; left it out")
