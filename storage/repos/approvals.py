"""Approvals: every decision is appended to the log; the campaign's master follows from it.

Two approvers can react at the same instant on two candidates. The campaign row is locked for
the length of the transaction (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite every write
session already holds the database write lock from ``BEGIN IMMEDIATE``), so decisions apply one
after the other: the later approval supersedes the earlier, and both stay in the log.
"""

from __future__ import annotations

from sqlmodel import Session, select

from storage.models import Approval, Asset, Campaign


class ApprovalError(Exception):
    """The decision cannot apply (unknown campaign or asset, asset of another campaign)."""


def _locked_campaign(session: Session, campaign_id: int) -> Campaign:
    campaign = session.exec(select(Campaign).where(Campaign.id == campaign_id).with_for_update()).first()
    if campaign is None:
        raise ApprovalError(f"no campaign {campaign_id}")
    return campaign


def _asset_of(session: Session, campaign: Campaign, asset_id: int) -> Asset:
    asset = session.get(Asset, asset_id)
    if asset is None or asset.campaign_id != campaign.id:
        raise ApprovalError(f"asset {asset_id} is not part of campaign {campaign.id}")
    return asset


def approve_master(
    session: Session,
    campaign_id: int,
    asset_id: int,
    user_id: str,
    *,
    reaction: str | None = None,
    source: str = "cli",
) -> Campaign:
    """Make ``asset_id`` the campaign's master; the previous master (if any) is superseded."""
    campaign = _locked_campaign(session, campaign_id)
    asset = _asset_of(session, campaign, asset_id)
    if campaign.master_asset_id and campaign.master_asset_id != asset.id:
        previous = session.get(Asset, campaign.master_asset_id)
        if previous is not None:
            previous.status = "superseded"
            session.add(previous)
    asset.status = "master"
    campaign.master_asset_id = asset.id
    session.add_all([asset, campaign])
    _log(session, campaign, asset.id, "master", "approve", user_id, reaction, source)
    session.flush()
    return campaign


def revoke_master(
    session: Session,
    campaign_id: int,
    asset_id: int,
    user_id: str,
    *,
    reaction: str | None = None,
    source: str = "cli",
) -> Campaign:
    """Undo an approval (a removed ✅). The master falls back to the latest still-approved one."""
    campaign = _locked_campaign(session, campaign_id)
    asset = _asset_of(session, campaign, asset_id)
    _log(session, campaign, asset.id, "master", "revoke", user_id, reaction, source)
    if campaign.master_asset_id == asset.id:
        asset.status = "ready"
        assert asset.id is not None
        campaign.master_asset_id = _latest_standing_master(session, campaign, exclude=asset.id)
        if campaign.master_asset_id:
            fallback = session.get(Asset, campaign.master_asset_id)
            if fallback is not None:
                fallback.status = "master"
                session.add(fallback)
        session.add_all([asset, campaign])
    session.flush()
    return campaign


def _latest_standing_master(session: Session, campaign: Campaign, exclude: int) -> int | None:
    """Newest master approval not revoked later, replaying the log in order."""
    standing: list[int] = []
    rows = session.exec(
        select(Approval)
        .where(Approval.campaign_id == campaign.id, Approval.target == "master", Approval.effective)
        .order_by(Approval.id)  # type: ignore[arg-type]
    )
    for row in rows:
        if row.asset_id is None:
            continue
        if row.decision == "approve":
            standing = [a for a in standing if a != row.asset_id] + [row.asset_id]
        elif row.decision in ("revoke", "reject"):
            standing = [a for a in standing if a != row.asset_id]
    standing = [a for a in standing if a != exclude]
    return standing[-1] if standing else None


def record_decision(
    session: Session,
    campaign_id: int,
    asset_id: int | None,
    target: str,
    decision: str,
    user_id: str,
    *,
    reaction: str | None = None,
    source: str = "cli",
    effective: bool = True,
    audit_run_id: int | None = None,
) -> Approval:
    """Append a decision about a variant or a batch (approve/reject/rerun/harmonize …)."""
    campaign = _locked_campaign(session, campaign_id)
    if asset_id is not None and effective and target == "variant":
        asset = _asset_of(session, campaign, asset_id)
        if decision in ("approve", "reject"):
            asset.status = "approved" if decision == "approve" else "rejected"
        elif decision == "revoke":
            asset.status = "ready"
        session.add(asset)
    row = _log(session, campaign, asset_id, target, decision, user_id, reaction, source, effective)
    row.audit_run_id = audit_run_id
    session.flush()
    return row


def _log(
    session: Session,
    campaign: Campaign,
    asset_id: int | None,
    target: str,
    decision: str,
    user_id: str,
    reaction: str | None,
    source: str,
    effective: bool = True,
) -> Approval:
    assert campaign.id is not None
    row = Approval(
        campaign_id=campaign.id,
        asset_id=asset_id,
        target=target,
        decision=decision,
        user_id=user_id,
        reaction=reaction,
        source=source,
        effective=effective,
    )
    session.add(row)
    return row


def approvals_of(session: Session, campaign_id: int) -> list[Approval]:
    stmt = select(Approval).where(Approval.campaign_id == campaign_id).order_by(Approval.id)  # type: ignore[arg-type]
    return list(session.exec(stmt))
