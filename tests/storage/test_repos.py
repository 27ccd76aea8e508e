"""Repositories against real databases (SQLite file and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from storage.db import read_session, session_scope
from storage.models import AssetBase, CampaignBase, JobBase, SlackMessage
from storage.repos import approvals, campaigns, jobs, slack
from storage.repos.approvals import ApprovalError


def _campaign_with_candidates(db: Engine, n: int = 2) -> tuple[int, list[int]]:
    with session_scope(db) as s:
        c = campaigns.create_campaign(
            s, CampaignBase(name="Spring Sale", slack_channel="C1", slack_thread_ts="1.0")
        )
        ids = []
        for i in range(n):
            a = campaigns.add_asset(
                s,
                AssetBase(
                    campaign_id=c.id,
                    kind="candidate",
                    sha256=f"{i:064x}",
                    width=10,
                    height=10,
                    format="png",
                    size_bytes=1,
                ),
            )
            ids.append(a.id)
        assert c.id is not None
        return c.id, [i for i in ids if i is not None]


def test_campaign_found_by_thread(db: Engine) -> None:
    cid, _ = _campaign_with_candidates(db)
    with read_session(db) as s:
        found = campaigns.campaign_for_thread(s, "C1", "1.0")
        assert found is not None and found.id == cid
        assert campaigns.campaign_for_thread(s, "C1", "2.0") is None


def test_later_approval_supersedes_and_revoke_falls_back(db: Engine) -> None:
    cid, (a, b) = _campaign_with_candidates(db)
    with session_scope(db) as s:
        approvals.approve_master(s, cid, a, "U_LENA", reaction="white_check_mark", source="slack")
    with session_scope(db) as s:
        approvals.approve_master(s, cid, b, "U_MAYA")
    with read_session(db) as s:
        camp = campaigns.get_campaign(s, cid)
        assert camp is not None and camp.master_asset_id == b
        statuses = {x.id: x.status for x in campaigns.assets_of_campaign(s, cid)}
        assert statuses == {a: "superseded", b: "master"}
    with session_scope(db) as s:
        approvals.revoke_master(s, cid, b, "U_MAYA")
    with read_session(db) as s:
        camp = campaigns.get_campaign(s, cid)
        assert camp is not None and camp.master_asset_id == a
        log = [(r.asset_id, r.decision, r.user_id) for r in approvals.approvals_of(s, cid)]
        assert log == [(a, "approve", "U_LENA"), (b, "approve", "U_MAYA"), (b, "revoke", "U_MAYA")]


def test_approval_of_foreign_asset_is_refused(db: Engine) -> None:
    cid, _ = _campaign_with_candidates(db)
    _other, (foreign, _) = _campaign_with_candidates_elsewhere(db)
    with pytest.raises(ApprovalError, match="not part of campaign"), session_scope(db) as s:
        approvals.approve_master(s, cid, foreign, "U1")


def _campaign_with_candidates_elsewhere(db: Engine) -> tuple[int, list[int]]:
    with session_scope(db) as s:
        c = campaigns.create_campaign(
            s, CampaignBase(name="Other", slack_channel="C2", slack_thread_ts="9.0")
        )
        a = campaigns.add_asset(
            s, AssetBase(campaign_id=c.id, sha256="f" * 64, width=1, height=1, format="png", size_bytes=1)
        )
        b = campaigns.add_asset(
            s, AssetBase(campaign_id=c.id, sha256="e" * 64, width=1, height=1, format="png", size_bytes=1)
        )
        assert c.id and a.id and b.id
        return c.id, [a.id, b.id]


def test_job_idempotency_key_returns_the_same_row(db: Engine) -> None:
    spec = JobBase(idempotency_key="k" * 64, op="fit", params={"spec": "story"})
    with session_scope(db) as s:
        first, created = jobs.get_or_create_job(s, spec)
        assert created
    with session_scope(db) as s:
        again, created = jobs.get_or_create_job(s, spec)
        assert not created and again.id == first.id
    with session_scope(db) as s:
        assert jobs.start_attempt(s, first.id or 0) is not None
        jobs.fail_job(s, first.id or 0, "boom", "ab12", final=False)
    with read_session(db) as s:
        job = jobs.get_job(s, first.id or 0)
        assert job is not None and job.status == "queued" and job.attempts == 1 and job.error == "boom"
        assert [j.id for j in jobs.unfinished_jobs(s)] == [first.id]


def test_slack_event_deduplicated(db: Engine) -> None:
    with session_scope(db) as s:
        assert slack.first_delivery(s, "Ev1", "app_mention")
        assert not slack.first_delivery(s, "Ev1", "app_mention")
        assert slack.first_delivery(s, "Ev2")
    with session_scope(db) as s:
        assert not slack.first_delivery(s, "Ev1")


def test_outbox_enqueues_once_and_marks_sent(db: Engine) -> None:
    with session_scope(db) as s:
        row = slack.enqueue_outbox(s, "result:42", "post", "C1", {"text": "hi"}, thread_ts="1.0")
        dup = slack.enqueue_outbox(s, "result:42", "post", "C1", {"text": "other"})
        assert dup.id == row.id
    with session_scope(db) as s:
        assert [r.id for r in slack.pending_outbox(s)] == [row.id]
        slack.mark_sent(s, row.id or 0, "1.5")
    with read_session(db) as s:
        assert slack.pending_outbox(s) == []


def test_message_map_unique_per_channel_ts(db: Engine) -> None:
    cid, (a, _) = _campaign_with_candidates(db)
    with session_scope(db) as s:
        slack.map_message(
            s, SlackMessage(channel="C1", ts="2.0", kind="candidate", campaign_id=cid, asset_id=a)
        )
        again = slack.map_message(s, SlackMessage(channel="C1", ts="2.0", kind="candidate", asset_id=None))
        assert again.asset_id == a
    with read_session(db) as s:
        found = slack.message_at(s, "C1", "2.0")
        assert found is not None and found.asset_id == a
