"""Briefs name their campaign the way people write them (issue 14); the rest stays the brief."""

from __future__ import annotations

import pytest

from bot.briefs import read_brief


@pytest.mark.parametrize(
    ("text", "name", "brief"),
    [
        (
            'new campaign "Spring Sale". Hero: a runner in a yellow raincoat.',
            "Spring Sale",
            "Hero: a runner in a yellow raincoat.",
        ),
        (
            "new campaign: spring sale, hero is our astronaut portrait",
            "spring sale",
            "hero is our astronaut portrait",
        ),
        ("New Campaign spring sale hero is our astronaut", "spring sale", "hero is our astronaut"),
        ("new campaign called Spring Sale. Hero: the runner", "Spring Sale", "Hero: the runner"),
        ("campaign: Aurora — moody night shots of the car", "Aurora", "moody night shots of the car"),
        (
            "Summer Drop campaign: hero is the sneaker on concrete",
            "Summer Drop",
            "hero is the sneaker on concrete",
        ),
        ("kick off the Summer Drop campaign, hero is the sneaker", "Summer Drop", "hero is the sneaker"),
        ("start a new campaign for Nike Air Max: hero is the shoe", "Nike Air Max", "hero is the shoe"),
        (
            "key art for the Aurora X2 launch: astronaut portrait on black",
            "Aurora X2 launch",
            "key art: astronaut portrait on black",
        ),
        ("new campaign 'Winter 24' – astronaut on ice", "Winter 24", "astronaut on ice"),
        ("new campaign: Q3 back to school - kids with backpacks", "Q3 back to school", "kids with backpacks"),
        ('new campaign "Busy"', "Busy", ""),
        ("new campaign", "Untitled", ""),
        (
            "a runner in a yellow raincoat at golden hour",
            "a runner in a yellow raincoat…",
            "a runner in a yellow raincoat at golden hour",
        ),
    ],
)
def test_read_brief(text: str, name: str, brief: str) -> None:
    assert read_brief(text) == (name, brief)
