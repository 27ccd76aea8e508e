"""Signed requests only, each event acted on once, 429s waited out, everything acknowledged fast."""

from __future__ import annotations

import itertools
import json
import time

import pytest
from sqlmodel import col

from bot.replies import Reply
from storage.models import Campaign, PlanLog, SlackEvent
from tests.bot.slack.conftest import CHANNEL, OPERATOR, Harness, signed_headers
from tests.bot.slack.fake_slack import BOT_USER
from tests.bot.slack.test_batches import master_thread


def _mention_body(text: str, event_id: str) -> bytes:
    return json.dumps({"type": "event_callback", "team_id": "T111", "api_app_id": "A111",
                       "event_id": event_id,
                       "event_time": int(time.time()), "event": {
                           "type": "app_mention", "user": OPERATOR, "text": f"<@{BOT_USER}> {text}",
                           "ts": "1900000000.000001", "channel": CHANNEL}}).encode()


def test_bad_signature_and_stale_timestamp_get_401_and_nothing_runs(slack: Harness) -> None:
    body = _mention_body('new campaign "Forged"', "EvForged")
    assert slack.post(body, signed_headers(body, secret="not-the-secret"))[0] == 401
    assert slack.post(body, signed_headers(body, ts=time.time() - 6 * 60))[0] == 401
    unsigned = {"Content-Type": "application/json"}
    assert slack.post(body, unsigned)[0] == 401
    assert slack.post(body, signed_headers(body, ts=time.time() - 4 * 60))[0] == 200  # inside the window
    slack.message_with("Campaign *Forged* started")
    assert len(slack.rows(Campaign)) == 1 and len(slack.rows(SlackEvent)) == 1


def test_the_same_event_delivered_three_times_makes_one_plan(slack: Harness) -> None:
    thread = master_thread(slack, "Retries")
    ts = slack.next_ts()
    event = {"type": "app_mention", "user": OPERATOR,
             "text": f"<@{BOT_USER}> IAB 300x250, 728x90 and 160x600",
             "ts": ts, "thread_ts": thread, "channel": CHANNEL, "event_ts": ts}
    for _ in range(3):  # a retry is the same delivery again: same body, same event_id
        assert slack.event(event, event_id="EvRetried") == 200
    slack.message_with("📋 *Plan*", thread_ts=thread)
    slack.idle()
    assert len(slack.rows(PlanLog)) == 2  # the planner's own log row and the copy the Run button names
    assert len(slack.rows(PlanLog, col(PlanLog.campaign_id).is_not(None))) == 1
    assert sum("📋" in t for t in slack.fake.texts(thread_ts=thread)) == 1


def test_web_api_429_is_retried_after_the_given_delay(slack: Harness) -> None:
    slack.fake.ratelimit("chat.postMessage", times=1, retry_after=1)
    ts = slack.mention('new campaign "Busy"')
    slack.message_with("Campaign *Busy* started", thread_ts=ts)
    limited = [c for c in slack.fake.calls if c.method == "chat.postMessage" and c.status == 429]
    [sent] = slack.fake.of("chat.postMessage", thread_ts=ts)
    assert len(limited) == 1 and sent.at - limited[0].at >= 1.0  # waited out Retry-After


def test_every_request_is_acknowledged_fast(slack: Harness) -> None:
    body = _mention_body('new campaign "Fast"', "EvFast")
    started = time.perf_counter()
    status, _ = slack.post(body, signed_headers(body))
    assert status == 200 and time.perf_counter() - started < 1.0
    status, answer = slack.command("help")
    assert status == 200 and "*keyart*" in answer["text"]


@pytest.mark.parametrize("overrides", [{"slack_post_interval": 0.3}], indirect=True)
def test_posts_are_paced_per_channel_and_other_channels_do_not_wait(slack: Harness) -> None:
    outbox = slack.bot.deps.outbox
    for i in range(3):
        outbox.post(f"pace:{i}", "CBUSY", None, f"busy {i}")
    outbox.post("pace:other", "CQUIET", None, "quiet")
    slack.fake.wait_for(lambda: len(slack.fake.of("chat.postMessage")) == 4, what="four posts")
    busy = [c.at for c in slack.fake.of("chat.postMessage", channel="CBUSY")]
    [quiet] = [c.at for c in slack.fake.of("chat.postMessage", channel="CQUIET")]
    assert [c.params["text"] for c in slack.fake.of("chat.postMessage", channel="CBUSY")] == [
        "busy 0", "busy 1", "busy 2"]  # in order
    assert min(b - a for a, b in itertools.pairwise(busy)) >= 0.28
    assert quiet < busy[-1]  # not queued behind the busy channel


def test_progress_edits_are_throttled_and_coalesced(slack: Harness) -> None:
    reply = Reply(slack.bot.deps.outbox, "progress:test", CHANNEL, None, interval=0.5).start("⏳ 0/50")
    for i in range(1, 50):
        reply.progress(f"⏳ {i}/50")
    reply.finish("✅ 50/50")
    message = slack.message_with("✅ 50/50")
    edits = slack.fake.of("chat.update", ts=message["ts"])
    # 49 progress lines and the finish inside one interval: coalesced into the first and the last
    # (without the throttle this sees 8+ edits), and the final text is the one that stays.
    assert 1 <= len(edits) <= 2 and edits[-1].params["text"] == "✅ 50/50"
