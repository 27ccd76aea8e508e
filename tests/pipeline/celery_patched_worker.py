"""Test helper: run ``keyart worker`` with the ``fit`` op patched, in a subprocess.

``python celery_patched_worker.py slow|crash worker --queues cpu``: ``slow`` makes ``fit`` sleep a minute
(so the test can SIGKILL the worker mid-job); ``crash`` makes ``fit`` SIGKILL its own worker (a
job that always takes the worker down, like an OOM). Library code has no test hooks; this does.
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
    original = registry.get_op("fit")

    def patched(inputs: Any, params: Any, ctx: Any) -> Any:
        if mode == "slow":
            time.sleep(60)
        elif mode == "crash":
            os.kill(os.getpid(), signal.SIGKILL)
        return original.fn(inputs, params, ctx)

    registry._OPS["fit"] = dataclasses.replace(original, fn=patched)
    from bot.cli import main as keyart

    keyart()


if __name__ == "__main__":
    main()
