"""Reactions: ✅ approve, ❌ reject, 🔁 re-run, ✨ harmonize — on candidates, results and the audit.

Approving and rejecting are for approvers only; anyone else gets an ephemeral explanation and the
attempt is logged with ``effective=False``. Removing ✅ or ❌ takes the decision back. 🔁 and ✨
cost compute (bot/flows/reruns.py). Reactions in one thread apply one at a time, and an add or
remove older than one already applied is dropped (bot/ordering.py): the final state is the last
one the person left.
"""

from __future__ import annotations

import logging
from pathlib import Path

from slack_sdk.errors import SlackApiError, SlackRequestError
from sqlmodel import col, select

from bot import messages
from bot.deps import Deps
from bot.flows import reruns
from bot.replies import user_message
from pipeline import campaigns
from pipeline.batches import job_of_asset
from pipeline.credentials.approval import approve_delivery
from pipeline.errors import UserFacingError
from storage.db import read_session, session_scope
from storage.models import Approval, AuditCheck, Outbox, SlackMessage
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
                reruns.rerun(deps, message, [(job_id, None)], user=user, event_ts=event_ts, harmonize=False)
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
            reruns.reroll_candidate(deps, message, user=user, event_ts=event_ts)
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
        row = campaigns.decide(deps.runtime, message.campaign_id, message.asset_id, "variant", decision, user,
                               reaction=reaction, effective=effective)
        if not effective:
            _refuse(deps, message, user, "approve or reject variants", key)
        elif decision == "approve":
            _post_approved_copy(deps, message, row, key)
    elif added:
        job = job_of_asset(deps.runtime, message.asset_id)
        assert job.id is not None
        reruns.rerun(deps, message, [(job.id, message.asset_id)], user=user, event_ts=event_ts,
               harmonize=reaction == v.harmonize)


def _post_approved_copy(deps: Deps, message: SlackMessage, approval: Approval, key: str) -> None:
    """Post the approved file: the delivered one countersigned with this approval (pipeline.credentials)."""
    copy = approve_delivery(deps.runtime, approval)
    if copy.asset is None:
        deps.outbox.post(f"{key}:approved", message.channel, message.thread_ts, f"✅ {copy.note}")
        return
    asset = copy.asset
    name = Path(asset.filename or f"{asset.spec}.{asset.format}")
    development = bool(deps.runtime.signer and deps.runtime.signer.development)
    comment = messages.approved_comment(name.stem, approval.user_id, development=development)
    deps.outbox.upload(f"{key}:approved", message.channel, message.thread_ts, blob=asset.sha256,
                       filename=name.name, title=f"{name.stem} (approved)", comment=comment,
                       mapping={"kind": "approved", "campaign_id": asset.campaign_id, "asset_id": asset.id})


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
            reruns.rerun(deps, message, targets, user=user, event_ts=event_ts,
                         harmonize=reaction == v.harmonize)


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
