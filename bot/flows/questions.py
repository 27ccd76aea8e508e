"""Ask back instead of guessing: a plan with an open question is posted with one button per reading.

Clicking a reading runs the plan with that reading (bot/planner/answers.py), exactly once: the
first click claims the question (a unique ``slack_event`` row), so a Slack retry of the same click,
a double click or a second person's click only gets a private "already answered". Cancel claims it
the same way. Only the first question is asked; the others keep their planned reading (the plan's
notes say which).
"""

from __future__ import annotations

from sqlmodel import select

from bot import budget, messages
from bot.access import may_run, refuse
from bot.deps import Deps
from bot.flows.plans import gpu_cost, plan_key, start_batch
from bot.planner.answers import apply_answer
from bot.replies import user_message
from pipeline import campaigns
from pipeline.batches import estimate_seconds, load_plan, save_plan
from pipeline.errors import BadRequest, UserFacingError
from pipeline.plan import Plan
from storage.db import read_session, session_scope
from storage.models import Campaign, SlackEvent
from storage.repos import slack as slack_repo


def ask(
    deps: Deps, plan_id: int, plan: Plan, *, campaign_id: int, channel: str, thread_ts: str, seconds: float
) -> None:
    """Post the plan with its first question as buttons (instead of Run / Cancel or an auto-run)."""
    question = plan.questions[0]
    text = messages.question_text(shown_text(deps, plan, seconds), question)
    deps.outbox.post(
        plan_key(plan_id),
        channel,
        thread_ts,
        text,
        blocks=messages.question_blocks(text, plan_id, question),
        mapping={"kind": "plan", "campaign_id": campaign_id},
    )


def shown_text(deps: Deps, plan: Plan, seconds: float) -> str:
    # The asked question's note says what the buttons say: leave it out of the plan text.
    asked = {q.note for q in plan.questions[:1]}
    visible = plan.model_copy(update={"notes": [n for n in plan.notes if n not in asked]})
    return messages.plan_text(visible, deps.settings, seconds)


def answer_key(plan_id: int, question_id: str) -> str:
    return f"answer:{plan_id}:{question_id}"


def on_answer(
    deps: Deps,
    *,
    plan_id: int,
    question_id: str,
    option: int | None,
    user: str,
    channel: str,
    message_ts: str,
) -> int | None:
    """A reading (``option``) or Cancel (``None``) pressed under a question; returns the plan it runs.

    Who may click is checked before the claim by the same gate as Run (bot/access.py); the
    person who picks a reading is charged for the run.
    """
    late = f"button:{message_ts}:{user}:answer:{question_id}"
    try:
        row, plan = load_plan(deps.runtime, plan_id)
        question = next((q for q in plan.questions if q.id == question_id), None)
        if question is None or (option is not None and not 0 <= option < len(question.options)):
            raise BadRequest("that question is not open any more; ask again")
        answered = None
        if option is not None:  # checked before the claim, so a plan that can't run isn't claimed
            answered = apply_answer(plan, question_id, option).model_copy(update={"questions": []})
            answered = answered.validate_plan(
                engine=deps.settings.engine, max_variants=deps.settings.max_variants
            )
    except UserFacingError as exc:
        deps.outbox.ephemeral(f"{late}:refused", channel, user, user_message(exc))
        return None
    assert row.campaign_id is not None
    with read_session(deps.runtime.engine) as s:
        campaign = s.get(Campaign, row.campaign_id)
    master = (
        campaigns.get_asset(deps.runtime, campaign.master_asset_id)
        if campaign and campaign.master_asset_id
        else None
    )
    if _answered(deps, plan_id, question_id):  # as for Run: a late click hears why, whoever clicks
        deps.outbox.ephemeral(
            f"{late}:{option}:late", channel, user, _answered_by(deps, plan_id, question_id)
        )
        return None
    # The same gate as Run / Cancel (bot/access.py), before the claim: a refused click claims nothing.
    gpu_seconds = gpu_cost(answered, deps.settings.engine, master) if answered is not None else 0.0
    verdict = may_run(
        deps,
        user=user,
        action="cancel" if answered is None else "run",
        campaign=campaign,
        owner=row.user_id,
        gpu_seconds=gpu_seconds,
    )
    if not verdict.allowed:
        where = campaign.slack_thread_ts if campaign else None
        refuse(deps, verdict, key=f"{late}:{option}:refused", channel=channel, user=user, thread_ts=where)
        return None
    if not _claim(deps, plan_id, question_id, option):
        deps.outbox.ephemeral(
            f"{late}:{option}:late", channel, user, _answered_by(deps, plan_id, question_id)
        )
        return None
    thread_ts = (campaign.slack_thread_ts if campaign else None) or message_ts
    seconds = estimate_seconds(answered or plan, deps.settings.engine, master)
    if answered is None:
        done = f"{shown_text(deps, plan, seconds)}\n✖️ Cancelled by <@{user}>."
        deps.outbox.update(channel, done, ts=message_ts, blocks=[messages.section(done)])
        return None
    label = question.options[option or 0].label
    answered = answered.model_copy(
        update={"notes": [*answered.notes, f"{question.text} {label} (<@{user}>)"]}
    )
    run_id = save_plan(deps.runtime, campaign_id=row.campaign_id, user=user, plan=answered)
    started = start_batch(
        deps, run_id, campaign_id=row.campaign_id, channel=channel, thread_ts=thread_ts, user=user
    )
    if started:
        budget.charge(
            deps,
            user,
            gpu_seconds,
            what="run",
            campaign_id=row.campaign_id,
            note=f"plan {run_id} ({label}): {answered.request}",
        )
    done = f"{messages.plan_text(answered, deps.settings, seconds)}\n▶️ *{label}* — started by <@{user}>."
    deps.outbox.update(channel, done, ts=message_ts, blocks=[messages.section(done)])
    return run_id


def _claim(deps: Deps, plan_id: int, question_id: str, option: int | None) -> bool:
    """The first answer to a question wins (a unique row); retries and double clicks lose."""
    with session_scope(deps.runtime.engine) as s:
        return slack_repo.first_delivery(
            s, answer_key(plan_id, question_id), "answer:cancel" if option is None else f"answer:{option}"
        )


def _answered(deps: Deps, plan_id: int, question_id: str) -> bool:
    with read_session(deps.runtime.engine) as s:
        key = answer_key(plan_id, question_id)
        return s.exec(select(SlackEvent).where(SlackEvent.event_id == key)).first() is not None


def _answered_by(deps: Deps, plan_id: int, question_id: str) -> str:
    with read_session(deps.runtime.engine) as s:
        row = s.exec(
            select(SlackEvent).where(SlackEvent.event_id == answer_key(plan_id, question_id))
        ).first()
    if row is not None and row.event_type == "answer:cancel":
        return "This plan was cancelled; ask again to plan it anew."
    return "This question is already answered; the plan is running and results arrive in the thread."
