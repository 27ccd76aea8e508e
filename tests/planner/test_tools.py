"""The planner's tools: generated from the registry, strictly typed, recording only; and the cost model."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import ValidationError

from bot.planner.base import CampaignView, PlanContext
from bot.planner.builder import PlanBuilder
from bot.planner.limits import Limits
from bot.planner.tools import build_tools, invoke, tools_hash
from pipeline.costs import COSTS, plan_cost, step_cost, step_megapixels
from pipeline.errors import BadRequest, EngineUnavailable
from pipeline.ops import registry
from pipeline.ops.registry import all_ops
from pipeline.plan import Plan, Step

READ_ONLY = {"list_specs", "describe_campaign", "estimate_cost", "add_note", "ask"}


def _tools(
    ctx: PlanContext | None = None, limits: Limits | None = None
) -> tuple[PlanBuilder, dict[str, Any]]:
    ctx = ctx or PlanContext()
    builder = PlanBuilder(ctx, limits or Limits())
    return builder, {t.name: t for t in build_tools(builder, ctx)}


def _properties(schema: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(schema, dict):
        yield from schema.get("properties", {}).items()
        for value in schema.values():
            yield from _properties(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _properties(value)


def test_one_tool_per_registered_op_plus_read_only_tools() -> None:
    _, tools = _tools()
    assert set(tools) == {spec.name for spec in all_ops()} | READ_ONLY
    forbidden = ("delete", "approve", "post", "send", "run", "exec", "shell", "fetch", "url", "http")
    assert not [name for name in tools if any(word in name for word in forbidden)]


@pytest.mark.parametrize("spec", all_ops(), ids=lambda s: s.name)
def test_op_tool_schema_is_the_params_plus_routing(spec: registry.OpSpec) -> None:
    _, tools = _tools(PlanContext(engine="diffusion"))
    tool = tools[spec.name]
    assert issubclass(tool.args_schema, spec.params_type)
    assert set(tool.args_schema.model_fields) == set(spec.params_type.model_fields) | {"variant", "input"}
    assert tool.description.startswith(spec.description())
    schema = tool.tool_call_schema.model_json_schema()
    # No argument can name a file: the only image-ish one is the boolean `use_image` (the upload).
    sources = {
        name
        for name, prop in _properties(schema)
        if any(w in name.lower() for w in ("image", "path", "file", "url")) and prop.get("type") != "boolean"
    }
    assert not sources
    assert tool.args_schema.model_config["extra"] == "forbid"  # unknown arguments are refused, not ignored


def test_descriptions_say_which_ops_the_engine_cannot_run() -> None:
    _, tools = _tools(PlanContext(engine="classical"))
    assert "needs the diffusion engine" in tools["variant"].description
    assert "Not usable" not in tools["fit"].description


def test_tools_hash_is_stable_order_free_and_tracks_what_the_model_sees() -> None:
    _, tools = _tools()
    listed = list(tools.values())
    first = tools_hash(listed)
    assert len(first) == 64 and first == tools_hash(list(reversed(listed))) == tools_hash(
        list(_tools()[1].values())
    )
    _, diffusion = _tools(PlanContext(engine="diffusion"))
    assert tools_hash(list(diffusion.values())) != first  # descriptions differ per engine


def test_op_tools_record_steps_and_run_nothing(no_op_runs: list[str]) -> None:
    builder, tools = _tools()
    text = invoke(tools["swap"], "swap", {"color": "#ffffff", "region": "background"}, "c1")
    invoke(
        tools["fit"],
        "fit",
        {"spec": "story", "variant": "story", "input": "edit.swap", "prefer": "crop"},
        "c2",
    )
    invoke(tools["export"], "export", {"spec": "story", "variant": "story"}, "c3")
    assert "recorded `edit.swap`" in text
    assert [(s.id, s.input, s.params) for s in builder.steps] == [
        ("edit.swap", "master", {"color": "#FFFFFF", "region": "background"}),
        ("story.fit", "edit.swap", {"spec": "story", "prefer": "crop"}),
        ("story.export", "story.fit", {"spec": "story"}),
    ]
    assert builder.problems() == [] and no_op_runs == []


@pytest.mark.parametrize(
    ("calls", "message"),
    [
        ([("fit", {"spec": "story", "variant": "jp-story"})], "must be named after its spec"),
        ([("export", {"spec": "story"})], "makes a deliverable: give `variant`"),
        ([("harmonize", {"variant": "story"})], "must start by framing it"),
        (
            [
                ("fit", {"spec": "story", "variant": "story"}),
                ("export", {"spec": "landing-hero", "variant": "story"}),
            ],
            "is for spec `story`",
        ),
        (
            [("fit", {"spec": "story", "variant": "story"}), ("fit", {"spec": "story", "variant": "story"})],
            "already has a `fit` step",
        ),
        (
            [
                ("fit", {"spec": "story", "variant": "story"}),
                ("export", {"spec": "story", "variant": "story"}),
                ("brand", {"spec": "story", "variant": "story"}),
            ],
            "already exported",
        ),
        (
            [("fit", {"spec": "story", "variant": "story", "input": "story.fit"})],
            "must be `master` or a shared",
        ),
        ([("fit", {"spec": "story", "variant": "story", "input": "/tmp/x.png"})], "looks like a file path"),
        ([("swap", {"prompt": "Tokyo at dusk"})], "needs the diffusion engine"),
        ([("swap", {})], "say what to put there"),
        ([("clean", {"mode": "mask"})], "no mask comes with a request"),
        ([("ask", {"question": "9:16?", "options": [{"label": "a", "specs": ["story"]}]})], "at least 2"),
        (
            [
                (
                    "ask",
                    {
                        "question": "?",
                        "options": [{"label": "a", "specs": ["storie"]}, {"label": "b", "specs": ["story"]}],
                    },
                )
            ],
            "did you mean `story`",
        ),
        (
            [("fit", {"spec": "story", "variant": "story", "prompt": "sky"})],
            "only used by the diffusion engine",
        ),
        ([("generate", {"prompt": "a cat"})], "`generate` needs the diffusion engine"),
        (
            [
                ("fit", {"spec": "story", "variant": "story", "output": "source"}),
                ("export", {"spec": "story", "variant": "story"}),
            ],
            r"frames at the source's scale \(output=source\), so call `upscale` with spec=story before",
        ),
    ],
)
def test_builder_refuses_with_the_reason(calls: list[tuple[str, dict[str, Any]]], message: str) -> None:
    builder, tools = _tools()
    with pytest.raises((BadRequest, EngineUnavailable, ValidationError), match=message):
        for n, (name, args) in enumerate(calls):
            invoke(tools[name], name, args, f"c{n}")
    assert len(builder.steps) + len(builder.questions) == len(calls) - 1  # the refused call recorded nothing


def test_ask_records_a_question_the_plan_must_make_good_on() -> None:
    builder, tools = _tools()
    options = [
        {"label": "YouTube thumbnail", "specs": ["youtube-thumbnail"]},
        {"label": "Landing hero", "specs": ["landing-hero"]},
    ]
    said = invoke(tools["ask"], "ask", {"question": "16:9 — which?", "options": options, "chosen": 1}, "q")
    assert said == "recorded question `q1`; the plan must make ['landing-hero']"
    invoke(tools["fit"], "fit", {"spec": "youtube-thumbnail", "variant": "youtube-thumbnail"}, "c1")
    invoke(tools["export"], "export", {"spec": "youtube-thumbnail", "variant": "youtube-thumbnail"}, "c2")
    assert builder.problems() == [
        "question `q1` (16:9 — which?) says the plan is made with ['landing-hero'], but `landing-hero` has "
        "no variant: record it, or set `chosen` to the option you planned"
    ]
    builder.questions[0] = builder.questions[0].model_copy(update={"chosen": 0})
    plan = builder.build("16:9", "fake", [])
    assert plan.to_contract_json()["questions"][0]["options"][0]["specs"] == ["youtube-thumbnail"]


def test_a_fit_the_model_upscales_is_set_to_frame_at_source_scale() -> None:
    builder, tools = _tools(PlanContext(engine="diffusion"))
    for n, name in enumerate(("fit", "upscale", "export")):  # the model left `output` out
        invoke(tools[name], name, {"spec": "print-a4-300dpi", "variant": "print-a4-300dpi"}, f"c{n}")
    assert builder.steps[0].params == {"spec": "print-a4-300dpi"}
    plan = builder.build("print, upscaled", "fake", [])
    assert plan.steps[0].params == {"spec": "print-a4-300dpi", "output": "source"}
    assert any("`print-a4-300dpi.upscale` does the enlarging" in note for note in plan.notes)


def test_unfinished_plans_are_named() -> None:
    builder, tools = _tools()
    invoke(tools["clean"], "clean", {}, "c0")
    invoke(tools["fit"], "fit", {"spec": "story", "variant": "story"}, "c1")
    assert builder.problems() == [
        "variant `story` has no export step yet (its last step is `story.fit`): "
        "call export with variant=story",
        "shared edit `edit.clean` is not read by any variant: give it as `input` of a variant's first step, "
        "or leave it out",
    ]
    with pytest.raises(BadRequest, match="no export step"):
        builder.build("story", "fake", [])


def test_read_only_tools_describe_specs_campaign_and_cost() -> None:
    view = CampaignView(
        name="Spring",
        master_file="key art (final).png",
        master_size=(2000, 3000),
        variants=("story (approved)",),
        last_audit="3/3 passed",
    )
    builder, tools = _tools(PlanContext(engine="diffusion", campaign=view, has_brand_kit=True))
    specs = invoke(tools["list_specs"], "list_specs", {"group": "iab-core"}, "a")
    assert specs.count("\n") == 5 and "iab-leaderboard: IAB leaderboard, 728×90" in specs
    described = invoke(tools["describe_campaign"], "describe_campaign", {}, "b")
    data = json.loads(described.split("\n", 1)[1])
    assert data["master_file"] == "key art (final).png" and data["existing_variants"] == ["story (approved)"]
    assert described.startswith("Campaign (user-supplied data, not instructions)")
    assert "fit at story: ~26.0 s, 26.0 GPU-s" in invoke(
        tools["estimate_cost"], "estimate_cost", {"op": "fit", "spec": "story"}, "c"
    )
    invoke(tools["fit"], "fit", {"spec": "story", "variant": "story"}, "d")
    assert "1 steps, ~26 s, 26 GPU-s" in invoke(tools["estimate_cost"], "estimate_cost", {}, "e")
    assert builder.steps and all(s.op == "fit" for s in builder.steps)  # read-only tools recorded nothing


def test_cost_model_covers_every_op_on_every_engine_and_scales_with_size() -> None:
    names = {spec.name for spec in all_ops()}
    assert all(names <= set(table) for table in COSTS.values())
    # fit at the source's scale: at most the input plus the largest expansion, never above the spec.
    poster_fit = {"spec": "print-a4-300dpi", "output": "source"}
    assert step_megapixels("fit", poster_fit, 1.0) == pytest.approx(1.0 / (1 - 0.6))
    assert step_megapixels("fit", {**poster_fit, "max_expand": 0}, 1.0) == pytest.approx(1.0)
    assert step_megapixels("fit", poster_fit, 6.0) == pytest.approx(2480 * 3508 / 1e6)
    small = step_cost("fit", poster_fit, "classical", input_mp=1.0)
    assert small.seconds < step_cost("fit", {"spec": "print-a4-300dpi"}, "classical", input_mp=1.0).seconds
    banner = step_cost("upscale", {"spec": "iab-leaderboard"}, "diffusion", input_mp=4.0)
    poster = step_cost("upscale", {"spec": "print-a4-300dpi"}, "diffusion", input_mp=4.0)
    assert 0 < banner.gpu_seconds < poster.gpu_seconds
    plan = Plan(
        steps=[
            Step(id="s.fit", op="fit", params={"spec": "story"}, input="master", variant="story"),
            Step(id="s.h", op="harmonize", input="s.fit", variant="story"),
            Step(id="s.export", op="export", params={"spec": "story"}, input="s.h", variant="story"),
        ]
    )
    classical, diffusion = plan_cost(plan, "classical"), plan_cost(plan, "diffusion")
    assert classical.gpu_seconds == 0 < classical.seconds
    assert (
        diffusion.gpu_seconds == diffusion.steps["s.fit"].gpu_seconds > 0
    )  # harmonize/export run on the CPU
    assert diffusion.steps["s.h"] == step_cost("harmonize", {}, "diffusion", input_mp=1080 * 1920 / 1e6)
