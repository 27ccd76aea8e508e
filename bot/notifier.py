"""The notifier: sends pending outbox rows to Slack, each once, in order, from one thread.

A row is marked sent (with the message ``ts``) in the same transaction that maps the message to
what it shows, right after Slack accepted it. Edits of one message are coalesced (only the
newest pending edit is sent). Posts and uploads in one channel are spaced ``post_interval``
apart (Slack allows about one message per second per channel); 429s are retried by the Web API
client after ``Retry-After`` (see :func:`bot.deps.make_client`), and still-limited rows simply
wait for the next round.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from sqlmodel import Session, select

from pipeline.runtime import Runtime
from storage.db import read_session, session_scope
from storage.models import Outbox, SlackMessage
from storage.repos import slack as slack_repo

log = logging.getLogger(__name__)

PACED = ("post", "upload")
# Errors that will not go away by trying again.
PERMANENT = {"channel_not_found", "not_in_channel", "is_archived", "invalid_blocks", "msg_too_long",
             "no_text", "cant_update_message", "message_not_found", "user_not_in_channel", "invalid_auth",
             "not_authed", "account_inactive", "missing_scope", "invalid_arguments", "edit_window_closed"}


class Notifier:
    def __init__(self, runtime: Runtime, client: WebClient, *, post_interval: float = 1.0,
                 poll_s: float = 0.5, max_attempts: int = 5) -> None:
        self.runtime = runtime
        self.client = client
        self.post_interval = post_interval
        self.poll_s = poll_s
        self.max_attempts = max_attempts
        self._next_at: dict[str, float] = {}  # channel → earliest time for the next post
        self._event = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def wake(self) -> None:
        self._event.set()

    def start(self) -> Notifier:
        self._thread = threading.Thread(target=self._loop, name="keyart-notifier", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._event.set()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                wait = self.flush()
            except Exception:  # a broken row or a database hiccup must not stop sending
                log.exception("notifier round failed")
                wait = self.poll_s
            self._event.wait(wait)
            self._event.clear()

    def flush(self) -> float:
        """Send what may be sent now; returns how long to wait before the next round."""
        with read_session(self.runtime.engine) as s:
            rows = slack_repo.pending_outbox(s, limit=100)
        rows = self._coalesce(rows)
        blocked: set[str] = set()
        wait = self.poll_s
        for row in rows:
            if self._stop.is_set():
                break
            if row.kind in PACED:
                if row.channel in blocked:
                    continue
                delay = self._next_at.get(row.channel, 0.0) - time.monotonic()
                if delay > 0:
                    blocked.add(row.channel)  # keep the channel's order: later posts wait too
                    wait = min(wait, delay)
                    continue
            if not self._send(row) and row.kind in PACED:
                blocked.add(row.channel)
        return wait if len(rows) < 100 else 0.0

    def _coalesce(self, rows: list[Outbox]) -> list[Outbox]:
        """Drop every pending edit of a message but the newest (they would be overwritten anyway)."""
        newest: dict[tuple[str, str], int] = {}
        for row in rows:
            if row.kind == "update":
                newest[(row.channel, row.payload.get("target") or row.payload.get("ts") or "")] = row.id or 0
        stale = [r for r in rows if r.kind == "update" and
                 newest[(r.channel, r.payload.get("target") or r.payload.get("ts") or "")] != r.id]
        if stale:
            with session_scope(self.runtime.engine) as s:
                for row in stale:
                    found = s.get(Outbox, row.id)
                    if found is not None:
                        found.status = "superseded"
                        s.add(found)
        return [r for r in rows if r not in stale]

    def _send(self, row: Outbox) -> bool:
        assert row.id is not None
        try:
            result_ts, files = self._call(row)
        except _NotYet:
            return False
        except SlackApiError as exc:
            error = str(exc.response.get("error", "unknown"))
            if error == "ratelimited":
                headers = {k.lower(): v for k, v in (exc.response.headers or {}).items()}
                value = headers.get("retry-after", "1")
                retry_after = float(value[0] if isinstance(value, list) else value)
                self._next_at[row.channel] = time.monotonic() + retry_after
                return False
            return self._failed(row, error, final=error in PERMANENT)
        except (SlackRequestError, URLError, OSError) as exc:
            return self._failed(row, f"{type(exc).__name__}: {exc}", final=False)
        if row.kind in PACED:
            self._next_at[row.channel] = time.monotonic() + self.post_interval
        with session_scope(self.runtime.engine) as s:
            slack_repo.mark_sent(s, row.id, result_ts)
            self._map(s, row, result_ts, files)
        return True

    def _failed(self, row: Outbox, error: str, *, final: bool) -> bool:
        assert row.id is not None
        final = final or row.attempts + 1 >= self.max_attempts
        log.warning("outbox %s (%s in %s) failed: %s%s", row.id, row.kind, row.channel, error,
                    " — giving up" if final else "")
        with session_scope(self.runtime.engine) as s:
            slack_repo.mark_attempt_failed(s, row.id, error, final=final)
        return False

    def _call(self, row: Outbox) -> tuple[str | None, list[dict[str, Any]]]:
        p = row.payload
        if row.kind == "post":
            r = self.client.chat_postMessage(channel=row.channel, thread_ts=row.thread_ts, text=p["text"],
                                             blocks=p.get("blocks"), unfurl_links=False, unfurl_media=False)
            return str(r["ts"]), []
        if row.kind == "update":
            ts = p.get("ts") or self._target_ts(row)
            r = self.client.chat_update(channel=row.channel, ts=ts, text=p["text"],
                                        blocks=p.get("blocks") or [])
            return str(r.get("ts") or ts), []
        if row.kind == "upload":
            data = self.runtime.blobs.read_bytes(p["blob"])
            r = self.client.files_upload_v2(channel=row.channel, thread_ts=row.thread_ts, file=data,
                                            filename=p["filename"], title=p["title"],
                                            initial_comment=p.get("comment") or None)
            files = list(r.get("files") or [])
            return _share_ts(files, row.channel), files
        if row.kind == "ephemeral":
            r = self.client.chat_postEphemeral(channel=row.channel, user=p["user"], text=p["text"],
                                               thread_ts=row.thread_ts)
            return str(r.get("message_ts") or "") or None, []
        raise ValueError(f"unknown outbox kind {row.kind!r}")

    def _target_ts(self, row: Outbox) -> str:
        """The ts of the message an edit targets; waits (``_NotYet``) until that post is sent."""
        with read_session(self.runtime.engine) as s:
            target = s.exec(select(Outbox).where(Outbox.dedupe_key == row.payload.get("target"))).first()
        if target is None or target.status == "failed":
            with session_scope(self.runtime.engine) as s:
                slack_repo.mark_attempt_failed(s, row.id or 0, "the message to edit was never posted",
                                               final=True)
            raise _NotYet
        if target.status != "sent" or not target.result_ts:
            raise _NotYet
        return target.result_ts

    def _map(self, s: Session, row: Outbox, ts: str | None, files: list[dict[str, Any]]) -> None:
        mapping = row.payload.get("map")
        if not mapping:
            return
        fields = {k: mapping.get(k) for k in ("kind", "campaign_id", "asset_id", "audit_run_id")}
        # Uploads return no message ts (files.completeUploadExternal); map the file ids, and the
        # reaction handler finds the message's file when someone reacts (bot.flows.lookup).
        places = [ts] if ts else []
        places += [f"file:{f['id']}" for f in files if f.get("id")]
        for place in places:
            slack_repo.map_message(s, SlackMessage(channel=row.channel, ts=place, thread_ts=row.thread_ts,
                                                   **fields))


class _NotYet(Exception):
    """The row depends on another that is not sent yet."""


def _share_ts(files: list[dict[str, Any]], channel: str) -> str | None:
    """The message ts of an uploaded file, when Slack already reports where it was shared."""
    for f in files:
        for scope in ("public", "private"):
            shares = ((f.get("shares") or {}).get(scope) or {}).get(channel) or []
            if shares and shares[0].get("ts"):
                return str(shares[0]["ts"])
    return None
