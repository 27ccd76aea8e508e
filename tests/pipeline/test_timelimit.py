"""The solo pool's own time limits: a readable failure at the limit, the process ended at the hard limit."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from pipeline.workers.timelimit import HARD_EXIT_CODE, JobTimeLimit, hard_limit, time_limit


def test_the_limit_interrupts_python_code_with_a_readable_error() -> None:
    started = time.monotonic()
    with (
        pytest.raises(JobTimeLimit, match=r"`iab-leaderboard` took longer than 0.2 s and was stopped"),
        time_limit(0.2, 30, what="`iab-leaderboard`"),
    ):
        time.sleep(5)
    assert time.monotonic() - started < 2


def test_a_job_within_its_limit_leaves_no_alarm_behind() -> None:
    with time_limit(0.3, 30):
        pass
    time.sleep(0.5)  # an alarm left armed would raise here


def test_the_hard_limit_ends_a_process_stuck_outside_python() -> None:
    script = textwrap.dedent("""
        import signal, time
        from pipeline.workers.timelimit import time_limit
        with time_limit(0.2, 0.6):
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})  # like a hung C call
            time.sleep(30)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == HARD_EXIT_CODE
    assert "hard limit" in done.stderr


def test_the_hard_limit_falls_between_the_limit_and_redelivery() -> None:
    assert hard_limit(2, 3) == 2.5
    assert hard_limit(3600, 7200) == 3660  # at most a minute on
    for limit, visibility in [(1, 1.1), (600, 601), (3600, 7200)]:
        assert limit < hard_limit(limit, visibility) < visibility


def test_needs_the_main_thread() -> None:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with time_limit(1, 2):
                pass
        except RuntimeError as exc:
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert errors and "main thread" in str(errors[0])


def test_an_alarm_due_at_once_leaves_no_watchdog_running() -> None:
    for i in range(300):  # alarms due while the watchdog starts, or before the body runs
        with contextlib.suppress(JobTimeLimit), time_limit(1e-5 * (1 + i % 30), 30):
            time.sleep(0.001)
    for thread in threading.enumerate():
        if isinstance(thread, threading.Timer):
            thread.join(2)
    assert not [t for t in threading.enumerate() if isinstance(t, threading.Timer) and t.is_alive()]
