"""The Celery app for ``KEYART_QUEUE=celery`` (``scale`` extra; import this module only there).

Crash safety, from reference/reliability.md §2:
- late acks + ``task_reject_on_worker_lost``: a job whose worker dies is delivered again;
- prefetch 1: a worker holds one job at a time, the others stay free for other workers;
- the Redis visibility timeout is above the task time limit, or a long job would be handed to a
  second worker while the first still runs it; ``unacked_restore_interval`` says how often the
  workers look for jobs whose worker died (the redelivery of a SIGKILLed job waits for both);
- redelivery loops stop at the job row's ``max_attempts`` (``jobrun.run_job``);
- Celery's own time limits need a pool child to kill, and the solo pool has none: each job runs
  under ``timelimit.time_limit`` instead (a readable failure at the limit, the worker ended at the
  hard limit, before the visibility timeout hands the job to another worker).
Messages carry only a job id; the database row is the truth, so no result backend is needed.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Celery, Task

from pipeline.imaging import sandbox
from pipeline.jobs import CPU_QUEUE, DIFFUSION_QUEUE
from pipeline.runtime import Runtime
from pipeline.workers.jobrun import run_job
from pipeline.workers.timelimit import hard_limit
from storage.settings import Settings

log = logging.getLogger(__name__)

TASK = "keyart.run_job"
QUEUES = (DIFFUSION_QUEUE, CPU_QUEUE)
WAIT_FOR_PARENTS_S = 1.0  # re-check a job whose dependencies are still running after this long


def make_app(settings: Settings) -> Celery:
    """A Celery app configured from ``settings`` with the one ``keyart.run_job`` task."""
    if settings.visibility_timeout_s <= settings.job_time_limit_s:
        raise ValueError(
            f"KEYART_VISIBILITY_TIMEOUT_S ({settings.visibility_timeout_s:g}) must exceed "
            f"KEYART_JOB_TIME_LIMIT_S ({settings.job_time_limit_s:g}), or long jobs run twice"
        )
    app = Celery("keyart", broker=settings.broker_url, set_as_current=False)
    transport = {
        "visibility_timeout": settings.visibility_timeout_s,
        "unacked_restore_interval": settings.redelivery_check_s,
        "unacked_restore_throttle": 1,  # check on every interval, not every 10th
    }
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_transport_options=transport,
        visibility_timeout=settings.visibility_timeout_s,
        broker_connection_retry_on_startup=True,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        task_default_queue=CPU_QUEUE,
        task_create_missing_queues=True,
        worker_hijack_root_logger=False,
        worker_soft_shutdown_timeout=30.0,
    )
    runtime = Runtime(settings)
    limits = (settings.job_time_limit_s, hard_limit(settings.job_time_limit_s, settings.visibility_timeout_s))

    @app.task(name=TASK, bind=True)
    def run_job_task(self: Task, job_id: int) -> str:
        step = run_job(runtime, job_id, limits=limits)
        if step == "waiting":
            queue = (self.request.delivery_info or {}).get("routing_key") or CPU_QUEUE
            app.send_task(TASK, args=[job_id], queue=queue, countdown=WAIT_FOR_PARENTS_S)
        log.info("job %s: %s", job_id, step)
        return step

    return app


_producers: dict[tuple[str, float, float], Celery] = {}


def app_for(settings: Settings) -> Celery:
    """One producer app per broker configuration (the submitter keeps its connection pool)."""
    key = (settings.broker_url, settings.visibility_timeout_s, settings.job_time_limit_s)
    if key not in _producers:
        _producers[key] = make_app(settings)
    return _producers[key]


def send(settings: Settings, jobs: list[tuple[int, str]]) -> None:
    """Send ``(job id, queue)`` pairs to the workers."""
    app = app_for(settings)
    for job_id, queue in jobs:
        app.send_task(TASK, args=[job_id], queue=queue)


def start_worker(
    settings: Settings, *, queues: list[str], concurrency: int = 1, name: str = "", loglevel: str = "INFO"
) -> Any:
    """Run a worker in this process until it is stopped (solo pool: CUDA and fork don't mix)."""
    if concurrency != 1:
        raise ValueError("a worker runs one job at a time (solo pool); start more workers instead")
    unknown = sorted(set(queues) - set(QUEUES))
    if unknown:
        raise ValueError(f"unknown queue(s) {', '.join(unknown)}; use {', '.join(QUEUES)}")
    app = make_app(settings)
    sandbox.warm_in_background()  # the first job's master decode doesn't wait for a decoder to start
    argv = [
        "worker",
        "--pool=solo",
        f"--concurrency={concurrency}",
        f"--queues={','.join(queues)}",
        "--without-gossip",
        "--without-mingle",
        f"--loglevel={loglevel}",
    ]
    if name:
        argv.append(f"--hostname={name}")
    return app.worker_main(argv)
