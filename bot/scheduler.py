"""The digest scheduler: APScheduler 3.x, jobs in the project database, one active process.

APScheduler 3 has no interprocess synchronisation (two schedulers on one job store may run a job
twice or miss it), so every process opens the job store (to read and change schedules) but only
the holder of the ``SchedulerLock`` row runs jobs; the others stay paused and try to take the
lease over each ``renew_s`` until the holder stops renewing it. Should two ever fire anyway (a
holder stalled past its lease), the outbox dedupe keys (channel + period) post the digest once.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from bot.digests import DigestSchedule
from pipeline.digest import build_digest, render_digest_pictures
from pipeline.runtime import Runtime
from storage.db import read_session, session_scope
from storage.models import Outbox, SchedulerLock, utcnow
from storage.repos import slack as slack_repo

log = logging.getLogger(__name__)

LOCK_NAME = "digest-scheduler"
JOBS_TABLE = "digest_jobs"  # APScheduler's own table (created by the job store, not by Alembic)
_local = threading.local()  # which scheduler's executor thread runs a job (set by the pool initializer)


def digest_job(channel: str, every: str, tz: str, schedule: dict[str, Any] | None = None) -> None:
    """The stored job's callable (jobs are pickled by reference, so it is module-level)."""
    owner: DigestScheduler | None = getattr(_local, "owner", None)
    if owner is None:
        raise RuntimeError("digest_job runs only on a DigestScheduler executor")
    owner.run_digest(channel, every, tz)


def period_of(every: str, tz: str, now: datetime) -> str:
    """The digest period ``now`` falls in: the local day, or the ISO week (one digest each)."""
    local = now.astimezone(ZoneInfo(tz))
    if every == "weekly":
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    return local.date().isoformat()


class DigestScheduler:
    def __init__(self, runtime: Runtime, wake: Callable[[], None] = lambda: None, *, lease_s: float = 60.0,
                 renew_s: float | None = None, holder: str | None = None) -> None:
        self.runtime = runtime
        self.wake = wake  # the notifier's: digest posts go out at once
        self.lease = timedelta(seconds=lease_s)
        self.renew_s = renew_s if renew_s is not None else lease_s / 3
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.leader = False
        executor = ThreadPoolExecutor(1, pool_kwargs={"initializer": self._bind})
        self.scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=runtime.engine, tablename=JOBS_TABLE)},
            executors={"default": executor},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
            timezone="UTC",
        )
        self._opened = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _bind(self) -> None:
        _local.owner = self

    # -- lifecycle ------------------------------------------------------------------------------
    def open(self) -> DigestScheduler:
        """Open the job store (paused: this process reads and edits schedules, runs nothing)."""
        with self._opened:
            if not self.scheduler.running:
                self.scheduler.start(paused=True)
        return self

    def start(self) -> DigestScheduler:
        """Open, and keep trying to hold the lock; the holder runs the jobs."""
        self.open()
        self._tick()
        self._thread = threading.Thread(target=self._loop, name="keyart-digests", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        if self.leader:
            with session_scope(self.runtime.engine) as s:  # let a standby take over at once
                s.exec(delete(SchedulerLock).where(
                    col(SchedulerLock.name) == LOCK_NAME, col(SchedulerLock.holder) == self.holder))
            self.leader = False

    def _loop(self) -> None:
        while not self._stop.wait(self.renew_s):
            try:
                self._tick()
            except Exception:  # a database hiccup: try again next round (the lease has slack)
                log.exception("digest scheduler lease round failed")

    def _tick(self) -> None:
        held = self.try_lock()
        if held and not self.leader:
            log.info("digest scheduler %s took the lock: running jobs", self.holder)
            self.scheduler.resume()
        elif not held and self.leader:
            log.warning("digest scheduler %s lost the lock: pausing", self.holder)
            self.scheduler.pause()
        self.leader = held
        if held:
            # Another process may have added or changed a job in the store: look again.
            self.scheduler.wakeup()

    def try_lock(self) -> bool:
        """Take or renew the lease (one atomic UPDATE, or the first INSERT); ``True`` if held."""
        now = utcnow()
        with session_scope(self.runtime.engine) as s:
            taken = s.exec(update(SchedulerLock).where(
                col(SchedulerLock.name) == LOCK_NAME,
                (col(SchedulerLock.holder) == self.holder) | (col(SchedulerLock.expires_at) < now),
            ).values(holder=self.holder, expires_at=now + self.lease))
            if taken.rowcount == 1:
                return True
            if s.get(SchedulerLock, LOCK_NAME) is not None:
                return False
            try:
                with s.begin_nested():
                    s.add(SchedulerLock(name=LOCK_NAME, holder=self.holder, expires_at=now + self.lease))
            except IntegrityError:
                return False
        return True

    # -- schedules (what /keyart digest edits) ---------------------------------------------------
    def set(self, channel: str, schedule: DigestSchedule | None, *,
            trigger: BaseTrigger | None = None) -> None:
        """Replace the channel's schedule (``None``: off). ``trigger`` overrides the cron (tests)."""
        self.open()
        job_id = f"digest:{channel}"
        if schedule is None:
            with contextlib.suppress(JobLookupError):  # already off
                self.scheduler.remove_job(job_id)
            return
        self.scheduler.add_job(
            digest_job, trigger or cron_of(schedule), id=job_id, replace_existing=True,
            name=f"digest {channel}",
            # the schedule as given rides along, so get() can say it back
            kwargs={"channel": channel, "every": schedule.every, "tz": schedule.tz,
                    "schedule": {"time": schedule.time, "day": schedule.day}},
        )

    def all(self) -> dict[str, DigestSchedule]:
        self.open()
        found = {}
        for job in self.scheduler.get_jobs():
            kw = job.kwargs
            if job.id.startswith("digest:") and "schedule" in kw:
                found[kw["channel"]] = DigestSchedule(kw["every"], kw["schedule"]["time"], kw["tz"],
                                                      kw["schedule"]["day"])
        return found

    def get(self, channel: str) -> DigestSchedule | None:
        return self.all().get(channel)

    # -- the digest ------------------------------------------------------------------------------
    def last_digested(self, channel: str) -> int:
        """The newest audit run a digest of ``channel`` covered (kept on that digest's outbox row)."""
        with read_session(self.runtime.engine) as s:
            row = s.exec(select(Outbox).where(col(Outbox.dedupe_key).startswith(f"digest:{channel}:"),
                                              col(Outbox.dedupe_key).endswith(":text"))
                         .order_by(col(Outbox.id).desc())).first()
        return int((row.payload.get("meta") or {}).get("last_run_id") or 0) if row else 0

    def run_digest(self, channel: str, every: str, tz: str, now: datetime | None = None) -> bool:
        """Queue this period's digest for ``channel``; ``False`` if it exists or there is nothing new."""
        period = period_of(every, tz, now or utcnow())
        key = f"digest:{channel}:{period}"
        with read_session(self.runtime.engine) as s:
            if s.exec(select(Outbox.id).where(Outbox.dedupe_key == f"{key}:text")).first() is not None:
                return False  # a second fire in the period (the outbox keys would drop it anyway)
            digest = build_digest(s, channel, self.last_digested(channel))
        if not digest.batches:
            log.info("digest for %s (%s): no audited batches since run %s", channel, period,
                     digest.since_run_id)
            return False
        folder = self.runtime.settings.data_dir / "digests" / channel / period
        pictures = [(p, self.runtime.blobs.put_file(p)) for p in render_digest_pictures(digest, folder)]
        meta = {"last_run_id": digest.last_run_id, "period": period}
        # One transaction: the summary (which records how far this digest went) and its pictures.
        with session_scope(self.runtime.engine) as s:
            slack_repo.enqueue_outbox(s, f"{key}:text", "post", channel,
                                      {"text": digest.text(), "blocks": None, "map": None, "meta": meta})
            for path, blob in pictures:
                title = "Audit digest chart" if path.stem == "chart" else "Audit digest contact sheet"
                slack_repo.enqueue_outbox(s, f"{key}:{path.stem}", "upload", channel,
                                          {"blob": blob, "filename": path.name, "title": title,
                                           "comment": "", "map": None, "meta": meta})
        self.wake()
        return True


def cron_of(schedule: DigestSchedule) -> CronTrigger:
    hour, minute = (int(v) for v in schedule.time.split(":"))
    return CronTrigger(day_of_week=schedule.day or "*", hour=hour, minute=minute,
                       timezone=ZoneInfo(schedule.tz))
