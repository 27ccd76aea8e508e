"""A file shared with a message that mentions the app arrives as a `file_share` message *and* an
`app_mention` carrying the same files — or as only one of them. Either way: one candidate, one
reply, and never "no approved master yet" to the message that carries the upload."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from pipeline.campaigns import NO_MASTER
from storage.models import Asset, Campaign, SlackMessage
from tests.bot.slack.conftest import CHANNEL, OPERATOR, Harness, png
from tests.bot.slack.fake_slack import BOT_USER


def upload_events(slack: Harness, text: str, *, thread_ts: str | None) -> dict[str, dict[str, Any]]:
    """The two events Slack sends for one message with a file and ``@keyart text``."""
    ts = slack.next_ts()
    file = slack.fake.serve_file("hero.png", png())
    common = {
        "user": OPERATOR,
        "text": f"<@{BOT_USER}> {text}",
        "ts": ts,
        "channel": CHANNEL,
        "event_ts": ts,
        "files": [file],
        **({"thread_ts": thread_ts} if thread_ts else {}),
    }
    return {
        "mention": {"type": "app_mention", **common},
        "share": {"type": "message", "subtype": "file_share", **common},
    }


def settle(slack: Harness, thread: str) -> list[str]:
    slack.message_with("stored as a master candidate", thread_ts=thread)
    slack.idle()
    return slack.fake.texts(thread_ts=thread)


@pytest.mark.parametrize("order", [("mention",), ("share",), ("mention", "share"), ("share", "mention")])
def test_one_candidate_whichever_events_arrive(slack: Harness, order: tuple[str, ...]) -> None:
    thread = slack.campaign("Upload")
    events = upload_events(slack, "here is the master for the spring hero", thread_ts=thread)
    for name in order:
        assert slack.event(events[name]) == 200
    texts = settle(slack, thread)
    [asset] = slack.rows(Asset)
    assert (asset.kind, asset.filename) == ("upload", "hero.png")
    assert sum("stored as a master candidate" in t for t in texts) == 1
    assert not any(NO_MASTER.split(".")[0] in t for t in texts)
    # ✅ on the person's own message approves this candidate, whichever event mapped it.
    [own] = slack.rows(SlackMessage, SlackMessage.ts == events["mention"]["ts"])
    assert own.asset_id == asset.id


def test_both_events_at_once_make_one_candidate(slack: Harness) -> None:
    thread = slack.campaign("Race")
    for _ in range(3):
        events = upload_events(slack, "new take", thread_ts=thread)
        threads = [threading.Thread(target=slack.event, args=(e,)) for e in events.values()]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    acks = lambda: sum("stored as a master candidate" in t for t in slack.fake.texts(thread_ts=thread))  # noqa: E731
    slack.fake.wait_for(lambda: acks() >= 3, what="three replies")
    slack.idle()
    assert len(slack.rows(Asset)) == 3 and acks() == 3


def test_a_brief_with_a_file_delivered_only_as_a_mention_starts_the_campaign(slack: Harness) -> None:
    events = upload_events(slack, 'new campaign "Phone shoot". Hero from the set.', thread_ts=None)
    assert slack.event(events["mention"]) == 200
    thread = events["mention"]["ts"]
    slack.message_with("Campaign *Phone shoot* started", thread_ts=thread)
    texts = settle(slack, thread)
    [campaign] = slack.rows(Campaign)
    [asset] = slack.rows(Asset)
    assert campaign.slack_thread_ts == thread and asset.campaign_id == campaign.id
    assert not any("no approved master" in t for t in texts)


def test_a_request_with_a_file_after_the_master_still_plans(slack: Harness) -> None:
    from tests.bot.slack.test_batches import master_thread

    thread = master_thread(slack, "Later upload")
    events = upload_events(slack, "IAB 300x250 please, and keep this one for later", thread_ts=thread)
    slack.event(events["mention"])
    slack.message_with("stored as a master candidate", thread_ts=thread)
    slack.message_with("📋 *Plan*", thread_ts=thread, timeout=60)
