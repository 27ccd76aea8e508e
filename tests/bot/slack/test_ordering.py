"""A ✅ added and removed within milliseconds: whatever order the two events are handled in, the
final state is the one the person left (the event with the later ``event_ts``)."""

from __future__ import annotations

import functools
import logging
import threading
from typing import Any

import pytest

from storage.models import Approval, Campaign
from tests.bot.slack.conftest import APPROVER, CHANNEL, Harness, png


def reaction(ts: str, *, added: bool, event_ts: str) -> dict[str, Any]:
    return {
        "type": "reaction_added" if added else "reaction_removed",
        "user": APPROVER,
        "reaction": "white_check_mark",
        "item": {"type": "message", "channel": CHANNEL, "ts": ts},
        "event_ts": event_ts,
    }


def candidate(slack: Harness) -> str:
    thread = slack.campaign("Toggles")
    upload = slack.share(thread, "hero.png", png())
    slack.message_with("stored as a master candidate", thread_ts=thread)
    return upload


def is_master(slack: Harness) -> bool:
    return slack.rows(Campaign)[0].master_asset_id is not None


def handled(slack: Harness, caplog: pytest.LogCaptureFixture, events: int) -> bool:
    """Every event so far was handled: applied (a decision row) or dropped as stale (a log line)."""
    stale = sum("dropped a stale" in r.getMessage() for r in caplog.records)
    return len(slack.rows(Approval)) + stale >= events


def send_together(slack: Harness, barrier: threading.Barrier, event: dict[str, Any]) -> None:
    barrier.wait()  # both requests leave at once
    slack.event(event)


def test_an_older_event_arriving_last_is_dropped(slack: Harness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.flows.decisions")
    upload = candidate(slack)
    added, removed = slack.next_ts(), slack.next_ts()
    slack.event(reaction(upload, added=False, event_ts=removed))  # the removal is handled first...
    slack.wait(lambda: slack.rows(Approval), what="the removal")
    slack.event(reaction(upload, added=True, event_ts=added))  # ...then the add it came after
    slack.wait(lambda: any("dropped a stale add" in r.getMessage() for r in caplog.records), what="drop")
    slack.idle()
    assert not is_master(slack)
    assert [a.decision for a in slack.rows(Approval)] == ["revoke"]


def test_concurrent_add_remove_pairs_end_as_the_last_event(
    slack: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.flows.decisions")
    upload = candidate(slack)
    for round_ in range(8):
        last_is_add = round_ % 2 == 1
        first, second = slack.next_ts(), slack.next_ts()
        pair = [
            reaction(upload, added=not last_is_add, event_ts=first),
            reaction(upload, added=last_is_add, event_ts=second),
        ]
        if round_ % 4 >= 2:
            pair.reverse()  # sent in the opposite order too
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=send_together, args=(slack, barrier, e)) for e in pair]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        slack.wait(functools.partial(handled, slack, caplog, 2 * (round_ + 1)), what=f"round {round_}")
        assert is_master(slack) is last_is_add, f"round {round_}: the final state is not the last event"
