"""Celery + Redis workers, for real: a Redis server and ``keyart worker`` processes on loopback.

The test process is the producer (``run_plan`` with ``queue=celery``, or ``submit``); workers
share its SQLite file and blob directory. Redelivery after a SIGKILL waits for the visibility
timeout, so the tests run with short limits (a 4 s job time limit, 5 s visibility timeout).
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sqlmodel import select

from pipeline.brandkit import load_brand_kit
from pipeline.jobs import submit_plan
from pipeline.plan import Plan, Step
from pipeline.runtime import Runtime
from pipeline.service import ingest_master, run_plan
from pipeline.workers import submit, wait_for
from pipeline.workers.jobrun import gave_up_message
from pipeline.workers.timelimit import HARD_EXIT_CODE
from storage.db import read_session, session_scope
from storage.models import Asset, Job
from storage.settings import Settings
from tests.support.servers import RedisServer
from tests.support.workers import Workers, quick_settings, wait_until

ROOT = Path(__file__).resolve().parents[2]
LIMIT_S = 4.0  # the first job of a fresh worker warms its imports up; a busy CI machine is slow


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture
def runtime(tmp_path: Path, redis_server: RedisServer) -> Runtime:
    settings = Settings(
        data_dir=tmp_path / "data",
        queue="celery",
        broker_url=redis_server.url,
        _env_file=None,
        **quick_settings(LIMIT_S),
    )
    redis_server.flush()  # job ids restart at 1 in each test's database
    runtime = Runtime(settings)
    runtime.migrate()
    return runtime


@pytest.fixture
def workers(runtime: Runtime, tmp_path: Path) -> Iterator[Workers]:
    logs = tmp_path / "logs"
    logs.mkdir()
    pool = Workers(runtime.settings, logs)
    yield pool
    pool.stop()


def master_file(tmp_path: Path) -> Path:
    rng = np.random.default_rng(7)
    ys, xs = np.mgrid[0:256, 0:256]
    pixels = np.stack([xs, ys, (xs + ys) // 2], axis=-1) + rng.integers(0, 20, (256, 256, 3))
    path = tmp_path / "master.png"
    Image.fromarray(pixels.clip(0, 255).astype(np.uint8)).save(path)
    return path


def variant_steps(spec: str, *, brand: bool = False) -> list[Step]:
    ops = ["fit", "brand", "export"] if brand else ["fit", "export"]
    steps, source = [], "master"
    for op in ops:
        params: dict[str, object] = {"spec": spec, **({"text": "Shop now"} if op == "brand" else {})}
        steps.append(Step(id=f"{spec}.{op}", op=op, params=params, input=source, variant=spec))
        source = f"{spec}.{op}"
    return steps


def one_job(runtime: Runtime, tmp_path: Path) -> int:
    """Submit a one-variant plan's job (not yet sent); returns its id."""
    master = ingest_master(runtime, master_file(tmp_path), campaign_name="crash", user="test")
    plan = Plan(steps=variant_steps("iab-medium-rectangle")).validate_plan(engine="classical", max_variants=5)
    assert master.asset.id is not None
    with session_scope(runtime.engine) as s:
        [(_, job)] = submit_plan(
            s,
            plan,
            master_sha256=master.asset.sha256,
            master_asset_id=master.asset.id,
            engine="classical",
            campaign_id=master.campaign_id,
        )
        assert job.id is not None
        return job.id


def job_row(runtime: Runtime, job_id: int) -> Job:
    with read_session(runtime.engine) as s:
        job = s.get(Job, job_id)
    assert job is not None
    return job


def assets_of_job(runtime: Runtime, job_id: int) -> list[Asset]:
    with read_session(runtime.engine) as s:
        return list(s.exec(select(Asset).where(Asset.job_id == job_id)))


def test_plan_runs_end_to_end_on_a_keyart_worker(runtime: Runtime, workers: Workers, tmp_path: Path) -> None:
    workers.wait_ready(workers.start())
    master = ingest_master(runtime, master_file(tmp_path), campaign_name="e2e", user="test")
    plan = Plan(steps=[*variant_steps("iab-medium-rectangle", brand=True), *variant_steps("iab-leaderboard")])
    plan = plan.validate_plan(engine="classical", max_variants=5)
    brand = load_brand_kit(ROOT / "examples" / "brand" / "brand.json")
    delivery = run_plan(runtime, plan, master, engine="classical", brand=brand)

    assert [o.error for o in delivery.outcomes] == [None, None], workers.log_tail()
    sizes = {}
    for outcome in delivery.outcomes:
        assets = assets_of_job(runtime, outcome.job_id)
        assert len(assets) == 1  # exactly one result per job
        assert job_row(runtime, outcome.job_id).attempts == 1
        sizes[outcome.unit] = (assets[0].width, assets[0].height)
        assert runtime.blobs.exists(assets[0].sha256)
    assert sizes == {"iab-medium-rectangle": (300, 250), "iab-leaderboard": (728, 90)}
    # The worker drew the brand's logo: it rebuilt it from the blob recorded on the job.
    [branded] = assets_of_job(runtime, delivery.outcomes[0].job_id)
    brand_step = next(step for step in branded.params["steps"] if step["op"] == "brand")
    assert brand_step["record"]["logo_box"] is not None


def test_sigkilled_worker_job_is_finished_by_another(
    runtime: Runtime, workers: Workers, tmp_path: Path
) -> None:
    job_id = one_job(runtime, tmp_path)
    slow = workers.start(patch="hang")
    submit(runtime, [job_id])
    running = lambda: job_row(runtime, job_id).status == "running"  # noqa: E731
    wait_until("the slow worker to start the job", running, workers)
    slow.send_signal(signal.SIGKILL)
    slow.wait(timeout=10)
    workers.start()  # a healthy worker; Redis hands it the unacknowledged job after the timeout

    [outcome] = wait_for(runtime, [job_id], timeout_s=40)
    assert outcome.error is None, workers.log_tail()
    assert job_row(runtime, job_id).attempts == 2
    assets = assets_of_job(runtime, job_id)
    assert len(assets) == 1 and (assets[0].width, assets[0].height) == (300, 250)


def test_job_that_always_kills_its_worker_stops_at_the_attempt_cap(
    runtime: Runtime, workers: Workers, tmp_path: Path
) -> None:
    job_id = one_job(runtime, tmp_path)
    with session_scope(runtime.engine) as s:
        job = s.get(Job, job_id)
        assert job is not None
        job.max_attempts = 2  # two crashes are enough to show the cap, and faster than three
        s.add(job)
    # Three workers, started together (starting one takes seconds here): each that takes the
    # job dies running it, until one finds the cap reached and refuses.
    for proc in [workers.start(patch="crash") for _ in range(3)]:
        workers.wait_ready(proc)
    submit(runtime, [job_id])
    wait_until("the job to give up", lambda: job_row(runtime, job_id).status == "failed", workers, 40)
    job = job_row(runtime, job_id)
    assert job.attempts == 2
    assert job.error == gave_up_message(2)
    assert assets_of_job(runtime, job_id) == []
    states = [proc.poll() for proc in workers.procs]
    assert states.count(-signal.SIGKILL) == 2 and states.count(None) == 1, states


def test_job_past_the_time_limit_fails_readably_and_the_worker_goes_on(
    runtime: Runtime, workers: Workers, tmp_path: Path
) -> None:
    job_id = one_job(runtime, tmp_path)
    worker = workers.start(patch="overrun")
    submit(runtime, [job_id])
    [outcome] = wait_for(runtime, [job_id], timeout_s=40)
    assert outcome.error is not None
    assert "took longer than 4 s and was stopped (KEYART_JOB_TIME_LIMIT_S)" in outcome.error
    assert "`iab-medium-rectangle`" in outcome.error
    assert job_row(runtime, job_id).attempts == 1 and assets_of_job(runtime, job_id) == []
    assert worker.poll() is None  # the solo pool has no child to kill: the job was interrupted


def test_job_that_ignores_the_time_limit_ends_its_worker_and_runs_elsewhere(
    runtime: Runtime, workers: Workers, tmp_path: Path
) -> None:
    job_id = one_job(runtime, tmp_path)
    stuck = workers.start(patch="hang")
    submit(runtime, [job_id])
    wait_until(
        "the stuck worker to start the job", lambda: job_row(runtime, job_id).status == "running", workers
    )
    workers.start()  # a healthy worker, ready when Redis redelivers the stuck worker's job
    assert stuck.wait(timeout=20) == HARD_EXIT_CODE  # the hard limit (4.5 s), before redelivery (5 s)

    [outcome] = wait_for(runtime, [job_id], timeout_s=40)
    assert outcome.error is None, workers.log_tail()
    assert job_row(runtime, job_id).attempts == 2
    assert len(assets_of_job(runtime, job_id)) == 1
    assert "hard limit" in (workers.logs / "worker-0.log").read_text()
