"""Queue backends behind one interface, chosen by ``settings.queue``.

- ``local`` (default): the jobs run in this process, in dependency order (``LocalExecutor``).
- ``celery``: each job id goes to its queue (``gpu`` or ``cpu``) on the Redis broker, and
  ``keyart worker`` processes run them; the caller waits on the job rows, which are the truth.
Celery is imported only on the celery path (it is in the ``scale`` extra).
"""

from __future__ import annotations

import time

from sqlmodel import Session

from pipeline.executor import Inputs, LocalExecutor, Outcome, Progress
from pipeline.jobs import unit_from_job
from pipeline.runtime import Runtime
from storage.db import read_session
from storage.models import Job
from storage.repos import campaigns
from storage.repos import jobs as job_repo

FINISHED = ("done", "failed", "cancelled")


def submit(runtime: Runtime, job_ids: list[int]) -> None:
    """Hand the jobs to the Celery workers (``queue=celery``); each goes to its row's queue."""
    if runtime.settings.queue != "celery":
        raise ValueError("submit() sends to Celery; the local queue runs jobs with run_local()")
    from pipeline.workers.celery_app import send

    with read_session(runtime.engine) as s:
        rows = [job_repo.get_job(s, job_id) for job_id in job_ids]
    send(runtime.settings, [(job.id, job.queue) for job in rows if job is not None and job.id is not None])


def run_local(
    runtime: Runtime,
    inputs: Inputs,
    job_ids: list[int],
    *,
    engine: str,
    progress: Progress | None = None,
    diffusion: object = None,
) -> list[Outcome]:
    """Run the jobs here, in order (the ``local`` backend)."""
    return LocalExecutor(runtime, inputs, engine=engine, progress=progress, diffusion=diffusion).run(job_ids)


def wait_for(
    runtime: Runtime,
    job_ids: list[int],
    *,
    timeout_s: float,
    poll_s: float = 0.2,
    progress: Progress | None = None,
) -> list[Outcome]:
    """Poll the rows until every job is finished; ``TimeoutError`` naming the unfinished ones."""
    deadline = time.monotonic() + timeout_s
    reported: set[int] = set()
    while True:
        with read_session(runtime.engine) as s:
            jobs = {job_id: job_repo.get_job(s, job_id) for job_id in job_ids}
            for job_id, job in jobs.items():
                if job is not None and job.status in FINISHED and job_id not in reported and progress:
                    progress(unit_from_job(job).name, "done" if job.status == "done" else "failed")
                    reported.add(job_id)
            if all(job is None or job.status in FINISHED for job in jobs.values()):
                return [_outcome(s, job_id, job) for job_id, job in jobs.items()]
        if time.monotonic() > deadline:
            waiting = [str(j) for j, job in jobs.items() if job is not None and job.status not in FINISHED]
            raise TimeoutError(f"jobs {', '.join(waiting)} not finished after {timeout_s:g} s")
        time.sleep(poll_s)


def _outcome(session: Session, job_id: int, job: Job | None) -> Outcome:
    if job is None:
        return Outcome(str(job_id), job_id, error=f"job {job_id} no longer exists")
    name = unit_from_job(job).name
    if job.status == "done" and job.result_asset_id:
        return Outcome(name, job_id, asset=campaigns.get_asset(session, job.result_asset_id))
    return Outcome(name, job_id, error=job.error or f"job {job_id} {job.status}")
