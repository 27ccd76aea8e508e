"""Socket Mode (SLACK_APP_TOKEN set): the same bot over a WebSocket instead of HTTP."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.server import Bot, start_bot
from storage.models import Campaign
from tests.bot.slack.conftest import CHANNEL, OPERATOR, Harness, bot_settings
from tests.bot.slack.fake_slack import APP_TOKEN, BOT_USER, FakeSlack
from tests.bot.slack.fake_socket import FakeSocketMode

SocketBot = tuple[Bot, FakeSocketMode, Harness]


@pytest.fixture
def socket_bot(fake: FakeSlack, tmp_path: Path) -> Iterator[SocketBot]:
    endpoint = FakeSocketMode()
    fake.socket_url = endpoint.url
    settings = bot_settings(tmp_path / "data", fake, slack_app_token=APP_TOKEN, slack_signing_secret="")
    bot = start_bot(settings).serve_socket_mode(block=False)
    yield bot, endpoint, Harness(fake, settings, port=0, bot=bot)
    bot.stop()  # (about 3 s: the SDK's socket reader wakes on its receive timeout)
    endpoint.close()


def test_events_and_commands_arrive_over_the_socket(socket_bot: SocketBot) -> None:
    _, endpoint, slack = socket_bot
    ts = "1900000001.000001"
    event = {"type": "app_mention", "user": OPERATOR, "text": f'<@{BOT_USER}> new campaign "Socket"',
             "ts": ts, "channel": CHANNEL, "event_ts": ts}
    envelope = {"envelope_id": "env-1", "type": "events_api", "accepts_response_payload": False,
                "retry_attempt": 0, "retry_reason": "",
                "payload": {"type": "event_callback", "team_id": "T111", "api_app_id": "A111",
                            "event_id": "EvS1", "event_time": int(time.time()), "event": event}}
    assert endpoint.send(envelope) == {"envelope_id": "env-1"}
    slack.message_with("Campaign *Socket* started", thread_ts=ts)
    # A redelivery of the same event (Slack retries unacknowledged envelopes) runs nothing again.
    endpoint.send({**envelope, "envelope_id": "env-2", "retry_attempt": 1, "retry_reason": "timeout"})
    slack.idle()
    assert len(slack.rows(Campaign)) == 1
    assert [c.method for c in slack.fake.calls].count("apps.connections.open") == 1

    command = {"envelope_id": "env-3", "type": "slash_commands", "accepts_response_payload": True,
               "payload": {"command": "/keyart", "text": "specs", "user_id": OPERATOR, "channel_id": CHANNEL,
                           "team_id": "T111", "api_app_id": "A111", "response_url": "https://example.invalid"}}
    ack = endpoint.send(command)
    assert "`story` 1080×1920" in ack["payload"]["text"]
