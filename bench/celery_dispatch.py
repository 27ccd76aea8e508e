"""Benchmark: Celery + Redis dispatch overhead per job, and 2 workers vs the local queue (issue 8).

Starts its own redis-server on loopback and ``keyart worker`` processes (solo pool) sharing a
temporary SQLite file and blob directory with this process.

- Dispatch overhead: a trivial job (fit + export of a 64-px master to the 300×250 IAB spec), sent
  one at a time; overhead = the worker's ``started_at`` on the row minus the send time (broker hop,
  task start, the row reads and the master decode a worker does before the executor starts).
- Throughput: N classical jobs (fit + export of a 1024-px master across the catalogue) through 2
  workers vs the same jobs run by the local queue (``LocalExecutor`` in this process), same run.
Not a test: these machines are shared and noisy; only same-run comparisons mean anything.

    python bench/celery_dispatch.py [--trivial 40] [--jobs 24]
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.executor import Inputs  # noqa: E402
from pipeline.jobs import submit_plan  # noqa: E402
from pipeline.plan import Plan, Step  # noqa: E402
from pipeline.runtime import Runtime  # noqa: E402
from pipeline.specs import all_specs  # noqa: E402
from pipeline.workers import run_local, submit, wait_for  # noqa: E402
from storage.db import read_session, session_scope  # noqa: E402
from storage.models import AssetBase, Job  # noqa: E402
from storage.repos import campaigns  # noqa: E402
from storage.settings import Settings  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def store_master(runtime: Runtime, image: Image.Image) -> tuple[int, str]:
    png = io.BytesIO()
    image.save(png, "PNG")
    key = runtime.blobs.put_bytes(png.getvalue())
    with session_scope(runtime.engine) as s:
        asset = campaigns.add_asset(
            s,
            AssetBase(
                sha256=key,
                width=image.width,
                height=image.height,
                format="png",
                size_bytes=len(png.getvalue()),
            ),
        )
        assert asset.id is not None
        return asset.id, key


def make_jobs(runtime: Runtime, asset_id: int, key: str, specs: list[str], tag: str) -> list[int]:
    steps: list[Step] = []
    for i, spec in enumerate(specs):
        v = f"{tag}{i}"
        steps += [
            Step(id=f"{v}.fit", op="fit", params={"spec": spec}, variant=v),
            Step(id=f"{v}.export", op="export", params={"spec": spec}, input=f"{v}.fit", variant=v),
        ]
    plan = Plan(steps=steps).validate_plan(engine="classical", max_variants=500)
    with session_scope(runtime.engine) as s:
        jobs = submit_plan(s, plan, master_sha256=key, master_asset_id=asset_id, engine="classical")
        return [job.id for _, job in jobs if job.id is not None]


def start_workers(settings: Settings, count: int, logs: Path) -> list[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "KEYART_DATA_DIR": str(settings.data_dir),
        "KEYART_QUEUE": "celery",
        "KEYART_BROKER_URL": settings.broker_url,
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
    }
    procs = []
    for i in range(count):
        with open(logs / f"worker-{i}.log", "wb") as out:
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "bot", "worker", "--queues", "cpu", "--name", f"bench{i}@%h"],
                    cwd=logs,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
    deadline = time.monotonic() + 120
    while not all(" ready." in (logs / f"worker-{i}.log").read_text() for i in range(count)):
        if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
            raise RuntimeError("workers did not start; see " + str(logs))
        time.sleep(0.1)
    return procs


def dispatch_overhead(runtime: Runtime, trivial: int) -> list[float]:
    asset_id, key = store_master(runtime, Image.new("RGB", (64, 64), (200, 90, 40)))
    gaps = []
    for i in range(trivial + 2):  # the first two warm the worker up (imports, op registry)
        [job_id] = make_jobs(runtime, asset_id, key, ["iab-medium-rectangle"], f"t{i}-")
        sent = time.time()
        submit(runtime, [job_id])
        wait_for(runtime, [job_id], timeout_s=60, poll_s=0.01)
        with read_session(runtime.engine) as s:
            job = s.get(Job, job_id)
        assert job is not None and job.started_at is not None and job.status == "done"
        if i >= 2:
            gaps.append(job.started_at.replace(tzinfo=UTC).timestamp() - sent)
    return gaps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trivial", type=int, default=40, help="trivial jobs sent one at a time")
    parser.add_argument("--jobs", type=int, default=24, help="classical jobs for the throughput run")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="keyart-bench-"))
    port = free_port()
    redis = subprocess.Popen(
        ["redis-server", "--save", "", "--appendonly", "no", "--port", str(port), "--bind", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
    )
    procs: list[subprocess.Popen[bytes]] = []
    try:
        settings = Settings(
            data_dir=tmp / "data", queue="celery", broker_url=f"redis://127.0.0.1:{port}/0", _env_file=None
        )
        runtime = Runtime(settings)
        runtime.migrate()
        procs = start_workers(settings, 2, tmp)
        gaps = sorted(dispatch_overhead(runtime, args.trivial))
        p99 = gaps[min(len(gaps) - 1, round(0.99 * (len(gaps) - 1)))]
        print(
            f"dispatch overhead, {len(gaps)} trivial jobs one at a time: "
            f"median {statistics.median(gaps) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms"
        )

        ys, xs = np.mgrid[0:1024, 0:1024]
        master = Image.fromarray(np.stack([xs % 256, ys % 256, (xs ^ ys) % 256], -1).astype(np.uint8))
        asset_id, key = store_master(runtime, master)
        names = [s.name for s in all_specs() if s.width * s.height <= 2_500_000]
        specs = [names[i % len(names)] for i in range(args.jobs)]
        celery_jobs = make_jobs(runtime, asset_id, key, specs, "c")
        started = time.perf_counter()
        submit(runtime, celery_jobs)
        outcomes = wait_for(runtime, celery_jobs, timeout_s=600, poll_s=0.05)
        celery_s = time.perf_counter() - started
        assert not [o.error for o in outcomes if o.error]
        for proc in procs:  # the local run gets the CPUs to itself
            proc.terminate()
            proc.wait(timeout=30)
        procs = []
        local_jobs = make_jobs(runtime, asset_id, key, specs, "l")
        started = time.perf_counter()
        inputs = Inputs(master=master, master_asset_id=asset_id)
        outcomes = run_local(runtime, inputs, local_jobs, engine="classical")
        local_s = time.perf_counter() - started
        assert not [o.error for o in outcomes if o.error]
        print(
            f"throughput, {args.jobs} classical jobs (1024-px master): 2 celery workers "
            f"{args.jobs / celery_s:.2f} jobs/s ({celery_s:.1f} s), local queue "
            f"{args.jobs / local_s:.2f} jobs/s ({local_s:.1f} s), ratio {local_s / celery_s:.2f}x "
            f"on {os.cpu_count()} CPUs"
        )
    finally:
        for proc in procs:
            proc.kill()
        redis.terminate()
        redis.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
