"""Celery + Redis workers, for real: a Redis server and ``keyart worker`` processes on loopback.

The test process is the producer (``run_plan`` with ``queue=celery``, or ``submit``); workers
share its SQLite file and blob directory. Redelivery after a SIGKILL waits for the visibility
timeout, so the tests run with a short one (3 s, checked every 0.5 s).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
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
from storage.db import read_session, session_scope
from storage.models import Asset, Job
from storage.settings import Settings
from tests.support.servers import RedisServer

ROOT = Path(__file__).resolve().parents[2]
PATCHED = Path(__file__).with_name("celery_patched_worker.py")
QUICK = {
    "KEYART_VISIBILITY_TIMEOUT_S": "3",
    "KEYART_JOB_TIME_LIMIT_S": "2",
    "KEYART_REDELIVERY_CHECK_S": "0.5",
}


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
        visibility_timeout_s=float(QUICK["KEYART_VISIBILITY_TIMEOUT_S"]),
        job_time_limit_s=float(QUICK["KEYART_JOB_TIME_LIMIT_S"]),
        redelivery_check_s=float(QUICK["KEYART_REDELIVERY_CHECK_S"]),
        _env_file=None,
    )
    redis_server.flush()  # job ids restart at 1 in each test's database
    runtime = Runtime(settings)
    runtime.migrate()
    return runtime


class Workers:
    """``keyart worker`` subprocesses sharing the test's data dir and broker; all stopped at the end."""

    def __init__(self, runtime: Runtime, logs: Path) -> None:
        self.env = {
            **os.environ,
            **QUICK,
            "KEYART_DATA_DIR": str(runtime.settings.data_dir),
            "KEYART_QUEUE": "celery",
            "KEYART_BROKER_URL": runtime.settings.broker_url,
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
        }
        self.logs = logs
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, patch: str = "") -> subprocess.Popen[bytes]:
        prefix = [str(PATCHED), patch] if patch else ["-m", "bot"]
        log = self.logs / f"worker-{len(self.procs)}.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    *prefix,
                    "worker",
                    "--queues",
                    "cpu,gpu",
                    "--name",
                    f"w{len(self.procs)}@test",
                ],
                cwd=self.logs,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.procs.append(proc)
        return proc

    def wait_ready(self, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
        log = self.logs / f"worker-{self.procs.index(proc)}.log"
        wait_until("a worker to start", lambda: " ready." in log.read_text(), self, timeout)

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGQUIT)  # cold shutdown: the tests are done with them
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def log_tail(self) -> str:
        return "\n".join(p.read_text()[-1500:] for p in sorted(self.logs.glob("worker-*.log")))


@pytest.fixture
def workers(runtime: Runtime, tmp_path: Path) -> Iterator[Workers]:
    logs = tmp_path / "logs"
    logs.mkdir()
    pool = Workers(runtime, logs)
    yield pool
    pool.stop()


def wait_until(what: str, check: Callable[[], bool], workers: Workers, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}\n{workers.log_tail()}")
        time.sleep(0.1)


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
    slow = workers.start(patch="slow")
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
