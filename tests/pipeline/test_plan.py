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


def _upscaled(name: str, spec: str, fit: dict[str, object] | None = None, *between: str) -> list[Step]:
    """fit → [between…] → upscale(spec) → export, as one variant."""
    steps = [Step(id=f"{name}.fit", op="fit", params={"spec": spec, **(fit or {})}, variant=name)]
    for op in (*between, "upscale"):
        params = {"spec": spec} if op in ("upscale", "brand") else {}
        steps.append(Step(id=f"{name}.{op}", op=op, params=params, input=steps[-1].id, variant=name))
    last = steps[-1].id
    return [*steps, Step(id=f"{name}.export", op="export", params={"spec": spec}, input=last, variant=name)]


def test_a_fit_that_upscale_enlarges_frames_at_source_scale_with_a_note() -> None:
    plan = Plan(steps=[*_upscaled("print-a4-300dpi", "print-a4-300dpi"), *_variant("story", "story")])
    checked = plan.validate_plan(engine="classical", max_variants=5)
    fits = {s.id: s.params for s in checked.steps if s.op == "fit"}
    assert fits == {
        "print-a4-300dpi.fit": {"spec": "print-a4-300dpi", "output": "source"},
        "story.fit": {"spec": "story"},  # nothing enlarges the story: drawn at its size
    }
    assert checked.notes == [
        "`print-a4-300dpi.fit` frames at the master's own scale (output=source) so that "
        "`print-a4-300dpi.upscale` does the enlarging to `print-a4-300dpi`"
    ]
    assert plan.steps[0].params == {"spec": "print-a4-300dpi"} and plan.notes == []  # a copy, not a change
    assert checked.validate_plan(engine="classical", max_variants=5) == checked  # nothing more to do
    explicit = Plan(steps=_upscaled("story", "story", {"output": "spec"}, "harmonize"))
    assert explicit.validate_plan(engine="classical", max_variants=5).steps[0].params["output"] == "source"


def test_an_upscale_that_makes_its_own_size_leaves_fit_alone() -> None:
    plan = Plan(steps=_upscaled("story", "story"))
    plan.steps[1].params = {"scale": 2}
    checked = plan.validate_plan(engine="classical", max_variants=5)
    assert checked is plan and "output" not in checked.steps[0].params


@pytest.mark.parametrize("between", [(), ("brand",)])
def test_a_source_scale_fit_without_an_upscale_to_its_spec_is_refused(between: tuple[str, ...]) -> None:
    if between:  # brand would draw its copy at the small scale: the upscale must read fit (or harmonize)
        plan = Plan(steps=_upscaled("story", "story", {"output": "source"}, *between))
    else:
        plan = Plan(steps=_variant("story", "story"))
        plan.steps[0].params["output"] = "source"
    refused = r"`story.fit` frames at the source's scale .* no `upscale` to `story`"
    with pytest.raises(BadRequest, match=refused):
        plan.validate_plan(engine="classical", max_variants=5)


def test_branded_variants_keep_room_for_their_copy() -> None:
    from pipeline.plan import COPY_ROOM

    plan = Plan(steps=[
        Step(id="a.fit", op="fit", params={"spec": "story"}, variant="a"),
        Step(id="a.brand", op="brand", params={"spec": "story", "text": "Shop"}, input="a.fit", variant="a"),
        Step(id="b.fit", op="fit", params={"spec": "story"}, variant="b"),
        Step(id="c.fit", op="fit", params={"spec": "story", "room": 0.3}, variant="c"),
        Step(id="c.brand", op="brand", params={"spec": "story"}, input="c.fit", variant="c"),
    ]).validate_plan(engine="classical", max_variants=5)
    rooms = {s.id: s.params.get("room") for s in plan.steps if s.op == "fit"}
    assert rooms == {"a.fit": COPY_ROOM, "b.fit": None, "c.fit": 0.3}
