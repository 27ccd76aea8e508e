"""``pipeline.workers.jobrun.run_job`` in-process: what a Celery task does with a job id."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sqlmodel import select

from pipeline.jobs import submit_plan
from pipeline.plan import Plan, Step
from pipeline.runtime import Runtime
from pipeline.service import ingest_master
from pipeline.workers.jobrun import gave_up_message, run_job
from storage.db import read_session, session_scope
from storage.models import Asset, Job
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
