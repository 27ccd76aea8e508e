"""Requests become plans: posted as a readable summary with Run / Cancel, or run at once when small."""

from __future__ import annotations

from sqlmodel import col, select

from bot import budget, messages
from bot.access import may_run, refuse
from bot.deps import Deps
from bot.planner import PlanContext
from bot.planner.base import CampaignView
from bot.replies import user_message
from pipeline import campaigns
from pipeline.batches import estimate_seconds, load_plan, save_plan
from pipeline.campaigns import NO_MASTER
from pipeline.costs import DEFAULT_MASTER_MP, plan_cost
from pipeline.errors import BadRequest, UserFacingError
from pipeline.plan import Plan
from pipeline.preflight import framing_notes, resolution_notes
from pipeline.queue_local import TASK_QUEUE, task_key
from storage.db import read_session, session_scope
from storage.models import Asset, AuditRun, Campaign, JobBase, PlanLog, utcnow
from storage.repos import jobs as job_repo


def propose(deps: Deps, campaign: Campaign, *, channel: str, thread_ts: str, ts: str, user: str,
            request: str) -> int | None:
    """Plan ``request`` for the campaign and post it; returns the plan id (None if refused).

    The plan is priced now but charged when it starts (bot/budget.py): a small one starts at once,
    charged to ``user``; a bigger one waits for Run, charged to whoever presses it.
    """
    assert campaign.id is not None
    key = f"request:{channel}:{ts}"
    settings = deps.settings
    try:
        if campaign.master_asset_id is None:
            raise BadRequest(NO_MASTER)
        ctx = PlanContext.from_settings(settings, has_master=True, user_id=user,
                                        campaign=campaign_view(deps, campaign), charge=False)
        plan = deps.planner.plan(request, ctx)
        plan = plan.validate_plan(engine=settings.engine, max_variants=settings.max_variants)
        if not plan.variants():
            raise BadRequest("that request makes no deliverable; name channels or specs, e.g. "
                             "`Meta feed, stories and the IAB set`.")
        master = campaigns.get_asset(deps.runtime, campaign.master_asset_id)
        gpu_seconds = gpu_cost(plan, settings.engine, master)
        auto = len(plan.variants()) <= settings.slack_auto_run_max and not plan.questions
        if auto:
            verdict = may_run(deps, user=user, action="run", campaign=campaign, owner=user,
                              gpu_seconds=gpu_seconds)
            if not verdict.allowed:
                raise BadRequest(verdict.reason)
    except UserFacingError as exc:
        deps.outbox.post(f"{key}:refused", channel, thread_ts, user_message(exc))
        return None
    warnings = resolution_notes(plan, (master.width, master.height), settings.engine) if master else []
    if master is not None:  # the upload's own bytes: decoded (sandboxed, to sRGB) like every input
        image = campaigns.load_master(deps.runtime, master, campaign.id).loaded.image
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
    if auto:
        deps.outbox.post(plan_key(plan_id), channel, thread_ts, f"{text}\n▶️ Small batch: running it now.",
                         mapping={"kind": "plan", "campaign_id": campaign.id})
        started = start_batch(deps, plan_id, campaign_id=campaign.id, channel=channel, thread_ts=thread_ts,
                              user=user)
        if started:
            budget.charge(deps, user, gpu_seconds, what="auto-run", campaign_id=campaign.id,
                          note=f"plan {plan_id} (run at once): {request}")
    else:
        deps.outbox.post(plan_key(plan_id), channel, thread_ts, text,
                         blocks=messages.plan_blocks(text, plan_id),
                         mapping={"kind": "plan", "campaign_id": campaign.id})
    return plan_id


def gpu_cost(plan: Plan, engine: str, master: Asset | None) -> float:
    """Estimated GPU-seconds of ``plan`` on ``engine`` at the master's size (0 on the classical engine)."""
    master_mp = master.width * master.height / 1e6 if master is not None else DEFAULT_MASTER_MP
    return plan_cost(plan, engine, master_mp=master_mp).gpu_seconds


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


def requester_of(deps: Deps, key: str | None) -> str | None:
    """Who asked for the plan behind batch ``key`` (``plan-<id>``); None for other batches."""
    if not key or not key.startswith("plan-") or not key[5:].isdigit():
        return None
    with read_session(deps.runtime.engine) as s:
        row = s.get(PlanLog, int(key[5:]))
    return row.user_id if row is not None and row.user_id else None


def start_batch(deps: Deps, plan_id: int, *, campaign_id: int, channel: str, thread_ts: str,
                user: str) -> bool:
    """Queue the batch once; ``False`` if it was queued before (a second press of Run)."""
    _, created = deps.tasks.submit("batch", batch_key(plan_id), {"plan_id": plan_id, "user": user},
                                   campaign_id=campaign_id, reply_channel=channel, reply_thread_ts=thread_ts)
    return created


def on_plan_button(deps: Deps, *, action: str, plan_id: int, user: str, channel: str,
                   message_ts: str) -> None:
    """Run or Cancel pressed under a plan (one press at a time per campaign thread)."""
    try:
        row, plan = load_plan(deps.runtime, plan_id)
    except UserFacingError as exc:
        deps.outbox.ephemeral(f"button:{message_ts}:{user}:{action}:gone", channel, user, user_message(exc))
        return
    assert row.campaign_id is not None
    with read_session(deps.runtime.engine) as s:
        campaign = s.get(Campaign, row.campaign_id)
    thread_ts = (campaign.slack_thread_ts if campaign else None) or message_ts
    with deps.ordering.serial(f"{channel}:{thread_ts}"):
        _press(deps, action=action, plan_id=plan_id, plan=plan, requester=row.user_id, campaign=campaign,
               user=user, channel=channel, thread_ts=thread_ts, message_ts=message_ts)


def _press(deps: Deps, *, action: str, plan_id: int, plan: Plan, requester: str, campaign: Campaign | None,
           user: str, channel: str, thread_ts: str, message_ts: str) -> None:
    assert campaign is not None and campaign.id is not None
    key = f"button:{message_ts}:{user}:{action}"
    with read_session(deps.runtime.engine) as s:
        task = job_repo.job_by_key(s, task_key("batch", batch_key(plan_id)))
    if task is not None:
        late = "This plan is already running; results arrive in the thread."
        if task.status == "cancelled":
            by = task.params.get("cancelled_by")
            late = f"This plan was cancelled by <@{by}>; ask again for a new one."
        deps.outbox.ephemeral(f"{key}:late", channel, user, late)
        return
    master = campaigns.get_asset(deps.runtime, campaign.master_asset_id) if campaign.master_asset_id else None
    running = action != messages.CANCEL_ACTION
    gpu_seconds = gpu_cost(plan, deps.settings.engine, master) if running else 0.0
    verdict = may_run(deps, user=user, action="run" if running else "cancel", campaign=campaign,
                      owner=requester, gpu_seconds=gpu_seconds)
    if not verdict.allowed:
        refuse(deps, verdict, key=f"{key}:refused", channel=channel, user=user, thread_ts=thread_ts)
        return
    text = messages.plan_text(plan, deps.settings, estimate_seconds(plan, deps.settings.engine, master))
    if not running:
        cancel_plan(deps, plan_id, campaign_id=campaign.id, user=user)
        done = f"{text}\n✖️ Cancelled by <@{user}>."
    else:
        if start_batch(deps, plan_id, campaign_id=campaign.id, channel=channel, thread_ts=thread_ts,
                       user=user):
            budget.charge(deps, user, gpu_seconds, what="run", campaign_id=campaign.id,
                          note=f"plan {plan_id} (Run pressed): {plan.request}")
        done = f"{text}\n▶️ Started by <@{user}>."
    # The buttons go away: the plan message now says what happened to it.
    deps.outbox.update(channel, done, ts=message_ts, blocks=[messages.section(done)])


def cancel_plan(deps: Deps, plan_id: int, *, campaign_id: int, user: str) -> bool:
    """Mark the plan's batch as cancelled (a task row that never runs), so a later Run says so."""
    with session_scope(deps.runtime.engine) as s:
        job, created = job_repo.get_or_create_job(s, JobBase(
            campaign_id=campaign_id, idempotency_key=task_key("batch", batch_key(plan_id)), op="task.batch",
            params={"plan_id": plan_id, "cancelled_by": user}, queue=TASK_QUEUE,
            engine=deps.settings.engine))
        if created:
            job.status, job.finished_at = "cancelled", utcnow()
            s.add(job)
    return created
