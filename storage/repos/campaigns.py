"""Campaigns and their assets."""

from __future__ import annotations

from sqlmodel import Session, select

from storage.models import Asset, AssetBase, Campaign, CampaignBase


def create_campaign(session: Session, data: CampaignBase) -> Campaign:
    campaign = Campaign.model_validate(data)
    session.add(campaign)
    session.flush()
    return campaign


def get_campaign(session: Session, campaign_id: int) -> Campaign | None:
    return session.get(Campaign, campaign_id)


def campaign_for_thread(session: Session, channel: str, thread_ts: str) -> Campaign | None:
    stmt = select(Campaign).where(Campaign.slack_channel == channel, Campaign.slack_thread_ts == thread_ts)
    return session.exec(stmt).first()


def add_asset(session: Session, data: AssetBase) -> Asset:
    asset = Asset.model_validate(data)
    session.add(asset)
    session.flush()
    return asset


def get_asset(session: Session, asset_id: int) -> Asset | None:
    return session.get(Asset, asset_id)


def assets_of_campaign(session: Session, campaign_id: int, kind: str | None = None) -> list[Asset]:
    stmt = select(Asset).where(Asset.campaign_id == campaign_id)
    if kind is not None:
        stmt = stmt.where(Asset.kind == kind)
    return list(session.exec(stmt.order_by(Asset.id)))  # type: ignore[arg-type]


def lineage(session: Session, asset_id: int) -> list[Asset]:
    """The asset and its ancestors, newest first."""
    chain: list[Asset] = []
    current = session.get(Asset, asset_id)
    while current is not None and len(chain) < 100:
        chain.append(current)
        current = session.get(Asset, current.parent_id) if current.parent_id else None
    return chain
