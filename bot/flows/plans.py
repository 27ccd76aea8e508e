"""Requests become plans: posted as a readable summary with Run / Cancel, or run at once when small."""

from __future__ import annotations

from sqlmodel import col, select

from bot import messages
from bot.deps import Deps
from bot.planner import PlanContext
from bot.planner.base import CampaignView
from bot.replies import user_message
from pipeline import campaigns
from pipeline.assets import load_stored_image
from pipeline.batches import estimate_seconds, load_plan, save_plan
from pipeline.campaigns import NO_MASTER
from pipeline.errors import BadRequest, UserFacingError
from pipeline.preflight import framing_notes, resolution_notes
from pipeline.queue_local import task_key
from storage.db import read_session
from storage.models import Asset, AuditRun, Campaign
from storage.repos import jobs as job_repo


def propose(deps: Deps, campaign: Campaign, *, channel: str, thread_ts: str, ts: str, user: str,
            request: str) -> int | None:
    """Plan ``request`` for the campaign and post it; returns the plan id (None if refused)."""
    assert campaign.id is not None
    key = f"request:{channel}:{ts}"
    settings = deps.settings
    try:
        if campaign.master_asset_id is None:
            raise BadRequest(NO_MASTER)
        ctx = PlanContext.from_settings(settings, has_master=True, user_id=user,
                                        campaign=campaign_view(deps, campaign))
        plan = deps.planner.plan(request, ctx)
        plan = plan.validate_plan(engine=settings.engine, max_variants=settings.max_variants)
        if not plan.variants():
            raise BadRequest("that request makes no deliverable; name channels or specs, e.g. "
                             "`Meta feed, stories and the IAB set`.")
    except UserFacingError as exc:
        deps.outbox.post(f"{key}:refused", channel, thread_ts, user_message(exc))
        return None
    master = campaigns.get_asset(deps.runtime, campaign.master_asset_id)
    warnings = resolution_notes(plan, (master.width, master.height), settings.engine) if master else []
    if master is not None:
        image = load_stored_image(deps.runtime.blobs, master.sha256)
        warnings = [*framing_notes(plan, image, settings.engine), *warnings]
    # keep the planner's own label (e.g. a fallback); low-resolution warnings go with the plan to the thread
    plan = plan.model_copy(update={"request": request, "notes": [*plan.notes, *warnings]})
    plan_id = save_plan(deps.runtime, campaign_id=campaign.id, user=user, plan=plan)
    seconds = estimate_seconds(plan, settings.engine, master)
    if plan.questions:  # ask back instead of guessing: the click runs it (bot/flows/questions.py)
        from bot.flows.questions import ask  # here, not at the top: questions imports this module

        ask(deps, plan_id, plan, campaign_id=campaign.id, channel=channel, thread_ts=thread_ts,
            seconds=seconds)
        return plan_id
    text = messages.plan_text(plan, settings, seconds)
    auto = len(plan.variants()) <= settings.slack_auto_run_max
    if auto:
        deps.outbox.post(plan_key(plan_id), channel, thread_ts, f"{text}\n▶️ Small batch: running it now.",
                         mapping={"kind": "plan", "campaign_id": campaign.id})
        start_batch(deps, plan_id, campaign_id=campaign.id, channel=channel, thread_ts=thread_ts, user=user)
    else:
        deps.outbox.post(plan_key(plan_id), channel, thread_ts, text,
                         blocks=messages.plan_blocks(text, plan_id),
                         mapping={"kind": "plan", "campaign_id": campaign.id})
    return plan_id


def campaign_view(deps: Deps, campaign: Campaign) -> CampaignView:
    """What the planner may know about the thread: name, brief, master, deliverables, last audit."""
    assert campaign.id is not None
    master = campaigns.get_asset(deps.runtime, campaign.master_asset_id) if campaign.master_asset_id else None
    with read_session(deps.runtime.engine) as s:
        variants = s.exec(select(Asset).where(Asset.campaign_id == campaign.id, Asset.kind == "variant")
                          .order_by(col(Asset.id).desc()).limit(60)).all()
        audit = s.exec(select(AuditRun).where(AuditRun.campaign_id == campaign.id)
                       .order_by(col(AuditRun.id).desc())).first()
    return CampaignView(
        name=campaign.name, brief=campaign.brief[:2000], master_file=master.filename if master else None,
        master_size=(master.width, master.height) if master else None,
        variants=tuple(dict.fromkeys(f"{a.spec} ({a.status})" for a in variants if a.spec)),
        last_audit=(f"{audit.asset_count - audit.failed_count}/{audit.asset_count} pass" if audit else None))


def plan_key(plan_id: int) -> str:
    return f"plan:{plan_id}"


def batch_key(plan_id: int) -> str:
    return f"plan-{plan_id}"


def start_batch(deps: Deps, plan_id: int, *, campaign_id: int, channel: str, thread_ts: str,
                user: str) -> bool:
    """Queue the batch once; ``False`` if it was queued before (a second press of Run)."""
    _, created = deps.tasks.submit("batch", batch_key(plan_id), {"plan_id": plan_id, "user": user},
                                   campaign_id=campaign_id, reply_channel=channel, reply_thread_ts=thread_ts)
    return created


def on_plan_button(deps: Deps, *, action: str, plan_id: int, user: str, channel: str,
                   message_ts: str) -> None:
    """Run or Cancel pressed under a plan."""
    try:
        row, plan = load_plan(deps.runtime, plan_id)
    except UserFacingError as exc:
        deps.outbox.ephemeral(f"button:{message_ts}:{user}:{action}:gone", channel, user, user_message(exc))
        return
    assert row.campaign_id is not None
    with read_session(deps.runtime.engine) as s:
        campaign = s.get(Campaign, row.campaign_id)
        started = job_repo.job_by_key(s, task_key("batch", batch_key(plan_id))) is not None
    thread_ts = (campaign.slack_thread_ts if campaign else None) or message_ts
    master = campaigns.get_asset(deps.runtime,
                                 campaign.master_asset_id) if campaign and campaign.master_asset_id \
        else None
    text = messages.plan_text(plan, deps.settings, estimate_seconds(plan, deps.settings.engine, master))
    if started:
        deps.outbox.ephemeral(f"button:{message_ts}:{user}:{action}:late", channel, user,
                              "This plan is already running; results arrive in the thread.")
        return
    if action == messages.CANCEL_ACTION:
        done = f"{text}\n✖️ Cancelled by <@{user}>."
    else:
        start_batch(deps, plan_id, campaign_id=row.campaign_id, channel=channel, thread_ts=thread_ts,
                    user=user)
        done = f"{text}\n▶️ Started by <@{user}>."
    # The buttons go away: the plan message now says what happened to it.
    deps.outbox.update(channel, done, ts=message_ts, blocks=[messages.section(done)])
