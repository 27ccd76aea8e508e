"""The local queue: durable tasks run by worker threads inside this process (``KEYART_QUEUE=local``).

A *task* is a job row with ``queue="tasks"`` and ``op="task.<kind>"`` (run and deliver a batch,
re-run a variant, harmonize one, generate candidates); its params say what to do, and a handler
registered by the interface does it by calling service functions. The rows *are* the queue: at
start-up the queued and interrupted (``running``) tasks are picked up again. Handlers are
idempotent — op jobs are reused by key, Slack posts are de-duplicated by the outbox — so running
an interrupted task again delivers what is missing and nothing twice. A task that keeps killing
the process stops after ``max_attempts`` instead of looping.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from typing import Any

from sqlmodel import col, select

from pipeline.errors import UserFacingError, new_ref
from pipeline.runtime import Runtime
from storage.db import read_session, session_scope
from storage.models import Job, JobBase, utcnow
from storage.repos import jobs as job_repo

log = logging.getLogger(__name__)

TASK_QUEUE = "tasks"
Handler = Callable[[Job], None]
FailureHook = Callable[[Job, str], None]  # (task, message for people) after a task failed for good


def task_key(kind: str, key: str) -> str:
    """The idempotency key of a task; long keys are hashed to fit the column."""
    raw = f"task:{kind}:{key}"
    return raw if len(raw) <= 64 else f"task:{kind}:" + hashlib.sha256(key.encode()).hexdigest()[:40]


class LocalQueue:
    """Runs task rows with registered handlers, ``workers`` at a time, in daemon threads."""

    def __init__(self, runtime: Runtime, handlers: dict[str, Handler], *, workers: int = 1,
                 on_failure: FailureHook | None = None, poll_s: float = 0.5) -> None:
        self.runtime = runtime
        self.handlers = handlers
        self.on_failure = on_failure or (lambda job, message: None)
        self.poll_s = poll_s
        self._workers = workers
        self._threads: list[threading.Thread] = []
        self._wake = threading.Condition()
        self._stop = threading.Event()
        self._claimed: set[int] = set()
        self.current: dict[str, int] = {}  # thread name → task id being run

    # -- producers ----------------------------------------------------------------------------
    def submit(self, kind: str, key: str, params: dict[str, Any], *, campaign_id: int | None = None,
               reply_channel: str | None = None, reply_thread_ts: str | None = None) -> tuple[int, bool]:
        """Queue a task once per ``(kind, key)``; returns ``(job id, created)``."""
        if kind not in self.handlers:
            raise ValueError(f"no handler for task kind {kind!r}")
        with session_scope(self.runtime.engine) as s:
            job, created = job_repo.get_or_create_job(s, JobBase(
                campaign_id=campaign_id, idempotency_key=task_key(kind, key), op=f"task.{kind}",
                params=params, queue=TASK_QUEUE, engine=self.runtime.settings.engine,
                reply_channel=reply_channel, reply_thread_ts=reply_thread_ts,
            ))
            assert job.id is not None
            job_id = job.id
        with self._wake:
            self._wake.notify_all()
        return job_id, created

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> LocalQueue:
        """Start the workers; they resume unfinished tasks first (oldest first)."""
        for index in range(self._workers):
            thread = threading.Thread(target=self._loop, name=f"keyart-queue-{index}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        with self._wake:
            self._wake.notify_all()
        for thread in self._threads:
            thread.join(timeout)

    @property
    def alive(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    def pending(self) -> list[Job]:
        """Tasks not finished yet, oldest first."""
        with read_session(self.runtime.engine) as s:
            stmt = select(Job).where(Job.queue == TASK_QUEUE, col(Job.status).in_(job_repo.ACTIVE))
            return list(s.exec(stmt.order_by(col(Job.id))))

    # -- workers ------------------------------------------------------------------------------
    def _loop(self) -> None:
        while not self._stop.is_set():
            job_id = self._claim()
            if job_id is None:
                with self._wake:
                    self._wake.wait(self.poll_s)
                continue
            name = threading.current_thread().name
            self.current[name] = job_id
            try:
                self._run(job_id)
            finally:
                self.current.pop(name, None)
                with self._wake:
                    self._claimed.discard(job_id)

    def _claim(self) -> int | None:
        with self._wake:
            for job in self.pending():
                if job.id is not None and job.id not in self._claimed:
                    self._claimed.add(job.id)
                    return job.id
        return None

    def _run(self, job_id: int) -> None:
        with session_scope(self.runtime.engine) as s:
            job = job_repo.start_attempt(s, job_id)
            if job is None:
                return
            if job.attempts > job.max_attempts:
                message = (f"gave up after {job.max_attempts} attempts: the bot stopped while running it "
                           "each time")
                job_repo.fail_job(s, job_id, message, final=True)
                failed: Job | None = job
            else:
                failed = None
        if failed is not None:
            self.on_failure(failed, f"⚠️ I {message}.")
            return
        handler = self.handlers.get(job.op.removeprefix("task."))
        try:
            if handler is None:
                raise RuntimeError(f"no handler for {job.op}")
            handler(job)
        except UserFacingError as exc:
            self._fail(job, f"⚠️ {exc}", None)
        except Exception:  # logged with a ref; the queue keeps going
            ref = new_ref()
            log.exception("task %s (%s) failed, ref %s", job_id, job.op, ref)
            self._fail(job, f"⚠️ Something broke (ref {ref}). The team can find it in the logs.", ref)
        else:
            self._finish(job_id)

    def _finish(self, job_id: int) -> None:
        with session_scope(self.runtime.engine) as s:
            job = job_repo.get_job(s, job_id)
            if job is not None:
                job.status, job.error, job.finished_at = "done", None, utcnow()
                s.add(job)

    def _fail(self, job: Job, message: str, ref: str | None) -> None:
        assert job.id is not None
        with session_scope(self.runtime.engine) as s:
            job_repo.fail_job(s, job.id, message, ref, final=True)
        try:
            self.on_failure(job, message)
        except Exception:  # reporting must not kill the worker
            log.exception("could not report the failure of task %s", job.id)
