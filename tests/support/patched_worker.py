"""Test helper: run ``keyart worker`` with the ``fit`` op patched, in a subprocess.

``python patched_worker.py MODE worker --queues cpu`` where MODE is
- ``hang``: ``fit`` blocks in code that never returns to Python (SIGALRM blocked, a long sleep): the
  time limit cannot interrupt it, so the hard limit ends the worker, unless the test kills it first;
- ``overrun``: ``fit`` sleeps a minute in plain Python: the time limit stops it;
- ``crash``: ``fit`` SIGKILLs its own worker (a job that always takes the worker down, like an OOM).
Library code has no test hooks; this does.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import sys
import time
from typing import Any

from pipeline.ops import registry


def main() -> None:
    mode = sys.argv.pop(1)
    if mode not in ("hang", "overrun", "crash"):
        raise SystemExit(f"unknown mode {mode!r}")
    original = registry.get_op("fit")

    def patched(inputs: Any, params: Any, ctx: Any) -> Any:
        if mode == "hang":
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
            time.sleep(60)
        elif mode == "overrun":
            time.sleep(60)
        else:
            os.kill(os.getpid(), signal.SIGKILL)
        return original.fn(inputs, params, ctx)

    registry._OPS["fit"] = dataclasses.replace(original, fn=patched)
    from bot.cli import main as keyart

    keyart()


if __name__ == "__main__":
    main()
