"""Issue 14: an ambiguous request is asked back with buttons; one click runs exactly one plan."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pipeline.queue_local import TASK_QUEUE
from storage.models import Job, PlanLog
from tests.bot.slack.conftest import APPROVER, OPERATOR, OUTSIDER, Harness
from tests.bot.slack.test_batches import master_thread


def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    rows = [b for b in message.get("blocks") or [] if b["type"] == "actions"]
    return [(e["action_id"], e["text"]["text"]) for b in rows for e in b["elements"]]


def batch_tasks(slack: Harness) -> list[Job]:
    return slack.rows(Job, Job.queue == TASK_QUEUE, Job.op == "task.batch")


def test_ambiguous_ratio_is_asked_and_one_click_runs_one_plan(slack: Harness) -> None:
    thread = master_thread(slack, "Ask back")
    slack.mention("a 16:9 please", thread_ts=thread)
    asked = slack.message_with("❓", thread_ts=thread)
    assert "*16:9 — Landing-page hero or YouTube thumbnail?*" in asked["text"]
    assert buttons(asked) == [
        ("keyart_answer_0", "▶ Landing-page hero 1920×1080"),
        ("keyart_answer_1", "YouTube thumbnail 1280×720"),
        ("keyart_answer_cancel", "Cancel"),
    ]
    assert "also 16:9" not in asked["text"]  # the buttons ask it; the note would say it twice
    slack.idle()
    assert batch_tasks(slack) == []  # nothing runs before the answer (not even a 1-variant plan)

    # One click, delivered twice by Slack (same action_ts), plus a double click and a second person's
    # click at the same moment: exactly one plan runs, the others hear it privately.
    stamp = slack.next_ts()
    with ThreadPoolExecutor(4) as pool:
        codes = list(
            pool.map(
                lambda args: slack.press(asked, args[0], user=args[1], action_ts=args[2]),
                [
                    ("keyart_answer_1", OPERATOR, stamp),
                    ("keyart_answer_1", OPERATOR, stamp),
                    ("keyart_answer_1", OPERATOR, None),
                    ("keyart_answer_1", APPROVER, None),
                ],
            )
        )
    assert codes == [200, 200, 200, 200]
    assert slack.press(asked, "keyart_answer_0", user=OUTSIDER) == 200  # a late click on the other one
    slack.message_with("🔎 *Audit*: 1/1 pass", thread_ts=thread, timeout=60)
    slack.idle()
    tasks = batch_tasks(slack)
    assert len(tasks) == 1 and tasks[0].status == "done"
    ran = slack.rows(PlanLog, PlanLog.id == int(tasks[0].params["plan_id"]))[0]
    assert [s["params"]["spec"] for s in ran.plan["steps"]] == ["youtube-thumbnail"] * 2
    assert ran.plan["questions"] == []
    delivered = [m["files"][0]["title"] for m in slack.fake.posts(thread_ts=thread) if m.get("files")]
    assert [
        title for title in delivered if "×" not in title and "Audit" not in title and "Preview" not in title
    ] == ["youtube-thumbnail"]
    final = slack.fake.messages[asked["ts"]]
    assert "▶️ *YouTube thumbnail 1280×720* — started by" in final["text"] and buttons(final) == []
    winner = OPERATOR if f"started by <@{OPERATOR}>" in final["text"] else APPROVER
    late = {c.params["user"]: c.params["text"] for c in slack.fake.of("chat.postEphemeral")}
    # Every losing person hears it once (a person's repeated clicks share one private reply).
    assert set(late) == {OPERATOR, APPROVER, OUTSIDER} - ({winner} if winner == APPROVER else set())
    assert all("already answered" in text for text in late.values())


def test_cancel_claims_the_question_too(slack: Harness) -> None:
    thread = master_thread(slack, "Ask back cancel")
    slack.mention("IAB set and a billboard", thread_ts=thread)
    asked = slack.message_with("❓", thread_ts=thread)
    assert (
        "*Billboard — IAB billboard 970×250, DOOH screen 1920×1080 or OOH bulletin 14×48 ft?*"
        in asked["text"]
    )
    assert [a for a, _ in buttons(asked)] == [
        "keyart_answer_0",
        "keyart_answer_1",
        "keyart_answer_2",
        "keyart_answer_cancel",
    ]
    assert slack.press(asked, "keyart_answer_cancel") == 200
    slack.message_with("✖️ Cancelled by <@UMAYA>", thread_ts=thread)
    assert slack.press(asked, "keyart_answer_2", user=OUTSIDER) == 200  # a stale screen
    late = slack.fake.wait_for(lambda: slack.fake.of("chat.postEphemeral", user=OUTSIDER), what="ephemeral")
    assert "cancelled" in late[0].params["text"]
    slack.idle()
    assert batch_tasks(slack) == []


def test_unambiguous_requests_still_get_run_or_cancel(slack: Harness) -> None:
    thread = master_thread(slack, "No question")
    slack.mention("IAB 300x250 and the 21:9 hero", thread_ts=thread)
    plan = slack.message_with("📋 *Plan* · 2 variants", thread_ts=thread)
    assert "❓" not in plan["text"] and "running it now" in plan["text"]
