"""Plan validation and grouping into jobs."""

from __future__ import annotations

import pytest

from pipeline.errors import BadRequest, EngineUnavailable
from pipeline.jobs import work_units
from pipeline.plan import Plan, Step


def _variant(name: str, spec: str, source: str = "master") -> list[Step]:
    return [
        Step(id=f"{name}.fit", op="fit", params={"spec": spec}, input=source, variant=name),
        Step(id=f"{name}.export", op="export", params={"spec": spec}, input=f"{name}.fit", variant=name),
    ]


def test_valid_plan_groups_into_units() -> None:
    swap = Step(id="edit.swap-jp", op="swap", params={"region": "background", "color": "#223344"})
    plan = Plan(steps=[*_variant("story", "story"), swap, *_variant("story-jp", "story", "edit.swap-jp")])
    plan.validate_plan(engine="classical", max_variants=60)
    units = work_units(plan)
    assert [(u.name, u.input, [s.op for s in u.steps]) for u in units] == [
        ("story", "master", ["fit", "export"]),
        ("edit.swap-jp", "master", ["swap"]),
        ("story-jp", "edit.swap-jp", ["fit", "export"]),
    ]
    assert plan.variants() == ["story", "story-jp"]
    assert units[0].spec == "story"


def test_forward_reference_is_refused() -> None:
    plan = Plan(steps=[Step(id="a", op="fit", params={"spec": "story"}, input="b")])
    with pytest.raises(BadRequest, match="not an earlier step"):
        plan.validate_plan(engine="classical", max_variants=5)


def test_too_many_variants() -> None:
    plan = Plan(steps=[s for i in range(3) for s in _variant(f"v{i}", "story")])
    with pytest.raises(BadRequest, match="3 variants; the limit is 2"):
        plan.validate_plan(engine="classical", max_variants=2)


def test_engine_support_checked() -> None:
    plan = Plan(steps=[Step(id="g", op="generate", params={"prompt": "runner in a raincoat"})])
    with pytest.raises(EngineUnavailable):
        plan.validate_plan(engine="classical", max_variants=5)
    plan.validate_plan(engine="diffusion", max_variants=5)


@pytest.mark.parametrize("bad", ["../x", "a/b", ".hidden", "a b"])
def test_step_names_are_file_safe(bad: str) -> None:
    with pytest.raises(ValueError):
        Step(id="ok", op="fit", params={}, variant=bad)
