"""Channel words → spec names, resolved against the catalogue.

A clause lists *items* separated by commas, "and", "+", "/". Inside one item, a platform word
qualifies a ratio or size ("IAB 300x250 728x90", "the 21:9 hero", "TikTok 9:16"); on its own it
means the platform's core set (its specs in the default set, else all of them). A bare ratio or
size picks the default-set spec first, and says so — or asks — when another would fit too
(bot/planner/resolve.py). "2x"/"retina" asks for a unit's double-density upload.
"""

from __future__ import annotations

from bot.planner import vocabulary as v
from bot.planner.intent import Ask
from bot.planner.resolve import Item, members, resolve
from bot.planner.shapes import shape_at
from bot.planner.text import Clause
from pipeline.specs import SPECS, get_spec

SEPARATORS = frozenset({",", "and", "&", "+", "/", "plus", "also", "then", "or", "as"})
_LIST_JOINERS = frozenset({"and", "&", "+", "/", "or"})  # not ",": "skip the DOOH, OOH set"
_NOUN_FORMS = {form: noun for noun, forms in v.AMBIGUOUS_NOUNS.items() for form in forms}


def read_targets(
    c: Clause, notes: list[str], asks: list[Ask] | None = None, excluded: list[str] | None = None
) -> tuple[list[str], bool]:
    """Consume channel words in a clause: (spec names, whether "all"/"everything" stood alone).

    Channels written after "except" / "minus" / "no" go to ``excluded`` instead.
    """
    asks = asks if asks is not None else []
    items, double = _read_items(c)
    left_out = [item for item in items if item.excluded]
    items = _merge_apposition(_share_kinds(_join_platforms([item for item in items if not item.excluded])))
    for item in left_out:
        found = resolve(item, [], [])
        if excluded is not None:
            excluded.extend(name for name in found if name not in excluded)
    specs: list[str] = []
    per_item: list[tuple[Item, list[str]]] = []
    lone_all = False
    for k, item in enumerate(items):
        if (item.all or item.usual) and not (item.specs or item.groups or item.shapes or item.nouns):
            lone_all = True
        if item.family or item.all:  # "the banner set": banners as a family, not one banner
            item.groups += [
                "iab" if noun == "banner" else noun for noun in item.nouns if noun in ("banner", "hero")
            ]
            item.nouns = [noun for noun in item.nouns if noun not in ("banner", "hero")]
        if "hero" in item.nouns and "banner" in item.nouns:  # "hero banner": the hero names the placement
            item.nouns.remove("banner")
        if item.shapes and not (item.words or item.all or item.usual):
            # "DOOH landscape + portrait", "landscape + portrait DOOH screens": the neighbour's platform
            item.context = _neighbour_pool(items, k)
        resolved = resolve(item, notes, asks)
        per_item.append((item, resolved))
        specs += [name for name in resolved if name not in specs]
    if double:
        specs = _doubled(specs, [name for item, names in per_item if item.double for name in names], notes)
    return specs, lone_all


def _read_items(c: Clause) -> tuple[list[Item], bool]:
    """The clause's channel words as list items; whether "2x"/"retina" was written."""
    items: list[Item] = [Item()]
    double = False
    i = 0
    while i < len(c.tokens):
        tok = c.tokens[i]
        item = items[-1]
        if not c.free(i) or tok.low in SEPARATORS:
            if c.free(i):
                c.use(i, i + 1, "separator")
            lead = tok.low if c.tokens[i].role == "separator" else ""
            # "except print and OOH": the exclusion runs on through the list
            items.append(Item(lead=lead, excluded=item.excluded and lead in _LIST_JOINERS))
            i += 1
            continue
        if tok.low in v.EXCLUDE_WORDS and _channel_follows(c, i):
            end = c.skip(i + 1, v.EXCLUDE_WORDS | {"the", "any", "for"})
            c.use(i, end, "exclude")
            items.append(Item(excluded=True))
            i = end
            continue
        n, word = 1, True
        if tok.low == "pin" and c.low(c.skip(i + 1)) in v.BRAND_WORDS | {"it", "them"}:
            c.use(i, i + 1, "verb")  # "pin the logo top left": a verb, not a Pinterest Pin
            i += 1
            continue
        if tok.low in v.SPEC_NAMES:
            item.specs.append(tok.low)
        elif found := c.phrase_at(i, v.SPEC_ALIASES):
            n, name = found
            item.specs.append(name)
        elif tok.low in _NOUN_FORMS:
            item.nouns.append(_NOUN_FORMS[tok.low])
        elif found := c.phrase_at(i, v.GROUP_ALIASES):
            n, group = found
            item.groups.append(group)
        elif shaped := shape_at(c, i):
            n, shape = shaped
            item.shapes.append(shape)
            word = False
        elif tok.low in v.ALL_WORDS:
            item.all, word = True, False
        elif tok.low in v.USUAL_WORDS:
            item.usual, word = True, False
        elif tok.low in v.DOUBLE_WORDS:
            double, item.double, word = True, True, False
        elif tok.low in v.SET_WORDS and not item.empty:
            item.family, word = True, False
        else:
            i += 1  # filler or unknown: reported later, does not end the item
            continue
        if word:
            item.words.append(c.span(i, i + n))
        c.use(i, i + n, "target")
        i += n
    return [item for item in items if not item.empty], double


def _channel_follows(c: Clause, i: int) -> bool:
    j = c.skip(i + 1, v.EXCLUDE_WORDS | {"the", "any", "for"})
    if not c.free(j):
        return False
    tok = c.tokens[j]
    return (
        tok.kind in ("size", "ratio")
        or tok.low in v.SPEC_NAMES
        or c.phrase_at(j, v.SPEC_ALIASES) is not None
        or c.phrase_at(j, v.GROUP_ALIASES) is not None
        or tok.low in _NOUN_FORMS
    )


def _share_kinds(items: list[Item]) -> list[Item]:
    """ "FB + IG + LinkedIn feed": platforms joined by "+" or "/" share the kind named after them."""
    for n, item in enumerate(items):
        kinds = [g for g in item.groups if g not in v.PLATFORM_GROUPS and g not in v.CONTEXT_GROUPS]
        k = n
        while kinds and k > 0 and items[k].lead in ("+", "/", "&"):
            prev = items[k - 1]
            if not prev.groups or prev.specs or prev.nouns or prev.shapes:
                break
            if not all(g in v.PLATFORM_GROUPS for g in prev.groups):
                break
            if members([*prev.groups, *kinds]) and all(
                set(prev.groups) & set(s.groups) for s in members([*prev.groups, *kinds])
            ):
                prev.groups = [*prev.groups, *kinds]
            k -= 1
    return items


def _neighbour_pool(items: list[Item], n: int) -> list[str]:
    """The specs the nearest item with channel words stands for (the previous one first)."""
    for near in (items[n - 1] if n else None, items[n + 1] if n + 1 < len(items) else None):
        if near is None or not (near.groups or near.specs):
            continue
        pool = {s.name for s in members(near.groups)} if near.groups else set()
        platforms = {get_spec(name).platform for name in near.specs}
        return [s.name for s in SPECS if s.name in pool or s.platform in platforms]
    return []


def _join_platforms(items: list[Item]) -> list[Item]:
    """ "fb/ig feed", "X/Twitter": platforms joined by a slash share what follows them."""
    out: list[Item] = []
    for item in items:
        last = out[-1] if out else None
        if (
            last is not None
            and item.lead == "/"
            and last.groups
            and all(g in v.PLATFORM_GROUPS for g in last.groups)
            and not (last.specs or last.nouns or last.shapes)
        ):
            item.groups = [*last.groups, *item.groups]
            item.words = [*last.words, *item.words]
            item.lead = last.lead
            out[-1] = item
        else:
            out.append(item)
    return out


def _merge_apposition(items: list[Item]) -> list[Item]:
    """ "a wide banner for the website, 21:9": one deliverable described twice, not two.

    Only when the clause is exactly a description (nouns, context or orientation words; no name, no
    set) and a bare ratio or size: then the size decides and the description narrows.
    """
    if len(items) != 2 or items[1].lead not in (",", ""):
        return items
    described, sized = items if not items[0].shapes or items[1].shapes else items[::-1]
    bare = all(s.explicit for s in sized.shapes) and not (sized.specs or sized.groups or sized.nouns)
    loose = not (described.specs or described.family or described.all or described.usual) and (
        described.nouns or any(g in v.CONTEXT_GROUPS for g in described.groups)
    )
    if sized.shapes and bare and loose and all(not s.explicit for s in described.shapes):
        described.shapes += sized.shapes
        return [described]
    return items


def _doubled(specs: list[str], marked: list[str], notes: list[str]) -> list[str]:
    """Each spec's 2× upload where the catalogue has one (DV360's 600×500 for a 300×250).

    "MREC and LB @2x": every unit of the clause that has a 2× version gets it; a unit without one is
    noted only when "2x" was written next to it.
    """
    out, missing = [], []
    for name in specs:
        w, h = get_spec(name).size
        twin = next((s.name for s in SPECS if s.size == (2 * w, 2 * h)), None)
        out.append(twin or name)
        if twin is None and name in marked:
            missing.append(name)
        elif twin is not None:
            notes.append(f"read 2× as `{twin}` ({2 * w}×{2 * h}), the double-density upload of `{name}`")
    if missing:
        notes.append(
            f"no 2× version of {', '.join(f'`{m}`' for m in missing)} in the catalogue; made at 1× "
            "(see `keyart specs`)"
        )
    return list(dict.fromkeys(out))
