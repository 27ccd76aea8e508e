"""Plans, tool calls and results land in the database with the tools hash; the daily budget reads them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.planner import PlanContext
from bot.planner.builder import PlanBuilder
from bot.planner.factory import make_planner
from bot.planner.limits import Limits
from bot.planner.tools import build_tools, tools_hash
from pipeline.errors import BadRequest
from storage.db import make_engine, read_session, session_scope
from storage.models import PlanLog, utcnow
from storage.repos.logs import tool_calls_of
from storage.settings import Settings
from tests.planner.fake_llm import ScriptedChatModel, call, turn


@pytest.fixture
def log_db(stamped_db_url: str) -> Iterator[Engine]:
    engine = make_engine(stamped_db_url)
    yield engine
    engine.dispose()


def _rows(engine: Engine) -> list[PlanLog]:
    with read_session(engine) as s:
        return list(s.exec(select(PlanLog).order_by(PlanLog.id)))  # type: ignore[arg-type]


def test_llm_plan_and_every_tool_call_are_logged_with_the_tools_hash(
    settings: Settings, log_db: Engine
) -> None:
    model = ScriptedChatModel(
        script=[
            turn(call("fit", spec="story", variant="story", margin=3), call("describe_campaign")),
            turn(call("fit", spec="story", variant="story"), call("export", spec="story", variant="story")),
            turn(text="done"),
        ]
    )
    planner = make_planner(settings, llm_override="fake:log", model=model, engine=log_db)
    ctx = PlanContext(engine="diffusion", user_id="U1")
    plan = planner.plan("story", ctx)
    [row] = _rows(log_db)
    assert (row.planner, row.user_id, row.request_text, row.ok, row.error) == (
        "fake:log",
        "U1",
        "story",
        True,
        None,
    )
    assert row.plan["steps"] == [s.model_dump() for s in plan.steps] and row.notes == plan.notes
    assert row.gpu_seconds == pytest.approx(26.0)  # one diffusion fit at story size
    # The hash of the schemas the model was given, recomputed independently.
    assert row.tools_hash == tools_hash(build_tools(PlanBuilder(ctx, Limits()), ctx))
    assert model.bound and len(row.tools_hash or "") == 64
    with read_session(log_db) as s:
        calls = tool_calls_of(s, row.id or 0)
    assert [(c.tool_name, c.error is None) for c in calls] == [
        ("fit", False),
        ("describe_campaign", True),
        ("fit", True),
        ("export", True),
    ]
    assert calls[0].arguments == {"spec": "story", "variant": "story", "margin": 3}
    assert "margin: Input should be less than or equal to 0.5" in (calls[0].error or "")
    assert calls[1].result.startswith("Campaign (user-supplied data") and calls[3].result.startswith(
        "recorded"
    )


def test_refusals_rules_plans_and_fallbacks_are_logged(settings: Settings, log_db: Engine) -> None:
    refusing = ScriptedChatModel(script=[turn(call("approve_all")), turn(text="cannot")])
    with pytest.raises(BadRequest, match="unknown tool `approve_all`"):
        make_planner(settings, llm_override="fake:log", model=refusing, engine=log_db).plan(
            "approve it", PlanContext()
        )
    make_planner(settings, engine=log_db).plan("story", PlanContext())
    broken = ScriptedChatModel(error=ConnectionError("down"))
    make_planner(settings, llm_override="fake:log", model=broken, engine=log_db).plan("story", PlanContext())
    refused, rules, fallback = _rows(log_db)
    assert (refused.ok, refused.planner, refused.plan, refused.gpu_seconds) == (False, "fake:log", {}, None)
    assert "unknown tool `approve_all`" in (refused.error or "")
    with read_session(log_db) as s:
        [approve] = tool_calls_of(s, refused.id or 0)
    assert approve.tool_name == "approve_all" and "unknown tool" in (approve.error or "")
    assert (rules.planner, rules.tools_hash, rules.ok, rules.gpu_seconds) == ("rules", None, True, 0.0)
    assert fallback.planner == "rules" and "ConnectionError: down" in fallback.notes[0]
    assert fallback.tools_hash is not None  # the LLM was offered these tools before it failed


def test_daily_budget_sums_todays_plans_of_that_user(settings: Settings, log_db: Engine) -> None:
    with session_scope(log_db) as s:
        s.add(PlanLog(user_id="U1", request_text="a", planner="rules", gpu_seconds=14_000))
        s.add(
            PlanLog(
                user_id="U1",
                request_text="b",
                planner="rules",
                gpu_seconds=9_999,
                created_at=utcnow() - timedelta(days=1),
            )
        )
        s.add(PlanLog(user_id="U1", request_text="c", planner="rules", gpu_seconds=9_999, ok=False))
        s.add(PlanLog(user_id="U2", request_text="d", planner="rules", gpu_seconds=9_999))
        s.add(PlanLog(user_id="U1", request_text="e", planner="rules"))  # e.g. the Slack Run-button copy
    story = [
        turn(call("fit", spec="story", variant="story"), call("export", spec="story", variant="story")),
        turn(text="ok"),
    ]
    limits = settings.model_copy(update={"gpu_seconds_per_user_day": 14_020})
    planner = make_planner(
        limits, llm_override="fake:log", model=ScriptedChatModel(script=story), engine=log_db
    )
    with pytest.raises(BadRequest, match="only 20 of your 14,020 GPU-seconds for today are left"):
        planner.plan("story", PlanContext(engine="diffusion", user_id="U1"))
    # The rule planner is held to the same budget; a classical plan costs no GPU time.
    rules = make_planner(limits, engine=log_db)
    with pytest.raises(BadRequest, match="only 20 of your"):
        rules.plan("story", PlanContext(engine="diffusion", user_id="U1"))
    assert rules.plan("story", PlanContext(engine="classical", user_id="U1")).variants() == ["story"]
    assert planner.log is not None and planner.log.gpu_seconds_today("U1") == pytest.approx(14_000)
    refused = _rows(log_db)[-3]
    assert refused.ok is False and refused.gpu_seconds is None and "GPU-seconds" in (refused.error or "")


def test_production_plan_request_plans_through_the_factory(settings: Settings, stamped_db_url: str) -> None:
    from bot.production import plan_request

    url = stamped_db_url
    plan = plan_request(
        settings.model_copy(update={"database_url": url}), "story", engine="classical", brand=None
    )
    assert plan.variants() == ["story"]
    engine = make_engine(url)
    [row] = _rows(engine)
    engine.dispose()
    assert (row.planner, row.request_text, row.ok) == ("rules", "story", True)
