"""Two processes approve two candidates of one campaign at the same moment."""

from __future__ import annotations

import multiprocessing as mp

from sqlalchemy.engine import Engine

from storage.db import make_engine, read_session, session_scope
from storage.models import AssetBase, CampaignBase
from storage.repos import approvals, campaigns


def _approve(url: str, campaign_id: int, asset_id: int, user: str, barrier: object) -> None:
    engine = make_engine(url)
    barrier.wait()  # type: ignore[attr-defined]
    with session_scope(engine) as s:
        approvals.approve_master(s, campaign_id, asset_id, user, source="slack")
    engine.dispose()


def test_simultaneous_approvals_leave_one_master(db: Engine, db_url: str) -> None:
    ctx = mp.get_context("spawn")
    rounds = []
    for r in range(3):
        with session_scope(db) as s:
            c = campaigns.create_campaign(s, CampaignBase(name=f"race {r}"))
            ids = [
                campaigns.add_asset(
                    s,
                    AssetBase(
                        campaign_id=c.id,
                        kind="candidate",
                        sha256=f"{r}{i}".ljust(64, "0"),
                        width=8,
                        height=8,
                        format="png",
                        size_bytes=1,
                    ),
                ).id
                for i in range(2)
            ]
            rounds.append((c.id, ids))
    for campaign_id, (a, b) in rounds:
        barrier = ctx.Barrier(2)
        procs = [
            ctx.Process(target=_approve, args=(db_url, campaign_id, asset, user, barrier))
            for asset, user in ((a, "U_LENA"), (b, "U_MAYA"))
        ]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
            assert p.exitcode == 0
        with read_session(db) as s:
            camp = campaigns.get_campaign(s, campaign_id)
            assert camp is not None and camp.master_asset_id in (a, b)
            statuses = sorted(x.status for x in campaigns.assets_of_campaign(s, campaign_id))
            assert statuses == ["master", "superseded"]
            masters = [x.id for x in campaigns.assets_of_campaign(s, campaign_id) if x.status == "master"]
            assert masters == [camp.master_asset_id]
            log = approvals.approvals_of(s, campaign_id)
            assert sorted(r.user_id for r in log) == ["U_LENA", "U_MAYA"]
            # The one applied last is the master.
            assert log[-1].asset_id == camp.master_asset_id
