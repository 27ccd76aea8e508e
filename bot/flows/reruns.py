"""🔁 and ✨: compute, not judgement. Each passes the gate of bot/access.py (role, campaign, budget)
and is charged to the person who reacted; refusals are told to that person only.

🔁 on a variant or a failure re-runs it with a new seed; on a generated candidate it re-rolls one
more candidate (diffusion engine); ✨ adds a harmonize step to a variant. On the audit message
both act on every variant that failed it, as one request that is checked and charged once.
"""

from __future__ import annotations

from bot import budget
from bot.access import Action, may_run, refuse
from bot.deps import Deps
from bot.flows.plans import requester_of
from pipeline import campaigns
from pipeline.batches import rerun_gpu_seconds
from pipeline.costs import DEFAULT_MASTER_MP, step_cost
from storage.db import read_session
from storage.models import Job, SlackMessage


def reroll_candidate(deps: Deps, message: SlackMessage, *, user: str, event_ts: str) -> None:
    """One more generated candidate for the campaign (diffusion engine), if ``user`` may."""
    key = f"reaction:{event_ts}:{user}"
    if deps.settings.engine != "diffusion":
        text = (f"{deps.vocab.emoji('rerun')} re-rolls generated candidates; with the classical engine, "
                "upload another image instead.")
        deps.outbox.ephemeral(key, message.channel, user, text, message.thread_ts)
        return
    assert message.campaign_id is not None
    campaign = campaigns.get_campaign(deps.runtime, message.campaign_id)
    first = len(campaigns.candidates_of(deps.runtime, message.campaign_id))
    params = {"campaign_id": campaign.id, "prompt": campaign.brief or campaign.name, "count": 1,
              "first_index": first}
    gpu_seconds = step_cost("generate", params, deps.settings.engine, input_mp=0).gpu_seconds
    verdict = may_run(deps, user=user, action="rerun", campaign=campaign, gpu_seconds=gpu_seconds)
    if not verdict.allowed:
        refuse(deps, verdict, key=f"{key}:refused", channel=message.channel, user=user,
               thread_ts=message.thread_ts)
        return
    _, created = deps.tasks.submit("generate", f"{campaign.id}:{event_ts}", params, campaign_id=campaign.id,
                                   reply_channel=message.channel, reply_thread_ts=message.thread_ts)
    if created:
        budget.charge(deps, user, gpu_seconds, what="reroll", campaign_id=campaign.id,
                      note=f"re-roll a candidate of campaign {campaign.id}")


def rerun(deps: Deps, message: SlackMessage, targets: list[tuple[int, int | None]], *, user: str,
          event_ts: str, harmonize: bool) -> None:
    """Queue a re-run (new seed) or a harmonize of each ``(job id, asset id)``, if ``user`` may."""
    assert message.campaign_id is not None
    campaign = campaigns.get_campaign(deps.runtime, message.campaign_id)
    master = campaigns.get_asset(deps.runtime, campaign.master_asset_id) if campaign.master_asset_id else None
    master_mp = master.width * master.height / 1e6 if master is not None else DEFAULT_MASTER_MP
    with read_session(deps.runtime.engine) as s:
        jobs = {job_id: s.get(Job, job_id) for job_id, _ in targets}
    gpu_seconds = sum(rerun_gpu_seconds(deps.runtime, job_id, harmonize=harmonize, master_mp=master_mp)
                      for job_id, _ in targets)
    owners = {requester_of(deps, job.batch_key) for job in jobs.values() if job is not None}
    owner = owners.pop() if len(owners) == 1 else None
    action: Action = "harmonize" if harmonize else "rerun"
    verdict = may_run(deps, user=user, action=action, campaign=campaign, owner=owner, gpu_seconds=gpu_seconds)
    if not verdict.allowed:
        refuse(deps, verdict, key=f"reaction:{event_ts}:{user}:refused", channel=message.channel, user=user,
               thread_ts=message.thread_ts)
        return
    decision = "harmonize" if harmonize else "rerun"
    reroll = 0 if harmonize else int(float(event_ts) * 1000) % 2**31 or 1
    started = 0
    for job_id, asset_id in targets:
        campaigns.decide(deps.runtime, message.campaign_id, asset_id, "variant", decision, user,
                         reaction=deps.vocab.harmonize if harmonize else deps.vocab.rerun)
        job = jobs[job_id]
        _, created = deps.tasks.submit("rerun", f"{job_id}:{decision}:{event_ts}", {
            "job_id": job_id, "reroll": reroll, "harmonize": harmonize, "asset_id": asset_id, "user": user,
            "batch_key": job.batch_key if job else None}, campaign_id=message.campaign_id,
            reply_channel=message.channel, reply_thread_ts=message.thread_ts)
        started += created
    if started:
        budget.charge(deps, user, gpu_seconds * started / len(targets), what=decision,
                      campaign_id=message.campaign_id, note=f"{decision} of {started} variant(s)")
