"""Queue backends behind one interface, chosen by ``settings.queue``.

- ``local`` (default): the jobs run in this process, in dependency order (``LocalExecutor``).
- ``celery``: each job id goes to its queue (``gpu`` or ``cpu``) on the Redis broker, and
  ``keyart worker`` processes run them; the caller waits on the job rows, which are the truth.
Celery is imported only on the celery path (it is in the ``scale`` extra).
"""

from __future__ import annotations

import time
from dataclasses import replace

from sqlmodel import Session

from pipeline.executor import Inputs, LocalExecutor, Outcome, Progress
from pipeline.jobs import job_name
from pipeline.runtime import Runtime
from pipeline.workers.timelimit import hard_limit
from storage.db import read_session, session_scope
from storage.models import Job
from storage.repos import campaigns
from storage.repos import jobs as job_repo
from storage.settings import Settings

FINISHED = ("done", "failed", "cancelled")
WORKER_RESTART_S = 30.0  # a supervisor (systemd, Kubernetes) starting a dead worker again, imports included


def submit(runtime: Runtime, job_ids: list[int]) -> None:
    """Hand the jobs to the Celery workers (``queue=celery``); each goes to its row's queue."""
    if runtime.settings.queue != "celery":
        raise ValueError("submit() sends to Celery; the local queue runs jobs with run_local()")
    from pipeline.workers.celery_app import send

    with read_session(runtime.engine) as s:
        rows = [job_repo.get_job(s, job_id) for job_id in job_ids]
    send(runtime.settings, [(job.id, job.queue) for job in rows if job is not None and job.id is not None])


def run_on_workers(
    runtime: Runtime,
    job_ids: list[int],
    *,
    master_asset_id: int,
    logo_png: bytes | None = None,
    font: bytes | None = None,
    fonts: dict[str, bytes] | None = None,
    style: dict[str, object] | None = None,
    progress: Progress | None = None,
) -> list[Outcome]:
    """``queue=celery``: record the inputs on the jobs as blobs, send them, and wait for the rows."""
    record_inputs(runtime, job_ids, master_asset_id=master_asset_id, logo_png=logo_png, font=font,
                  fonts=fonts, style=style)
    submit(runtime, job_ids)
    timeout = patience(runtime.settings, len(job_ids))
    late = (f"no worker finished it within {timeout:g} s: is `keyart worker` running for its queue? "
            "The job stays queued; a worker that starts later still makes it.")
    return wait_for(runtime, job_ids, timeout_s=timeout, progress=progress, late_error=late)


def record_inputs(
    runtime: Runtime,
    job_ids: list[int],
    *,
    master_asset_id: int,
    logo_png: bytes | None = None,
    font: bytes | None = None,
    fonts: dict[str, bytes] | None = None,
    style: dict[str, object] | None = None,
) -> None:
    """Name each unfinished job's inputs on its row, by asset id and blob key.

    Workers only get job ids, so what the executor would have been handed in memory (the master,
    the brand's logo, its font and its fallback fonts per script, ``font:<key>``) is stored as blobs.
    """
    recorded: dict[str, object] = {"master_asset_id": master_asset_id}
    if logo_png is not None:
        recorded["logo"] = runtime.blobs.put_bytes(logo_png)
    if font is not None:
        recorded["font"] = runtime.blobs.put_bytes(font)
    if fonts:
        recorded["fonts"] = {key: runtime.blobs.put_bytes(data) for key, data in fonts.items()}
    if style:
        recorded["style"] = style
    with session_scope(runtime.engine) as s:
        for job_id in job_ids:
            job = job_repo.get_job(s, job_id)
            if job is not None and job.status not in FINISHED:
                job.params = {**job.params, "inputs": recorded}  # a new dict: JSON columns see the change
                s.add(job)


def patience(settings: Settings, jobs: int, attempts: int = 3) -> float:
    """How long a caller waits for ``jobs`` on the workers before saying none finished them.

    Each job may run to its time limit behind the others on one worker, and each attempt killed
    with its worker adds a visibility timeout before the job is delivered again, plus the time its
    supervisor takes to start a worker again.
    """
    hard = hard_limit(settings.job_time_limit_s, settings.visibility_timeout_s)
    redelivery = settings.visibility_timeout_s + hard + WORKER_RESTART_S
    return redelivery * attempts + settings.job_time_limit_s * max(jobs, 1)


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
    late_error: str | None = None,
) -> list[Outcome]:
    """Poll the rows until every job is finished; then each job's outcome.

    ``progress`` hears each job's ``running`` and its end (``done`` | ``failed``) once, as the
    rows show them. At the deadline, unfinished jobs come back failed with ``late_error``, or
    without it a ``TimeoutError`` names them.
    """
    deadline = time.monotonic() + timeout_s
    reported: dict[int, str] = {}
    while True:
        with read_session(runtime.engine) as s:
            jobs = {job_id: job_repo.get_job(s, job_id) for job_id in job_ids}
        if progress is not None:
            for job_id, job in jobs.items():
                if job is not None and (status := _shown(job)) and reported.get(job_id) != status:
                    if status != "running" or job_id not in reported:
                        progress(job_name(job), status)
                    reported[job_id] = status
        if all(job is None or job.status in FINISHED for job in jobs.values()):
            with read_session(runtime.engine) as s:
                return [_outcome(s, job_id, s.get(Job, job_id)) for job_id in job_ids]
        if time.monotonic() > deadline:
            waiting = [j for j, job in jobs.items() if job is not None and job.status not in FINISHED]
            if late_error is None:
                raise TimeoutError(f"jobs {', '.join(map(str, waiting))} not finished after {timeout_s:g} s")
            with read_session(runtime.engine) as s:
                outcomes = [_outcome(s, job_id, s.get(Job, job_id)) for job_id in job_ids]
            return [replace(o, error=late_error) if o.job_id in waiting else o for o in outcomes]
        time.sleep(poll_s)


def _shown(job: Job) -> str | None:
    """The status a progress hook hears for a row (queued and cancelled are not news)."""
    return {"running": "running", "done": "done", "failed": "failed"}.get(job.status)


def _outcome(session: Session, job_id: int, job: Job | None) -> Outcome:
    if job is None:
        return Outcome(str(job_id), job_id, error=f"job {job_id} no longer exists")
    name = job_name(job)
    if job.status == "done":  # an audit job is done with no asset of its own
        asset = campaigns.get_asset(session, job.result_asset_id) if job.result_asset_id else None
        return Outcome(name, job_id, asset=asset)
    return Outcome(name, job_id, error=job.error or f"job {job_id} {job.status}")
