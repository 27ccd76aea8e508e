"""The real bot over loopback HTTP: signed requests in, a fake Slack Web API out."""

from __future__ import annotations

import copy
import io
import itertools
import json
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode

import pytest
from PIL import Image
from skimage import data
from slack_sdk.signature import SignatureVerifier
from sqlmodel import col, select

from bot.server import Bot, start_bot
from pipeline.queue_local import TASK_QUEUE
from storage.db import make_engine, read_session
from storage.models import Job, Outbox
from storage.settings import Settings
from tests.bot.slack.fake_slack import BOT_TOKEN, BOT_USER, FakeSlack

SECRET = "test-signing-secret"
CHANNEL = "C0CAMPAIGN"
OPERATOR, APPROVER, GROUP_MEMBER, OUTSIDER = "UMAYA", "ULENA", "UGROUPIE", "UTOM"
GROUP = "SAPPROVERS"
_ids = itertools.count(1)


def png(size: int = 256, picture: str = "astronaut") -> bytes:
    image = Image.fromarray(getattr(data, picture)()).convert("RGB").resize((size, size))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def signed_headers(body: bytes, *, ts: float | None = None, secret: str = SECRET,
                   content_type: str = "application/json") -> dict[str, str]:
    stamp = str(int(time.time() if ts is None else ts))
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body.decode()) or ""
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}


class Harness:
    """Drives the running bot the way Slack does, and reads what it did."""

    def __init__(self, fake: FakeSlack, settings: Settings, *, port: int, bot: Bot | None = None) -> None:
        self.fake, self.settings, self._bot = fake, settings, bot
        self.url = f"http://127.0.0.1:{port}/slack/events"
        self.engine = bot.deps.runtime.engine if bot else make_engine(settings.resolved_database_url)

    @property
    def bot(self) -> Bot:
        assert self._bot is not None, "the bot runs in another process"
        return self._bot

    # -- requests Slack would send ------------------------------------------------------------
    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read()
        except HTTPError as exc:
            return exc.code, exc.read()

    def event(self, event: dict[str, Any], *, event_id: str | None = None, **sign: Any) -> int:
        envelope = {"token": "legacy", "team_id": "T111", "api_app_id": "A111", "type": "event_callback",
                    "event_id": event_id or f"Ev{next(_ids):08d}", "event_time": int(time.time()),
                    "authorizations": [{"team_id": "T111", "user_id": BOT_USER, "is_bot": True}],
                    "event": event}
        body = json.dumps(envelope).encode()
        return self.post(body, signed_headers(body, **sign))[0]

    def mention(self, text: str, *, user: str = OPERATOR, thread_ts: str | None = None,
                files: list[dict[str, Any]] | None = None, event_id: str | None = None) -> str:
        """``@keyart text`` in the channel (or a thread); returns the message ts."""
        ts = self.next_ts()
        event = {"type": "app_mention", "user": user, "text": f"<@{BOT_USER}> {text}", "ts": ts,
                 "channel": CHANNEL, "event_ts": ts, **({"thread_ts": thread_ts} if thread_ts else {}),
                 **({"files": files} if files else {})}
        assert self.event(event, event_id=event_id) == 200
        return ts

    def campaign(self, name: str) -> str:
        """Start a campaign and wait for its thread to be ready; returns the thread ts."""
        ts = self.mention(f'new campaign "{name}"')
        self.message_with(f"Campaign *{name}* started", thread_ts=ts)
        return ts

    def share(self, thread_ts: str, name: str, body: bytes, *, user: str = OPERATOR, **download: Any) -> str:
        """A person uploads ``body`` into the thread; returns the message ts."""
        ts = self.next_ts()
        file = self.fake.serve_file(name, body, **download)
        event = {"type": "message", "subtype": "file_share", "user": user, "text": "", "ts": ts,
                 "thread_ts": thread_ts, "channel": CHANNEL, "event_ts": ts, "files": [file]}
        assert self.event(event) == 200
        return ts

    def react(self, ts: str, reaction: str = "white_check_mark", *, user: str = APPROVER, added: bool = True,
              event_id: str | None = None) -> None:
        event = {"type": "reaction_added" if added else "reaction_removed", "user": user,
                 "reaction": reaction,
                 "item": {"type": "message", "channel": CHANNEL, "ts": ts}, "event_ts": self.next_ts()}
        assert self.event(event, event_id=event_id) == 200

    def command(self, text: str, *, user: str = OPERATOR) -> tuple[int, dict[str, Any]]:
        body = urlencode({"command": "/keyart", "text": text, "user_id": user, "channel_id": CHANNEL,
                          "team_id": "T111", "response_url": f"{self.fake.root}/respond",
                          "trigger_id": "1.2.3"}).encode()
        status, raw = self.post(body, signed_headers(body, content_type="application/x-www-form-urlencoded"))
        return status, json.loads(raw or b"{}")

    def press(self, message: dict[str, Any], action_id: str, *, user: str = OPERATOR,
              action_ts: str | None = None) -> int:
        """Click a button; the same ``action_ts`` twice is Slack delivering one click again."""
        block, button = next((b, e) for b in message["blocks"] if b["type"] == "actions"
                             for e in b["elements"] if e["action_id"] == action_id)
        payload = {"type": "block_actions", "user": {"id": user}, "team": {"id": "T111"},
                   "channel": {"id": message["channel"]}, "trigger_id": "1.2.3",
                   "container": {"type": "message", "message_ts": message["ts"],
                                 "channel_id": message["channel"]},
                   "message": {"ts": message["ts"], "thread_ts": message.get("thread_ts"),
                               "text": message["text"]},
                   "actions": [{"action_id": action_id, "block_id": block.get("block_id", ""),
                                "value": button["value"], "type": "button",
                                "action_ts": action_ts or self.next_ts()}]}
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.post(body, signed_headers(body, content_type="application/x-www-form-urlencoded"))[0]

    def shortcut(self, callback_id: str, message: dict[str, Any], *, user: str = OPERATOR) -> int:
        """A message shortcut (⋯ → More message shortcuts) on ``message``."""
        payload = {"type": "message_action", "callback_id": callback_id, "trigger_id": f"{next(_ids)}.2.3",
                   "action_ts": self.next_ts(), "team": {"id": "T111"}, "user": {"id": user},
                   "channel": {"id": message.get("channel", CHANNEL)}, "message_ts": message["ts"],
                   "message": message, "response_url": f"{self.fake.root}/respond"}
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.post(body, signed_headers(body, content_type="application/x-www-form-urlencoded"))[0]

    def next_ts(self) -> str:
        return f"1800000000.{next(_ids):06d}"

    # -- what happened ------------------------------------------------------------------------
    def rows(self, model: Any, *where: Any) -> list[Any]:
        """Rows as the bot left them (a read-only session: the test never takes the write lock)."""
        with read_session(self.engine) as s:
            return list(s.exec(select(model).where(*where)))

    def wait(self, predicate: Callable[[], Any], timeout: float = 20.0, what: str = "") -> Any:
        """Poll a database condition (without holding the fake server's lock)."""
        deadline = time.monotonic() + timeout
        while not (value := predicate()):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what or predicate}")
            time.sleep(0.05)
        return value

    def message_with(self, text: str, thread_ts: str | None = None, timeout: float = 20.0) -> dict[str, Any]:
        """The first message containing ``text`` (a snapshot: later edits don't change it)."""
        def found() -> dict[str, Any] | None:
            posts = self.fake.posts(thread_ts=thread_ts)
            return next((m for m in posts if text in (m.get("text") or "")), None)

        return copy.deepcopy(self.fake.wait_for(found, timeout, repr(text)))

    def idle(self, timeout: float = 30.0) -> None:
        """Wait until no task is queued or running and the outbox is empty."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            busy = self.rows(Job, Job.queue == TASK_QUEUE, col(Job.status).in_(("queued", "running"))) or \
                self.rows(Outbox, Outbox.status == "pending")
            if not busy:
                return
            time.sleep(0.05)
        raise AssertionError("the bot did not go idle")


def bot_settings(root: Path, fake: FakeSlack, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": root, "slack_bot_token": BOT_TOKEN, "slack_signing_secret": SECRET,
        "slack_api_url": fake.base_url, "approvers": [APPROVER, GROUP], "slack_post_interval": 0.0,
        "slack_progress_interval": 0.0, "slack_auto_run_max": 2, "max_upload_bytes": 2_000_000,
        "max_image_pixels": 4_000_000,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    server = FakeSlack(groups={GROUP: [GROUP_MEMBER]})
    yield server
    server.close()


@pytest.fixture
def overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Settings a test changes: override this fixture in a module, or parametrize it indirectly."""
    return dict(getattr(request, "param", {}))


@pytest.fixture
def slack(fake: FakeSlack, tmp_path: Path, overrides: dict[str, Any]) -> Iterator[Harness]:
    settings = bot_settings(tmp_path / "data", fake, **overrides)
    bot = start_bot(settings).serve_http("127.0.0.1", 0, block=False)
    yield Harness(fake, settings, port=bot.port, bot=bot)
    bot.stop()
