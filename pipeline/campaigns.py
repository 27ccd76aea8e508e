"""Campaign flows the interfaces share: a campaign per thread, candidates, and decisions.

Every decision goes through ``storage.repos.approvals`` (append-only log); a decision by someone
who may not make it is logged with ``effective=False`` and changes nothing. Uploads are validated
by :func:`pipeline.imaging.load_image` *before* anything is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from pipeline.errors import BadRequest
from pipeline.imaging.load import LoadedImage, check_master_shape, load_image
from pipeline.runtime import Runtime
from pipeline.service import Master
from storage.db import read_session, session_scope
from storage.models import Approval, Asset, AssetBase, AuditRun, Campaign, CampaignBase
from storage.repos import approvals, campaigns

CANDIDATE_KINDS = ("upload", "candidate")
NO_MASTER = "This thread has no approved master yet. Upload one or react ✅ on a candidate."

Decision = Literal["approve", "reject", "revoke", "unreject"]


@dataclass
class MasterDecision:
    campaign: Campaign
    asset: Asset
    decision: str
    effective: bool
    master: Asset | None  # the campaign's master after the decision


def start_campaign(runtime: Runtime, *, channel: str, thread_ts: str, name: str, brief: str,
                   user: str) -> tuple[Campaign, bool]:
    """The campaign bound to ``(channel, thread_ts)``, created if new: ``(campaign, created)``."""
    existing = campaign_for(runtime, channel, thread_ts)
    if existing is not None:
        return existing, False
    try:
        with session_scope(runtime.engine) as s:
            campaign = campaigns.create_campaign(s, CampaignBase(
                name=name[:200] or "Untitled", brief=brief, created_by=user, slack_channel=channel,
                slack_thread_ts=thread_ts))
        return campaign, True
    except IntegrityError:  # the same thread started twice at once (mention + file share events)
        found = campaign_for(runtime, channel, thread_ts)
        assert found is not None
        return found, False


def campaign_for(runtime: Runtime, channel: str, thread_ts: str) -> Campaign | None:
    with read_session(runtime.engine) as s:
        return campaigns.campaign_for_thread(s, channel, thread_ts)


def get_campaign(runtime: Runtime, campaign_id: int) -> Campaign:
    with read_session(runtime.engine) as s:
        campaign = campaigns.get_campaign(s, campaign_id)
    if campaign is None:
        raise BadRequest(f"campaign {campaign_id} no longer exists")
    return campaign


def get_asset(runtime: Runtime, asset_id: int) -> Asset | None:
    with read_session(runtime.engine) as s:
        return campaigns.get_asset(s, asset_id)


def add_candidate(runtime: Runtime, campaign_id: int, data: bytes, *, filename: str,
                  kind: str = "upload", seed: int | None = None, engine: str | None = None,
                  model: str | None = None,
                  params: dict[str, object] | None = None) -> tuple[Asset, LoadedImage]:
    """Validate image bytes and store them as a master candidate; ``BadInput`` → nothing stored."""
    settings = runtime.settings
    loaded = load_image(data, name=filename, max_bytes=settings.max_upload_bytes,
                        max_pixels=settings.max_image_pixels)
    check_master_shape(loaded.size, filename)
    key = runtime.blobs.put_bytes(data)
    with session_scope(runtime.engine) as s:
        asset = campaigns.add_asset(s, AssetBase(
            campaign_id=campaign_id, kind=kind, sha256=key, width=loaded.size[0], height=loaded.size[1],
            format=loaded.format, size_bytes=len(data), filename=filename, notes=loaded.notes, seed=seed,
            engine=engine, model=model, params=dict(params or {}),
        ))
    return asset, loaded


def decide_master(runtime: Runtime, campaign_id: int, asset_id: int, user: str, decision: Decision, *,
                  reaction: str | None, effective: bool = True) -> MasterDecision:
    """Approve, reject or revoke a candidate as the campaign's master (one master; later wins)."""
    with session_scope(runtime.engine) as s:
        asset = campaigns.get_asset(s, asset_id)
        if asset is None or asset.campaign_id != campaign_id or asset.kind not in CANDIDATE_KINDS:
            raise BadRequest("that message does not show a master candidate of this campaign")
        logged = "revoke" if decision == "unreject" else decision
        if not effective:
            approvals.record_decision(s, campaign_id, asset_id, "master", logged, user, reaction=reaction,
                                      source="slack", effective=False)
        elif decision == "approve":
            approvals.approve_master(s, campaign_id, asset_id, user, reaction=reaction, source="slack")
        elif decision == "revoke":
            approvals.revoke_master(s, campaign_id, asset_id, user, reaction=reaction, source="slack")
        else:
            campaign = campaigns.get_campaign(s, campaign_id)
            if decision == "reject" and campaign is not None and campaign.master_asset_id == asset_id:
                approvals.revoke_master(s, campaign_id, asset_id, user, reaction=reaction, source="slack")
            approvals.record_decision(s, campaign_id, asset_id, "master", logged, user, reaction=reaction,
                                      source="slack")
            asset.status = "rejected" if decision == "reject" else "ready"
            s.add(asset)
        s.flush()
        campaign = campaigns.get_campaign(s, campaign_id)
        assert campaign is not None
        master = campaigns.get_asset(s, campaign.master_asset_id) if campaign.master_asset_id else None
        s.refresh(asset)
        return MasterDecision(campaign, asset, decision, effective, master)


def decide(runtime: Runtime, campaign_id: int, asset_id: int | None, target: str, decision: str, user: str,
           *, reaction: str | None, effective: bool = True, audit_run_id: int | None = None) -> Approval:
    """Log a decision about a variant (approve/reject/revoke/rerun/harmonize) or a batch."""
    with session_scope(runtime.engine) as s:
        return approvals.record_decision(s, campaign_id, asset_id, target, decision, user, reaction=reaction,
                                         source="slack", effective=effective, audit_run_id=audit_run_id)


def master_of(runtime: Runtime, campaign_id: int) -> Master:
    """The campaign's approved master, decoded again through ``load_image``; ``BadRequest`` if none."""
    campaign = get_campaign(runtime, campaign_id)
    asset = get_asset(runtime, campaign.master_asset_id) if campaign.master_asset_id else None
    if asset is None:
        raise BadRequest(NO_MASTER)
    return load_master(runtime, asset, campaign_id)


def load_master(runtime: Runtime, asset: Asset, campaign_id: int) -> Master:
    """A stored master asset's pixels, decoded again through ``load_image`` (a worker's view of it)."""
    data = runtime.blobs.read_bytes(asset.sha256)
    name = asset.filename or f"master-{asset.id}.{asset.format}"
    loaded = load_image(data, name=name, max_bytes=max(len(data), 1),
                        max_pixels=max(runtime.settings.max_image_pixels, asset.width * asset.height))
    return Master(asset, loaded, campaign_id, name)


def candidates_of(runtime: Runtime, campaign_id: int) -> list[Asset]:
    with read_session(runtime.engine) as s:
        stmt = select(Asset).where(Asset.campaign_id == campaign_id, col(Asset.kind).in_(CANDIDATE_KINDS))
        return list(s.exec(stmt.order_by(col(Asset.id))))


def campaigns_of_user(runtime: Runtime, user: str, limit: int = 10) -> list[Campaign]:
    with read_session(runtime.engine) as s:
        stmt = select(Campaign).where(Campaign.created_by == user).order_by(col(Campaign.id).desc())
        return list(s.exec(stmt.limit(limit)))


def awaiting_approval(runtime: Runtime, limit: int = 10) -> tuple[list[Campaign], list[AuditRun]]:
    """Campaigns with candidates but no master, and audited batches nobody approved yet."""
    with read_session(runtime.engine) as s:
        open_campaigns = list(s.exec(
            select(Campaign).where(col(Campaign.master_asset_id).is_(None))
            .where(col(Campaign.id).in_(select(Asset.campaign_id).where(col(Asset.kind).in_(CANDIDATE_KINDS))))
            .order_by(col(Campaign.id).desc()).limit(limit)))
        decided = select(Approval.audit_run_id).where(Approval.target == "batch",
                                                      col(Approval.audit_run_id).is_not(None))
        runs = list(s.exec(
            select(AuditRun).where(col(AuditRun.campaign_id).is_not(None), col(AuditRun.id).not_in(decided))
            .order_by(col(AuditRun.id).desc()).limit(limit)))
    return open_campaigns, runs
