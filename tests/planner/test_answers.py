"""Questions in plans: the model's checks, the contract JSON, and answering (the plan that then runs)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.planner import PlanContext, RulePlanner
from bot.planner.answers import apply_answer
from pipeline.errors import BadRequest
from pipeline.plan import Plan
from pipeline.questions import Question

PLANNER = RulePlanner()


def _plan(request: str, **ctx: object) -> Plan:
    return PLANNER.plan(request, PlanContext(**ctx))  # type: ignore[arg-type]


def test_an_unambiguous_plan_keeps_the_contract_json_exactly() -> None:
    assert set(_plan("story and the IAB set").to_contract_json()) == {"steps", "notes"}
    data = _plan("16:9").to_contract_json()
    assert set(data) == {"steps", "notes", "questions"}
    assert data["questions"][0]["options"][1] == {
        "label": "YouTube thumbnail 1280×720",
        "specs": ["youtube-thumbnail"],
    }


def test_plans_with_questions_survive_the_database_round_trip() -> None:
    plan = _plan("a banner and a 16:9")
    assert Plan.model_validate(plan.model_dump()) == plan
    assert Plan.model_validate({"steps": [], "notes": []}).questions == []  # plans stored before issue 14


def test_answering_swaps_the_chain_for_every_version() -> None:
    plan = _plan("16:9 with the logo; JP version with a white background", has_brand_kit=True)
    answered = apply_answer(plan, "q1", 1)
    assert answered.questions == [] and answered.variants() == ["youtube-thumbnail", "youtube-thumbnail-jp"]
    chain = [
        (s.id, s.op, s.params.get("spec"), s.input)
        for s in answered.steps
        if s.variant == "youtube-thumbnail-jp"
    ]
    assert chain == [
        ("youtube-thumbnail-jp.fit", "fit", "youtube-thumbnail", "edit.swap-jp"),
        ("youtube-thumbnail-jp.brand", "brand", "youtube-thumbnail", "youtube-thumbnail-jp.fit"),
        ("youtube-thumbnail-jp.export", "export", "youtube-thumbnail", "youtube-thumbnail-jp.brand"),
    ]
    assert answered.validate_plan(engine="classical", max_variants=60) == answered
    assert plan.questions[0].note not in answered.notes  # the "read 16:9 as …" note is answered now


def test_answering_a_set_with_one_spec_and_back() -> None:
    plan = _plan("story, upscale the hero for print and a banner")
    question = next(q for q in plan.questions if q.text.startswith("Banner"))
    leaderboard = next(i for i, o in enumerate(question.options) if o.specs == ["iab-leaderboard"])
    answered = apply_answer(plan, question.id, leaderboard)
    assert answered.variants() == ["story", "print-a4-300dpi", "iab-leaderboard"]
    assert [s.op for s in answered.steps if s.variant == "print-a4-300dpi"] == ["fit", "upscale", "export"]
    hero = _plan("web hero")
    only_21x9 = apply_answer(hero, "q1", 2)
    assert only_21x9.variants() == ["web-hero-21x9"]


def test_keeping_the_planned_reading_changes_no_step() -> None:
    plan = _plan("billboard")
    assert apply_answer(plan, "q1", plan.questions[0].chosen).steps == plan.steps


@pytest.mark.parametrize(("question_id", "option"), [("q9", 0), ("q1", 7)])
def test_answers_to_no_question_are_refused(question_id: str, option: int) -> None:
    with pytest.raises(BadRequest):
        apply_answer(_plan("16:9"), question_id, option)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"options": [{"label": "a", "specs": ["story"]}]}, "at least 2"),
        ({"chosen": 3}, "chosen=3"),
        (
            {"options": [{"label": "a", "specs": ["storie"]}, {"label": "b", "specs": ["story"]}]},
            "did you mean",
        ),
        ({"options": [{"label": "a", "specs": ["story"]}, {"label": "b", "specs": ["story"]}]}, "same specs"),
    ],
)
def test_question_model_checks(data: dict[str, object], message: str) -> None:
    base = {
        "id": "q1",
        "text": "9:16?",
        "options": [{"label": "a", "specs": ["story"]}, {"label": "b", "specs": ["meta-reels"]}],
    }
    with pytest.raises(ValidationError, match=message):
        Question.model_validate(base | data)


def test_a_plan_whose_question_names_what_it_does_not_make_is_invalid() -> None:
    plan = _plan("16:9")
    wrong = plan.model_copy(update={"questions": [plan.questions[0].model_copy(update={"chosen": 1})]})
    with pytest.raises(BadRequest, match="no variant for `youtube-thumbnail`"):
        wrong.validate_plan(engine="classical", max_variants=60)
