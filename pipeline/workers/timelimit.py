"""Time limits for one job in a solo-pool worker, where Celery's own limits do nothing.

Celery enforces ``task_time_limit`` by killing a pool child; the solo pool has no child (CUDA and
fork don't mix), so keyart bounds each job itself:

- at the **time limit**, ``SIGALRM`` raises ``JobTimeLimit`` in the job (the worker runs tasks on
  its main thread): the executor fails the job with a readable message and the worker goes on;
- at the **hard limit**, for code that never returns to Python (a hung CUDA kernel, a C loop with
  signals blocked), a watchdog thread ends the whole process. The message was not acknowledged,
  so the broker hands it to another worker, and the job row's attempt cap stops a job that hangs
  every time. The hard limit lies between the time limit and the visibility timeout, so the stuck
  worker is gone before the broker gives its job to anyone else.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from pipeline.errors import UserFacingError

log = logging.getLogger(__name__)

HARD_EXIT_CODE = 70  # EX_SOFTWARE: a supervisor (systemd, Docker, Kubernetes) restarts the worker


class JobTimeLimit(UserFacingError):
    """The job ran past ``KEYART_JOB_TIME_LIMIT_S`` and was stopped."""


def hard_limit(time_limit_s: float, visibility_timeout_s: float) -> float:
    """Seconds after which a job's worker is ended: past the time limit, well before redelivery."""
    return time_limit_s + min(60.0, (visibility_timeout_s - time_limit_s) / 2)


@contextmanager
def time_limit(seconds: float, hard_seconds: float, what: str = "the job") -> Iterator[None]:
    """Raise ``JobTimeLimit`` here (main thread) after ``seconds``; end the process after ``hard_seconds``."""
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("time_limit() needs the main thread (SIGALRM is delivered there)")

    def expire(signum: int, frame: FrameType | None) -> None:
        raise JobTimeLimit(
            f"{what} took longer than {seconds:g} s and was stopped (KEYART_JOB_TIME_LIMIT_S); "
            "a smaller batch, a smaller size or a faster engine should fit"
        )

    def end_process() -> None:
        log.critical("%s is still running after %g s (hard limit): ending this worker so the job "
                     "can go to another one", what, hard_seconds)
        logging.shutdown()
        os._exit(HARD_EXIT_CODE)

    watchdog = threading.Timer(hard_seconds, end_process)
    watchdog.daemon = True
    previous = signal.signal(signal.SIGALRM, expire)
    try:
        # Both armed inside the try: an alarm due at once must still find the watchdog cancelled.
        watchdog.start()
        signal.setitimer(signal.ITIMER_REAL, seconds)
        yield
    finally:
        try:  # an alarm due just now raises at this call: the inner finally still cleans up
            signal.setitimer(signal.ITIMER_REAL, 0)
        finally:
            watchdog.cancel()
            signal.signal(signal.SIGALRM, previous)
