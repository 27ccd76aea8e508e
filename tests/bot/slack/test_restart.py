"""The bot is killed mid-batch and started again: every result reaches the thread exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.models import Outbox
from tests.bot.slack.conftest import APPROVER, GROUP, SECRET, Harness, bot_settings
from tests.bot.slack.fake_slack import BOT_TOKEN, FakeSlack
from tests.bot.slack.test_batches import master_thread
from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[3]
VARIANTS = ["iab-medium-rectangle", "iab-leaderboard", "iab-wide-skyscraper", "iab-half-page"]


class BotProcess:
    """``keyart slack --http`` in a subprocess, configured through the environment like production."""

    def __init__(self, data_dir: Path, fake: FakeSlack) -> None:
        self.port = free_port()
        self.env = {**os.environ, "KEYART_DATA_DIR": str(data_dir), "SLACK_BOT_TOKEN": BOT_TOKEN,
                    "SLACK_SIGNING_SECRET": SECRET, "KEYART_SLACK_API_URL": fake.base_url,
                    "KEYART_APPROVERS": f"{APPROVER},{GROUP}", "KEYART_SLACK_POST_INTERVAL": "0.25",
                    "KEYART_SLACK_PROGRESS_INTERVAL": "0", "KEYART_SLACK_AUTO_RUN_MAX": "10",
                    "KEYART_MAX_UPLOAD_BYTES": "2000000"}
        self.env.pop("SLACK_APP_TOKEN", None)
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = data_dir.parent / "bot.log"

    def start(self) -> BotProcess:
        with self.log.open("ab") as log:  # the child keeps its own copy of the handle
            command = [sys.executable, "-m", "bot", "slack", "--http", "--host", "127.0.0.1",
                       "--port", str(self.port)]
            self.proc = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL,
                                         stderr=log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1).close()
                return self
            except OSError:
                assert self.proc.poll() is None, self.log.read_text()[-3000:]
                time.sleep(0.1)
        raise AssertionError("the bot did not start")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)  # no clean shutdown: a crash
            self.proc.wait(10)


@pytest.fixture
def bot_process(tmp_path: Path, fake: FakeSlack) -> Iterator[BotProcess]:
    process = BotProcess(tmp_path / "data", fake)
    yield process
    process.kill()


def test_bot_killed_mid_batch_delivers_every_result_once(bot_process: BotProcess, fake: FakeSlack) -> None:
    bot_process.start()
    slack = Harness(fake, bot_settings(Path(bot_process.env["KEYART_DATA_DIR"]), fake), port=bot_process.port)
    thread = master_thread(slack, "Crash")
    slack.mention("IAB 300x250, 728x90, 160x600 and 300x600", thread_ts=thread)
    # Kill it once the first result is in the thread and recorded as sent, with the batch unfinished.
    slack.wait(lambda: any(r.dedupe_key.startswith("batch:plan-") for r in
                              slack.rows(Outbox, Outbox.kind == "upload", Outbox.status == "sent")),
                  timeout=60, what="the first result")
    bot_process.kill()
    before = Counter(f["title"] for m in fake.posts(thread_ts=thread) for f in m.get("files") or [])
    assert sum(before[v] for v in VARIANTS) >= 1
    assert not any("🔎" in t for t in fake.texts(thread_ts=thread)), "killed too late to test a restart"

    bot_process.start()
    slack.message_with("🔎 *Audit*: ", thread_ts=thread, timeout=90)
    delivered = Counter(f["title"] for m in fake.posts(thread_ts=thread) for f in m.get("files") or [])
    assert {v: delivered[v] for v in VARIANTS} == dict.fromkeys(VARIANTS, 1)
    assert sum(1 for t in fake.texts(thread_ts=thread) if t.startswith(("⏳", "✅ 4/4"))) == 1  # one progress
    assert sum(1 for t in fake.texts(thread_ts=thread) if "📋" in t) == 1
