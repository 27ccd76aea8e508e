"""Reactions: ✅ approve, ❌ reject, 🔁 re-run, ✨ harmonize — on candidates, results and the audit.

Approving and rejecting are for approvers only; anyone else gets an ephemeral explanation and the
attempt is logged with ``effective=False``. Removing ✅ or ❌ takes the decision back. 🔁 and ✨
cost compute: they pass the gate of bot/access.py (role, campaign, budget) and are charged to the
person who reacted. Reactions in one thread apply one at a time, and an add or remove older than
one already applied is dropped (bot/ordering.py), so the final state is the last one the person left.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError, SlackRequestError
from sqlmodel import col, select

from bot import budget, messages
from bot.access import Action, may_run, refuse
from bot.deps import Deps
from bot.flows.plans import requester_of
from bot.replies import user_message
from pipeline import campaigns
from pipeline.batches import job_of_asset, rerun_gpu_seconds
from pipeline.costs import DEFAULT_MASTER_MP, step_cost
from pipeline.errors import UserFacingError
from storage.db import read_session, session_scope
from storage.models import AuditCheck, Job, Outbox, SlackMessage
from storage.repos import slack as slack_repo

log = logging.getLogger(__name__)


def on_reaction(deps: Deps, *, added: bool, user: str, reaction: str, channel: str, ts: str,
                event_ts: str) -> None:
    v = deps.vocab
    if reaction not in (v.approve, v.reject, v.rerun, v.harmonize) or user == deps.bot_user_id:
        return
    message = lookup(deps, channel, ts)
    if message is None or message.campaign_id is None:
        return
    with deps.ordering.serial(f"{channel}:{message.thread_ts or ts}"):
        toggle = f"{channel}:{ts}:{user}:{reaction}"
        if reaction in (v.approve, v.reject) and not deps.ordering.newest(toggle, event_ts):
            log.info("dropped a stale %s %s by %s on %s (a later one was applied)",
                     "add" if added else "removal", reaction, user, ts)
            return
        _dispatch(deps, message, added=added, user=user, reaction=reaction, event_ts=event_ts)


def _dispatch(deps: Deps, message: SlackMessage, *, added: bool, user: str, reaction: str,
              event_ts: str) -> None:
    v = deps.vocab
    channel, ts = message.channel, message.ts
    try:
        if message.kind in campaigns.CANDIDATE_KINDS:
            _on_candidate(deps, message, added=added, user=user, reaction=reaction, event_ts=event_ts)
        elif message.kind == "result":
            _on_result(deps, message, added=added, user=user, reaction=reaction, event_ts=event_ts)
        elif message.kind == "audit":
            _on_audit(deps, message, added=added, user=user, reaction=reaction, event_ts=event_ts)
        elif message.kind == "failure" and added and reaction == v.rerun:
            job_id = _meta_of(deps, channel, ts).get("job_id")
            if isinstance(job_id, int):
                _rerun(deps, message, [(job_id, None)], user=user, event_ts=event_ts, harmonize=False)
    except UserFacingError as exc:
        deps.outbox.post(f"reaction:{event_ts}:{user}:refused", channel, message.thread_ts, user_message(exc))


def lookup(deps: Deps, channel: str, ts: str) -> SlackMessage | None:
    """What the message at ``ts`` shows; for an uploaded file, read the message to find the file."""
    with read_session(deps.runtime.engine) as s:
        found = slack_repo.message_at(s, channel, ts)
    if found is not None or (channel, ts) in deps.unknown_messages:
        return found
    try:
        response = deps.client.conversations_replies(channel=channel, ts=ts, latest=ts, inclusive=True,
                                                     limit=1)
        files = [f.get("id") for m in response.get("messages") or [] if m.get("ts") == ts
                 for f in m.get("files") or []]
    except (SlackApiError, SlackRequestError, OSError) as exc:
        log.warning("could not read message %s in %s: %s", ts, channel, exc)
        return None
    with session_scope(deps.runtime.engine) as s:
        for file_id in files:
            mapped = slack_repo.message_at(s, channel, f"file:{file_id}")
            if mapped is not None:
                return slack_repo.map_message(s, SlackMessage(
                    channel=channel, ts=ts, thread_ts=mapped.thread_ts, kind=mapped.kind,
                    campaign_id=mapped.campaign_id, asset_id=mapped.asset_id,
                    audit_run_id=mapped.audit_run_id))
    if len(deps.unknown_messages) > 10_000:  # a cache, not a record: forget old misses
        deps.unknown_messages.clear()
    deps.unknown_messages.add((channel, ts))
    return None


def _meta_of(deps: Deps, channel: str, ts: str) -> dict[str, object]:
    with read_session(deps.runtime.engine) as s:
        row = s.exec(select(Outbox).where(Outbox.channel == channel, Outbox.result_ts == ts)).first()
    return dict((row.payload or {}).get("meta") or {}) if row else {}


def _refuse(deps: Deps, message: SlackMessage, user: str, what: str, key: str) -> None:
    """Tell a non-approver (only them) why nothing happened; call after logging the attempt."""
    deps.outbox.ephemeral(key, message.channel, user, deps.approvers.refusal(what), message.thread_ts)


def _on_candidate(deps: Deps, message: SlackMessage, *, added: bool, user: str, reaction: str,
                  event_ts: str) -> None:
    v = deps.vocab
    assert message.campaign_id is not None and message.asset_id is not None
    if reaction == v.rerun:
        if added:
            _reroll_candidate(deps, message, user=user, event_ts=event_ts)
        return
    if reaction not in (v.approve, v.reject):
        return
    choices: dict[tuple[bool, str], campaigns.Decision] = {
        (True, v.approve): "approve", (True, v.reject): "reject", (False, v.approve): "revoke",
        (False, v.reject): "unreject"}
    decision = choices[(added, reaction)]
    key = f"reaction:{event_ts}:{user}"
    if not deps.approvers.allows(user):
        if added:
            campaigns.decide_master(deps.runtime, message.campaign_id, message.asset_id, user, decision,
                                    reaction=reaction, effective=False)
            _refuse(deps, message, user, "approve masters", key)
        return
    result = campaigns.decide_master(deps.runtime, message.campaign_id, message.asset_id, user, decision,
                                     reaction=reaction)
    deps.outbox.post(key, message.channel, message.thread_ts,
                     messages.master_decision(decision, user, result.asset, result.master))


def _reroll_candidate(deps: Deps, message: SlackMessage, *, user: str, event_ts: str) -> None:
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


def _on_result(deps: Deps, message: SlackMessage, *, added: bool, user: str, reaction: str,
               event_ts: str) -> None:
    v = deps.vocab
    assert message.campaign_id is not None and message.asset_id is not None
    key = f"reaction:{event_ts}:{user}"
    if reaction in (v.approve, v.reject):
        if not added:
            if deps.approvers.allows(user):
                campaigns.decide(deps.runtime, message.campaign_id, message.asset_id, "variant", "revoke",
                                 user,
                                 reaction=reaction)
            return
        decision = "approve" if reaction == v.approve else "reject"
        effective = deps.approvers.allows(user)
        campaigns.decide(deps.runtime, message.campaign_id, message.asset_id, "variant", decision, user,
                         reaction=reaction, effective=effective)
        if not effective:
            _refuse(deps, message, user, "approve or reject variants", key)
    elif added:
        job = job_of_asset(deps.runtime, message.asset_id)
        assert job.id is not None
        _rerun(deps, message, [(job.id, message.asset_id)], user=user, event_ts=event_ts,
               harmonize=reaction == v.harmonize)


def _on_audit(deps: Deps, message: SlackMessage, *, added: bool, user: str, reaction: str,
              event_ts: str) -> None:
    v = deps.vocab
    assert message.campaign_id is not None
    key = f"reaction:{event_ts}:{user}"
    if reaction == v.approve:
        if not added:
            if deps.approvers.allows(user):
                campaigns.decide(deps.runtime, message.campaign_id, None, "batch", "revoke", user,
                                 reaction=reaction, audit_run_id=message.audit_run_id)
                deps.outbox.post(key, message.channel, message.thread_ts,
                                 f"↩️ Batch approval revoked by <@{user}>.")
            return
        effective = deps.approvers.allows(user)
        campaigns.decide(deps.runtime, message.campaign_id, None, "batch", "approve", user, reaction=reaction,
                         effective=effective, audit_run_id=message.audit_run_id)
        if not effective:
            _refuse(deps, message, user, "approve batches", key)
        else:
            count = len(_audited_assets(deps, message.audit_run_id, failing=False))
            deps.outbox.post(key, message.channel, message.thread_ts,
                             f"✅ *Batch approved* by <@{user}> · {count} assets · lineage kept.")
    elif added and reaction in (v.harmonize, v.rerun):
        targets: list[tuple[int, int | None]] = []
        for asset_id in _audited_assets(deps, message.audit_run_id, failing=True):
            job = job_of_asset(deps.runtime, asset_id)
            assert job.id is not None
            targets.append((job.id, asset_id))
        if targets:
            _rerun(deps, message, targets, user=user, event_ts=event_ts, harmonize=reaction == v.harmonize)


def _audited_assets(deps: Deps, audit_run_id: int | None, *, failing: bool) -> list[int]:
    """Asset ids of an audit run (only those with a failed check when ``failing``)."""
    if audit_run_id is None:
        return []
    with read_session(deps.runtime.engine) as s:
        stmt = select(AuditCheck).where(AuditCheck.audit_run_id == audit_run_id,
                                        col(AuditCheck.asset_id).is_not(None))
        checks = list(s.exec(stmt))
    ids: list[int] = []
    for check in checks:
        wanted = not failing or check.passed is False
        if check.asset_id is not None and check.asset_id not in ids and wanted:
            ids.append(check.asset_id)
    return ids


def _rerun(deps: Deps, message: SlackMessage, targets: list[tuple[int, int | None]], *, user: str,
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
