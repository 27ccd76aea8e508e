"""Every Slack side effect, as an outbox row, and the one reply lifecycle.

Nothing here calls Slack: :class:`Outbox` writes rows (each with a unique ``dedupe_key``, so doing
the same thing twice posts once) and wakes the notifier, which sends them. :class:`Reply` is the
lifecycle of work in a thread: a placeholder, progress edited in place (at most one edit per
``interval``), then the result or a readable error with a reference id.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from pipeline.errors import UserFacingError, new_ref
from pipeline.runtime import Runtime
from storage.db import session_scope
from storage.repos import slack as slack_repo

log = logging.getLogger(__name__)


class Outbox:
    """Queue posts, edits, uploads, ephemerals and reactions for the notifier."""

    def __init__(self, runtime: Runtime, wake: Callable[[], None] = lambda: None) -> None:
        self.runtime = runtime
        self.wake = wake

    def _put(self, key: str, kind: str, channel: str, payload: dict[str, Any], thread_ts: str | None) -> int:
        with session_scope(self.runtime.engine) as s:
            row = slack_repo.enqueue_outbox(s, key, kind, channel, payload, thread_ts)
            assert row.id is not None
            row_id = row.id
        self.wake()
        return row_id

    def post(self, key: str, channel: str, thread_ts: str | None, text: str, *,
             blocks: list[dict[str, Any]] | None = None, mapping: dict[str, Any] | None = None,
             meta: dict[str, Any] | None = None) -> int:
        """A message in the thread; ``mapping`` (kind, campaign_id, asset_id, audit_run_id): what it shows."""
        payload: dict[str, Any] = {"text": text, "blocks": blocks, "map": mapping, "meta": meta or {}}
        return self._put(key, "post", channel, payload, thread_ts)

    def update(self, channel: str, text: str, *, target: str | None = None, ts: str | None = None,
               blocks: list[dict[str, Any]] | None = None, key: str | None = None) -> int:
        """Edit a message: by ``ts``, or the message posted by the outbox row ``target`` (a dedupe key)."""
        payload = {"text": text, "blocks": blocks, "target": target, "ts": ts}
        return self._put(key or f"update:{uuid.uuid4().hex}", "update", channel, payload, None)

    def upload(self, key: str, channel: str, thread_ts: str | None, *, blob: str, filename: str, title: str,
               comment: str = "", mapping: dict[str, Any] | None = None,
               meta: dict[str, Any] | None = None) -> int:
        payload = {"blob": blob, "filename": filename, "title": title, "comment": comment, "map": mapping,
                   "meta": meta or {}}
        return self._put(key, "upload", channel, payload, thread_ts)

    def ephemeral(self, key: str, channel: str, user: str, text: str, thread_ts: str | None = None) -> int:
        return self._put(key, "ephemeral", channel, {"user": user, "text": text}, thread_ts)


def user_message(exc: BaseException, doing: str = "") -> str:
    """What people see for an error: the message of a user-facing one, else a reference id."""
    if isinstance(exc, UserFacingError):
        return f"⚠️ {exc}"
    ref = getattr(exc, "ref", None) or new_ref()
    log.error("unexpected error%s (ref %s)", f" while {doing}" if doing else "", ref, exc_info=exc)
    where = f" while {doing}" if doing else ""
    return f"⚠️ Something broke{where} (ref {ref}). The team can find it in the logs with that ref."


@contextmanager
def reporting(outbox: Outbox, key: str, channel: str, thread_ts: str | None,
              doing: str = "") -> Iterator[None]:
    """Turn any error escaping a listener into a readable message in the thread (once per ``key``)."""
    try:
        yield
    except Exception as exc:  # said in the thread with a ref; the trace goes to the log
        outbox.post(key, channel, thread_ts, user_message(exc, doing))


class Reply:
    """Placeholder → progress edited in place (throttled) → final text. Keys make it restart-safe."""

    def __init__(self, outbox: Outbox, key: str, channel: str, thread_ts: str | None, *,
                 interval: float = 1.0, mapping: dict[str, Any] | None = None) -> None:
        self.outbox = outbox
        self.key = key
        self.channel = channel
        self.thread_ts = thread_ts
        self.interval = interval
        self.mapping = mapping
        self._last = 0.0
        self._pending: str | None = None
        self._lock = threading.Lock()

    def start(self, text: str) -> Reply:
        self.outbox.post(self.key, self.channel, self.thread_ts, text, mapping=self.mapping)
        self._last = time.monotonic()
        return self

    def progress(self, text: str) -> None:
        """Show ``text`` now if the last edit is ``interval`` old, else keep it for the next call."""
        with self._lock:
            now = time.monotonic()
            if now - self._last < self.interval:
                self._pending = text
                return
            self._pending = None
            self._last = now
        self.outbox.update(self.channel, text, target=self.key)

    def finish(self, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        with self._lock:
            self._pending = None
            self._last = time.monotonic()
        self.outbox.update(self.channel, text, target=self.key, blocks=blocks)

    def fail(self, exc: BaseException, doing: str = "") -> str:
        text = user_message(exc, doing)
        self.finish(text)
        return text
