"""Reactions and button presses in one thread apply one at a time, and a stale event never wins.

Bolt hands events to a pool of listener threads, so a ✅ added and removed within milliseconds can
be handled in either order, or at once. Two guards, both per bot process:

- :meth:`Ordering.serial` runs the handlers of one campaign thread one after another (other
  threads are not held up);
- :meth:`Ordering.newest` remembers the latest ``event_ts`` seen for a toggle (one person's one
  reaction on one message): an older add or remove arriving after a newer one is dropped, so the
  final state is the one the person left, whatever order the events were handled in.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation


class Ordering:
    REMEMBERED = 10_000  # toggles whose latest event is kept (oldest forgotten first)

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[threading.Lock, int]] = {}  # key → (lock, holders and waiters)
        self._latest: OrderedDict[str, Decimal] = OrderedDict()

    @contextmanager
    def serial(self, key: str) -> Iterator[None]:
        """Hold ``key``'s lock (one campaign thread) while the body runs."""
        with self._guard:
            lock, users = self._locks.get(key, (threading.Lock(), 0))
            self._locks[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._guard:
                lock, users = self._locks[key]
                if users == 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)

    def newest(self, key: str, event_ts: str) -> bool:
        """Record ``event_ts`` for ``key``; ``False`` when a later event for it was seen already."""
        stamp = _stamp(event_ts)
        with self._guard:
            seen = self._latest.get(key)
            if seen is not None and stamp < seen:
                return False
            self._latest[key] = stamp
            self._latest.move_to_end(key)
            while len(self._latest) > self.REMEMBERED:
                self._latest.popitem(last=False)
            return True


def _stamp(event_ts: str) -> Decimal:
    """Slack timestamps ("1712345678.000200") compared exactly, not as floats."""
    try:
        return Decimal(event_ts)
    except InvalidOperation:
        return Decimal(0)
