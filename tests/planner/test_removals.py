"""Removals name something in the photo: never our brand layer (issue 14), always reported.

Without a brand kit no removal phrasing may bring a logo. With one, a logo, text or watermark to
remove keeps the kit's logo off too (unless ours is asked for by name); removing a coffee stain
leaves the kit's usual branding alone.
"""

from __future__ import annotations

import itertools

import pytest

from bot.planner import PlanContext, RulePlanner
from pipeline.errors import BadRequest

PLANNER = RulePlanner()
VERBS = ("remove", "Remove", "erase", "get rid of", "Get rid of", "take out", "delete", "wipe", "lose")
THINGS = (
    "the logo",
    "the old logo",
    "their logo",
    "the logo in the corner",
    "the logo from the photo",
    "the watermark",
    "the text",
    "the copy on the sign",
    "the brand logo",
    "the logos",
    "the tagline",
    "the caption",
    "the watermarks",
)
OTHER_THINGS = ("the coffee stain", "the person on the left")
CHANNELS = ("story", "IAB set", "story + MREC", "usual set")


def _phrasings(things: tuple[str, ...] = THINGS) -> list[str]:
    made = []
    for n, (verb, thing) in enumerate(itertools.product(VERBS, things)):
        channels = CHANNELS[n % len(CHANNELS)]
        made += [
            f"{verb} {thing}, {channels}",
            f"{channels}; {verb} {thing}",
            f"{verb} {thing} and do the {channels}",
        ]
    return made


PHRASINGS = _phrasings()


@pytest.mark.parametrize(
    ("kit", "phrasings"),
    [(False, PHRASINGS + _phrasings(OTHER_THINGS)), (True, PHRASINGS)],
    ids=["no-kit", "brand-kit"],
)
@pytest.mark.parametrize("engine", ["classical", "diffusion"])
def test_no_removal_yields_a_brand_step_with_a_logo(kit: bool, phrasings: list[str], engine: str) -> None:
    assert len(phrasings) >= 300
    offenders = []
    for request in phrasings:
        try:
            plan = PLANNER.plan(request, PlanContext(engine=engine, has_brand_kit=kit))
        except BadRequest as exc:
            offenders.append(f"{request!r} refused: {exc}")
            continue
        if any(s.op == "brand" and s.params.get("use_logo", True) for s in plan.steps):
            offenders.append(f"{request!r} places a logo")
        if not any("needs a mask" in note for note in plan.notes):
            offenders.append(f"{request!r} does not say what the removal needs: {plan.notes}")
        if any("didn't understand" in note for note in plan.notes):
            offenders.append(f"{request!r} left words out: {plan.notes}")
    assert offenders == []


@pytest.mark.parametrize(
    "request_text",
    [
        "remove the specks, story",
        "get rid of the dust on the hero image, story",
        "erase the scratches; story",
    ],
)
def test_specks_and_dust_are_what_clean_finds_by_itself(request_text: str) -> None:
    plan = PLANNER.plan(request_text, PlanContext())
    assert [s.op for s in plan.steps] == ["clean", "fit", "export"] and plan.steps[0].params == {}
    assert not any("needs a mask" in note for note in plan.notes)


def test_a_coffee_stain_leaves_the_kits_branding_alone() -> None:
    plan = PLANNER.plan("story; get rid of the coffee stain", PlanContext(has_brand_kit=True))
    assert [s.op for s in plan.steps] == ["fit", "brand", "export"]


def test_asking_for_our_logo_in_so_many_words_still_places_it() -> None:
    plan = PLANNER.plan("remove their logo, then add our logo; story", PlanContext(has_brand_kit=True))
    assert [s.params.get("use_logo", True) for s in plan.steps if s.op == "brand"] == [True]


def test_a_removal_alone_is_refused_with_what_it_needs() -> None:
    with pytest.raises(BadRequest, match="needs a mask of it"):
        PLANNER.plan("get rid of the coffee stain", PlanContext())
