"""Job rows: the queue's source of truth, whatever backend delivers them.

A job's ``idempotency_key`` is unique: asking for the same work twice returns the existing row,
so redeliveries and re-runs never create a second asset.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import Job, JobBase, utcnow

ACTIVE = ("queued", "running")


def get_or_create_job(session: Session, data: JobBase) -> tuple[Job, bool]:
    """Return ``(job, created)``; an existing job with the same key is returned as is."""
    existing = job_by_key(session, data.idempotency_key)
    if existing is not None:
        return existing, False
    job = Job.model_validate(data)
    try:
        with session.begin_nested():
            session.add(job)
            session.flush()
    except IntegrityError:
        # Another process inserted the same key between our read and write.
        existing = job_by_key(session, data.idempotency_key)
        assert existing is not None
        return existing, False
    return job, True


def job_by_key(session: Session, key: str) -> Job | None:
    return session.exec(select(Job).where(Job.idempotency_key == key)).first()


def get_job(session: Session, job_id: int) -> Job | None:
    return session.get(Job, job_id)


def start_attempt(session: Session, job_id: int) -> Job | None:
    """Mark a job running and count the attempt; ``None`` if it is already finished."""
    job = session.exec(select(Job).where(Job.id == job_id).with_for_update()).first()
    if job is None or job.status in ("done", "failed", "cancelled"):
        return None
    job.status = "running"
    job.attempts += 1
    job.started_at = utcnow()
    session.add(job)
    session.flush()
    return job


def finish_job(session: Session, job_id: int, result_asset_id: int | None) -> Job:
    job = _require(session, job_id)
    job.status = "done"
    job.result_asset_id = result_asset_id
    job.error = None
    job.finished_at = utcnow()
    session.add(job)
    session.flush()
    return job


def fail_job(session: Session, job_id: int, error: str, ref: str | None = None, *, final: bool) -> Job:
    """Record a failed attempt; ``final`` ends the job, otherwise it goes back to the queue."""
    job = _require(session, job_id)
    job.error = error
    job.error_ref = ref
    job.status = "failed" if final else "queued"
    if final:
        job.finished_at = utcnow()
    session.add(job)
    session.flush()
    return job


def jobs_of_batch(session: Session, batch_key: str) -> list[Job]:
    return list(session.exec(select(Job).where(Job.batch_key == batch_key).order_by(col(Job.id))))


def unfinished_jobs(session: Session) -> list[Job]:
    """Queued and interrupted (``running`` with no live worker) jobs, oldest first: resumed at start-up."""
    return list(session.exec(select(Job).where(col(Job.status).in_(ACTIVE)).order_by(col(Job.id))))


def count_by_status(session: Session, since: datetime | None = None) -> dict[str, int]:
    stmt = select(Job)
    if since is not None:
        stmt = stmt.where(Job.created_at >= since)
    counts: dict[str, int] = {}
    for job in session.exec(stmt):
        counts[job.status] = counts.get(job.status, 0) + 1
    return counts


def _require(session: Session, job_id: int) -> Job:
    job = session.get(Job, job_id)
    if job is None:
        raise LookupError(f"no job {job_id}")
    return job
