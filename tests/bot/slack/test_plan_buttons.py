"""Flow 4 with buttons: plans above the auto-run size wait for Run; Cancel; a failed variant's 🔁."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

from pipeline.ops import registry
from pipeline.queue_local import TASK_QUEUE
from storage.models import AuditRun, Job
from tests.bot.slack.conftest import OPERATOR, OUTSIDER, Harness
from tests.bot.slack.test_batches import master_thread


@pytest.fixture
def overrides() -> dict[str, Any]:
    return {"slack_auto_run_max": 0}  # every plan waits for Run


def buttons(message: dict[str, Any]) -> list[str]:
    rows = [b for b in message.get("blocks") or [] if b["type"] == "actions"]
    return [e["action_id"] for b in rows for e in b["elements"]]


def test_run_starts_the_batch_once_and_cancel_drops_the_plan(slack: Harness) -> None:
    thread = master_thread(slack, "Buttons")
    slack.mention("IAB 300x250", thread_ts=thread)
    first = slack.message_with("📋 *Plan* · 1 variant", thread_ts=thread)
    assert buttons(first) == ["keyart_run", "keyart_cancel"]
    slack.mention("IAB 728x90", thread_ts=thread)
    second = slack.fake.wait_for(lambda: [m for m in slack.fake.posts(thread_ts=thread)
                                          if "📋" in (m["text"] or "")][1:], what="second plan")[0]

    first_id, second_id = (int(m["blocks"][1]["elements"][0]["value"]) for m in (first, second))
    assert slack.press(second, "keyart_cancel") == 200
    slack.message_with("✖️ Cancelled by <@UMAYA>", thread_ts=thread)
    assert buttons(slack.fake.messages[second["ts"]]) == []

    assert slack.press(first, "keyart_run", user=OPERATOR) == 200
    slack.message_with("▶️ Started by <@UMAYA>", thread_ts=thread)
    assert slack.press(first, "keyart_run", user=OUTSIDER) == 200  # a second press, by anyone
    late = slack.fake.wait_for(lambda: slack.fake.of("chat.postEphemeral", user=OUTSIDER), what="ephemeral")
    assert "already running" in late[0].params["text"]
    slack.message_with("🔎 *Audit*: 1/1 pass", thread_ts=thread, timeout=60)
    # The audit post is queued just before the task row is marked done: wait for the row.
    tasks = slack.fake.wait_for(
        lambda: [t for t in slack.rows(Job, Job.queue == TASK_QUEUE, Job.op == "task.batch")
                 if t.status == "done"] and slack.rows(Job, Job.queue == TASK_QUEUE, Job.op == "task.batch"),
        what="batch task done",
    )
    # The cancelled plan keeps a task row that never runs, so a late Run on it is refused.
    assert sorted((t.params["plan_id"], t.status) for t in tasks) == sorted(
        [(first_id, "done"), (second_id, "cancelled")])
    assert [m["files"][0]["title"] for m in slack.fake.posts(thread_ts=thread)
            if m.get("files") and m["files"][0]["title"].startswith("iab")] == ["iab-medium-rectangle"]


@pytest.fixture
def fit_breaks_once() -> Iterator[list[str]]:
    """The first `fit` run raises (an internal error, not a user-facing one)."""
    spec = registry.get_op("fit")
    broken: list[str] = []

    def flaky(inputs: Any, params: Any, ctx: Any) -> Any:
        if not broken:
            broken.append(params.spec)
            raise RuntimeError("simulated crash in fit")
        return spec.fn(inputs, params, ctx)

    registry._OPS["fit"] = dataclasses.replace(spec, fn=flaky)
    yield broken
    registry._OPS["fit"] = spec


def test_failed_variant_has_a_ref_and_rerun_retries_it(slack: Harness, fit_breaks_once: list[str]) -> None:
    thread = master_thread(slack, "Failure")
    slack.mention("IAB 300x250", thread_ts=thread)
    slack.press(slack.message_with("📋 *Plan*", thread_ts=thread), "keyart_run")
    failure = slack.message_with("Something broke while making `iab-medium-rectangle` (ref ",
                                 thread_ts=thread,
                                 timeout=60)
    assert "The other variants are fine" in failure["text"]
    assert ":repeat: on this message retries it" in failure["text"]
    slack.idle()
    assert slack.rows(AuditRun) == []  # nothing was delivered, so nothing was audited
    slack.react(failure["ts"], "repeat", user=OPERATOR)
    retried = slack.message_with("re-run with a new seed", thread_ts=thread, timeout=60)
    assert retried["files"][0]["title"] == "iab-medium-rectangle"
    assert fit_breaks_once == ["iab-medium-rectangle"]  # broke once; the retry ran the real op
