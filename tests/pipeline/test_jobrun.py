"""``pipeline.workers.jobrun.run_job`` in-process: what a Celery task does with a job id."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sqlmodel import select

from pipeline.jobs import submit_plan
from pipeline.plan import Plan, Step
from pipeline.runtime import Runtime
from pipeline.service import ingest_master
from pipeline.workers import wait_for
from pipeline.workers.audits import rebase, submit_audit
from pipeline.workers.jobrun import gave_up_message, run_job
from storage.db import read_session, session_scope
from storage.models import Asset, AuditRun, Job
from storage.repos import jobs as job_repo
from storage.settings import Settings


@pytest.fixture
def runtime(settings: Settings) -> Runtime:
    runtime = Runtime(settings)
    runtime.migrate()
    return runtime


def submit_two(runtime: Runtime, tmp_path: Path) -> tuple[int, int]:
    """A shared edit and a variant built on it: ``(edit job, variant job)``."""
    path = tmp_path / "m.png"
    rng = np.random.default_rng(3)
    Image.fromarray(rng.integers(0, 255, (128, 160, 3), dtype=np.uint8)).save(path)
    master = ingest_master(runtime, path, campaign_name="c", user="u")
    plan = Plan(
        steps=[
            Step(id="edit.swap", op="swap", params={"region": "background", "color": "#223344"}),
            Step(
                id="v.fit", op="fit", params={"spec": "iab-medium-rectangle"}, input="edit.swap", variant="v"
            ),
            Step(
                id="v.export",
                op="export",
                params={"spec": "iab-medium-rectangle"},
                input="v.fit",
                variant="v",
            ),
        ]
    ).validate_plan(engine="classical", max_variants=5)
    assert master.asset.id is not None
    with session_scope(runtime.engine) as s:
        (_, edit), (_, variant) = submit_plan(
            s,
            plan,
            master_sha256=master.asset.sha256,
            master_asset_id=master.asset.id,
            engine="classical",
            campaign_id=master.campaign_id,
        )
        assert edit.id is not None and variant.id is not None
        return edit.id, variant.id


def row(runtime: Runtime, job_id: int) -> Job:
    with read_session(runtime.engine) as s:
        job = s.get(Job, job_id)
        assert job is not None
        return job


def test_dependent_waits_then_runs_once(runtime: Runtime, tmp_path: Path) -> None:
    edit, variant = submit_two(runtime, tmp_path)
    assert run_job(runtime, variant) == "waiting"
    assert row(runtime, variant).attempts == 0  # waiting is not an attempt
    assert run_job(runtime, edit) == "done"
    assert run_job(runtime, variant) == "done"  # its master comes from the campaign (no input asset)
    assert run_job(runtime, variant) == "finished"  # a redelivered message is a no-op
    with read_session(runtime.engine) as s:
        assets = list(s.exec(select(Asset).where(Asset.job_id == variant)))
    assert [(a.width, a.height) for a in assets] == [(300, 250)]
    assert row(runtime, variant).attempts == 1


def test_attempt_cap_and_failed_parent(runtime: Runtime, tmp_path: Path) -> None:
    edit, variant = submit_two(runtime, tmp_path)
    with session_scope(runtime.engine) as s:
        for _ in range(3):  # three attempts that each died with the worker
            job_repo.start_attempt(s, edit)
    assert run_job(runtime, edit) == "gave_up"
    assert (row(runtime, edit).status, row(runtime, edit).error) == ("failed", gave_up_message(3))
    assert run_job(runtime, variant) == "skipped"
    assert row(runtime, variant).error == "skipped: `edit.swap` failed"
    assert row(runtime, variant).attempts == 0


def test_a_second_message_for_a_running_job_is_dropped_until_its_lease_runs_out(
    runtime: Runtime, tmp_path: Path
) -> None:
    edit, _ = submit_two(runtime, tmp_path)
    with session_scope(runtime.engine) as s:
        job_repo.start_attempt(s, edit)  # another worker runs it now
    limits = (60.0, 90.0)
    assert run_job(runtime, edit, limits=limits) == "busy"
    assert (row(runtime, edit).status, row(runtime, edit).attempts) == ("running", 1)
    with session_scope(runtime.engine) as s:  # that worker died 100 s ago: past the hard limit
        job = job_repo.get_job(s, edit)
        assert job is not None and job.started_at is not None
        job.started_at -= timedelta(seconds=100)
        s.add(job)
    assert run_job(runtime, edit, limits=limits) == "done"
    assert row(runtime, edit).attempts == 2


def test_a_job_over_its_time_limit_fails_with_the_reason(runtime: Runtime, tmp_path: Path) -> None:
    edit, variant = submit_two(runtime, tmp_path)
    assert run_job(runtime, edit, limits=(1e-4, 60.0)) == "failed"  # the alarm fires during the job
    job = row(runtime, edit)
    assert job.status == "failed" and job.error is not None
    assert "`edit.swap` took longer than 0.0001 s and was stopped" in job.error
    assert run_job(runtime, variant) == "skipped"


def test_waiting_gives_up_on_jobs_no_worker_took(runtime: Runtime, tmp_path: Path) -> None:
    edit, variant = submit_two(runtime, tmp_path)
    assert run_job(runtime, edit) == "done"
    seen: list[tuple[str, str]] = []
    with pytest.raises(TimeoutError, match=f"jobs {variant} not finished after 0.3 s"):
        wait_for(runtime, [edit, variant], timeout_s=0.3, poll_s=0.05)
    done, late = wait_for(
        runtime,
        [edit, variant],
        timeout_s=0.3,
        poll_s=0.05,
        late_error="no worker took it",
        progress=lambda unit, status: seen.append((unit, status)),
    )
    assert done.error is None and done.asset is not None
    assert (late.unit, late.error, late.asset) == ("v", "no worker took it", None)
    assert seen == [("edit.swap", "done")]
    assert row(runtime, variant).status == "queued"  # still there for a worker that starts later


def test_an_audit_job_audits_the_batch_on_the_worker(runtime: Runtime, tmp_path: Path) -> None:
    edit, variant = submit_two(runtime, tmp_path)
    assert run_job(runtime, edit) == "done" and run_job(runtime, variant) == "done"
    done = row(runtime, variant)
    assert done.campaign_id is not None and done.result_asset_id is not None
    with read_session(runtime.engine) as s:
        master_id = s.exec(select(Asset.id).where(Asset.kind == "upload")).one()
    audit = submit_audit(
        runtime,
        batch_key="plan-7",
        campaign_id=done.campaign_id,
        master_asset_id=master_id,
        assets={"v": done.result_asset_id},
    )
    assert (
        submit_audit(
            runtime,
            batch_key="plan-7",
            campaign_id=done.campaign_id,
            master_asset_id=master_id,
            assets={"v": done.result_asset_id},
        )
        == audit
    )  # one audit job per batch
    assert run_job(runtime, audit, limits=(60.0, 90.0)) == "done"
    assert run_job(runtime, audit) == "finished"
    with read_session(runtime.engine) as s:
        [stored] = s.exec(select(AuditRun).where(AuditRun.batch_key == "plan-7")).all()
    [item] = stored.report["assets"]
    assert Path(item["path"]).parent == runtime.settings.data_dir / "deliveries" / "plan-7" / "variants"
    assert Path(item["path"]).is_file() and stored.asset_count == 1
    moved = rebase(stored.report, tmp_path / "bot")
    assert moved["assets"][0]["path"] == str(tmp_path / "bot" / Path(item["path"]).name)
    assert moved["assets"][0]["checks"] == item["checks"]


def test_an_audit_job_with_no_master_fails_with_a_reason(runtime: Runtime, tmp_path: Path) -> None:
    edit, _ = submit_two(runtime, tmp_path)
    campaign = row(runtime, edit).campaign_id
    assert campaign is not None
    audit = submit_audit(runtime, batch_key="plan-8", campaign_id=campaign, master_asset_id=999, assets={})
    assert run_job(runtime, audit) == "failed"
    job = row(runtime, audit)
    assert job.error is not None and "Something broke while auditing (ref " in job.error
    assert job.error_ref is not None and job.attempts == 1
