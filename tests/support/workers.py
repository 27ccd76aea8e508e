"""``keyart worker`` subprocesses for tests: started, supervised (restarted when they die) and stopped.

Redelivery after a dead worker waits for the visibility timeout, so tests run with short limits
(``quick_settings``); the workers get the test's settings through their environment.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from storage.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
PATCHED = Path(__file__).with_name("patched_worker.py")


def quick_settings(time_limit_s: float = 2.0) -> dict[str, float]:
    """Settings keyword arguments for short limits; the visibility timeout 1 s past the time limit.

    2 s suits single classical jobs; a test whose workers also audit needs more on a busy machine.
    """
    return {
        "job_time_limit_s": time_limit_s,
        "visibility_timeout_s": time_limit_s + 1,
        "redelivery_check_s": 0.5,
    }


class Workers:
    """``keyart worker`` subprocesses sharing the test's data dir and broker; all stopped at the end."""

    def __init__(self, settings: Settings, logs: Path, env: dict[str, str] | None = None) -> None:
        self.env = {
            **os.environ,
            **(env or {}),
            "KEYART_VISIBILITY_TIMEOUT_S": str(settings.visibility_timeout_s),
            "KEYART_JOB_TIME_LIMIT_S": str(settings.job_time_limit_s),
            "KEYART_REDELIVERY_CHECK_S": str(settings.redelivery_check_s),
            "KEYART_DATA_DIR": str(settings.data_dir),
            "KEYART_QUEUE": "celery",
            "KEYART_BROKER_URL": settings.broker_url,
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
        }
        self.logs = logs
        self.procs: list[subprocess.Popen[bytes]] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._supervisors: list[threading.Thread] = []

    def start(self, patch: str = "") -> subprocess.Popen[bytes]:
        """One worker; ``patch`` (see patched_worker.py) makes its ``fit`` slow, crash, overrun or hang."""
        prefix = [str(PATCHED), patch] if patch else ["-m", "bot"]
        with self._lock:
            index = len(self.procs)
            with open(self.logs / f"worker-{index}.log", "wb") as out:
                proc = subprocess.Popen(
                    [sys.executable, *prefix, "worker", "--queues", "cpu,gpu", "--name", f"w{index}@test"],
                    cwd=self.logs,
                    env=self.env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            self.procs.append(proc)
        return proc

    def supervise(self, patch: str, *, restarts: int) -> None:
        """Keep one ``patch`` worker running, starting it again up to ``restarts`` times (like systemd)."""

        def loop() -> None:
            proc = self.start(patch)
            for _ in range(restarts):
                while proc.poll() is None:
                    if self._stopping.wait(0.1):
                        return
                proc = self.start(patch)

        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        self._supervisors.append(thread)

    def wait_ready(self, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
        log = self.logs / f"worker-{self.procs.index(proc)}.log"
        wait_until("a worker to start", lambda: " ready." in log.read_text(), self, timeout)

    def stop(self) -> None:
        self._stopping.set()
        for thread in self._supervisors:
            thread.join(5)
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


def wait_until(what: str, check: Callable[[], object], workers: Workers, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}\n{workers.log_tail()}")
        time.sleep(0.1)
