"""Layout planning: the panel keeps room for the copy, and only a face or a product may squeeze it."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.engines.classical.layout import MIN_PANEL, plan_layout
from pipeline.engines.classical.subject import Subject
from pipeline.specs import get_spec


def _subject(key: tuple[int, int, int, int], kind: str, size: tuple[int, int] = (1000, 872)) -> Subject:
    return Subject([], key, np.zeros((8, 8), np.float32), 1.0, "saliency", size, key=key,
                   key_kind=kind)  # type: ignore[arg-type]


def _holds(window: tuple[float, ...], key: tuple[int, ...]) -> bool:
    return (window[0] <= key[0] + 1e-6 and window[1] <= key[1] + 1e-6
            and window[2] >= key[2] - 1e-6 and window[3] >= key[3] - 1e-6)


def _panel_share(plan: object, spec_size: tuple[int, int]) -> float:
    x0, y0, x1, y1 = plan.panel  # type: ignore[attr-defined]
    return (x1 - x0) / spec_size[0] if plan.side in ("left", "right") else (y1 - y0) / spec_size[1]  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", ["iab-medium-rectangle", "iab-half-page", "story"])
def test_a_field_without_a_subject_keeps_the_panel_its_room(name: str) -> None:
    """A mass nearly the whole frame (a star field) is trimmed before the panel drops under MIN_PANEL."""
    spec = get_spec(name)
    plan = plan_layout(_subject((40, 30, 990, 860), "mass"), spec, 0.06)
    assert _panel_share(plan, spec.size) >= MIN_PANEL - 0.01


def test_padding_goes_before_the_panel_shrinks() -> None:
    """A product just narrow enough for the photo part without its padding: shown whole, panel kept."""
    spec = get_spec("iab-medium-rectangle")  # 300×250; a full-height part of 80 % is 0.96:1
    key = (100, 20, 920, 860)  # 820×840: fits 0.96:1 only without padding
    plan = plan_layout(_subject(key, "product"), spec, 0.06)
    assert _holds(plan.window, key)
    assert _panel_share(plan, spec.size) >= MIN_PANEL - 0.01


def test_a_product_is_never_cut_even_when_it_squeezes_the_panel() -> None:
    spec = get_spec("iab-medium-rectangle")
    key = (5, 5, 995, 867)  # the product fills the frame
    plan = plan_layout(_subject(key, "product"), spec, 0.06)
    assert _holds(plan.window, key)
    assert _panel_share(plan, spec.size) < MIN_PANEL


def test_a_banner_strip_of_a_field_takes_its_third() -> None:
    """728×90 from a landscape field: a strip of the mass a third wide, not a postage stamp that keeps
    the whole mass."""
    spec = get_spec("iab-leaderboard")
    plan = plan_layout(_subject((100, 80, 900, 800), "mass"), spec, 0.06)
    photo_w = plan.photo[2] - plan.photo[0]
    assert photo_w == pytest.approx(spec.width / 3, abs=2)
