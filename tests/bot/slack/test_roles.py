"""Who may spend compute: each action (brief, Run, Cancel, 🔁, ✨) × each role, through the real bot.

Roles here: UMAYA started the campaign (and is a requester); UCOLLEAGUE is a requester through a
user group but not in this campaign; ULENA is an approver; UADMIN an admin; UTOM is no requester.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import col

from pipeline import costs
from pipeline.costs import OpCost
from pipeline.queue_local import TASK_QUEUE
from storage.models import Approval, Campaign, Job, PlanLog
from tests.bot.slack.conftest import APPROVER, GROUP, GROUP_MEMBER, OPERATOR, OUTSIDER, Harness
from tests.bot.slack.fake_slack import FakeSlack
from tests.bot.slack.test_batches import master_thread, results
from tests.bot.slack.test_candidates import noise_generator  # noqa: F401 (its fixture; autouse here too)
from tests.bot.slack.test_plan_buttons import buttons

ADMIN, COLLEAGUE, REQUESTERS = "UADMIN", "UCOLLEAGUE", "SREQUESTERS"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    server = FakeSlack(groups={GROUP: [GROUP_MEMBER], REQUESTERS: [COLLEAGUE]})
    yield server
    server.close()


@pytest.fixture
def overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The roles above (a test may replace them: ``parametrize("overrides", [...], indirect=True)``)."""
    roles = {
        "requesters": [OPERATOR, REQUESTERS],
        "admins": [ADMIN],
        "slack_auto_run_max": 0,
        "gpu_seconds_per_user_day": 250.0,
    }
    return dict(getattr(request, "param", roles))


@pytest.fixture
def fit_costs_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    """Price the classical `fit` as 100 GPU-seconds, so budgets bite without a GPU or a model."""
    monkeypatch.setitem(costs.COSTS["classical"], "fit", OpCost("gpu", 100.0, 0.0))


def ephemerals(slack: Harness, user: str) -> list[str]:
    return [c.params["text"] for c in slack.fake.of("chat.postEphemeral", user=user)]


def wait_ephemeral(slack: Harness, user: str, count: int = 1) -> str:
    found = slack.fake.wait_for(
        lambda: ephemerals(slack, user)[count - 1 :], what=f"ephemeral #{count} to {user}"
    )
    return str(found[0])


def plan_message(slack: Harness, thread: str, index: int) -> dict[str, Any]:
    plans = slack.fake.wait_for(
        lambda: [m for m in slack.fake.posts(thread_ts=thread) if "📋" in (m["text"] or "")][index:],
        what=f"plan #{index + 1}",
    )
    return dict(plans[0])


def batch_tasks(slack: Harness) -> list[tuple[int, str]]:
    return sorted(
        (t.params["plan_id"], t.status)
        for t in slack.rows(Job, Job.queue == TASK_QUEUE, Job.op == "task.batch")
    )


def test_brief_needs_the_requester_role(slack: Harness) -> None:
    ts = slack.mention('new campaign "Not mine"', user=OUTSIDER)
    assert "Only requesters can ask me for work here" in wait_ephemeral(slack, OUTSIDER)
    assert slack.rows(Campaign) == []
    for user in (COLLEAGUE, APPROVER, ADMIN):  # via the group, as an approver, as an admin
        slack.mention(f'new campaign "By {user}"', user=user)
        slack.message_with(f"Campaign *By {user}* started")
    assert sorted(c.created_by for c in slack.rows(Campaign)) == sorted([COLLEAGUE, APPROVER, ADMIN])
    assert ts not in {c.slack_thread_ts for c in slack.rows(Campaign)}


@pytest.mark.parametrize("overrides", [{}], indirect=True)
def test_without_requesters_everyone_in_the_channel_may_brief(slack: Harness) -> None:
    slack.mention('new campaign "Open door"', user=OUTSIDER)
    slack.message_with("Campaign *Open door* started")


def test_run_and_cancel_by_role(slack: Harness) -> None:
    thread = master_thread(slack, "Buttons")
    slack.mention("IAB 300x250", thread_ts=thread)
    first = plan_message(slack, thread, 0)
    assert buttons(first) == ["keyart_run", "keyart_cancel"]

    slack.press(first, "keyart_run", user=OUTSIDER)  # not a requester
    assert "Only requesters can start this plan" in wait_ephemeral(slack, OUTSIDER)
    slack.press(first, "keyart_run", user=COLLEAGUE)  # a requester, but not in this campaign
    assert "This is <@UMAYA>'s work: only they, approvers and admins can start this plan" in wait_ephemeral(
        slack, COLLEAGUE
    )
    slack.press(first, "keyart_cancel", user=COLLEAGUE)
    assert "can cancel this plan" in wait_ephemeral(slack, COLLEAGUE, 2)
    slack.idle()
    assert batch_tasks(slack) == [] and buttons(slack.fake.messages[first["ts"]]) != []  # nothing ran

    slack.press(first, "keyart_run", user=APPROVER)  # approvers may run any campaign's plans
    slack.message_with("▶️ Started by <@ULENA>", thread_ts=thread)

    slack.mention("IAB 728x90", thread_ts=thread, user=COLLEAGUE)  # asking in the thread is allowed...
    second = plan_message(slack, thread, 1)
    slack.press(second, "keyart_run", user=COLLEAGUE)  # ...and the one who asked may run it
    slack.message_with("▶️ Started by <@UCOLLEAGUE>", thread_ts=thread)

    slack.mention("IAB 160x600", thread_ts=thread)
    third = plan_message(slack, thread, 2)
    slack.press(third, "keyart_cancel", user=ADMIN)  # admins may cancel anyone's work
    slack.message_with("✖️ Cancelled by <@UADMIN>", thread_ts=thread)
    slack.press(third, "keyart_run", user=OPERATOR)  # a late Run on a cancelled plan
    assert "was cancelled by <@UADMIN>" in wait_ephemeral(slack, OPERATOR)
    slack.idle(60)
    ids = [int(m["blocks"][1]["elements"][0]["value"]) for m in (first, second, third)]
    assert batch_tasks(slack) == [(ids[0], "done"), (ids[1], "done"), (ids[2], "cancelled")]


def test_reroll_and_harmonize_by_role(slack: Harness) -> None:
    thread = master_thread(slack, "Reactions")
    slack.mention("IAB 300x250", thread_ts=thread)
    slack.press(plan_message(slack, thread, 0), "keyart_run", user=OPERATOR)
    slack.message_with("🔎 *Audit*", thread_ts=thread, timeout=60)
    slack.idle()
    rect = results(slack, thread)["iab-medium-rectangle"]

    slack.react(rect["ts"], "repeat", user=OUTSIDER)
    assert "Only requesters can re-roll work" in wait_ephemeral(slack, OUTSIDER)
    slack.react(rect["ts"], "sparkles", user=COLLEAGUE)
    assert "only they, approvers and admins can harmonize work" in wait_ephemeral(slack, COLLEAGUE)
    slack.idle()
    assert slack.rows(Job, Job.queue == TASK_QUEUE, Job.op == "task.rerun") == []
    assert [a.decision for a in slack.rows(Approval, Approval.target == "variant")] == []  # nothing logged

    for user, reaction in ((OPERATOR, "repeat"), (APPROVER, "sparkles"), (ADMIN, "repeat")):
        slack.react(rect["ts"], reaction, user=user)
    slack.wait(
        lambda: len(slack.rows(Job, Job.queue == TASK_QUEUE, Job.op == "task.rerun")) == 3,
        what="three re-runs",
    )
    slack.idle(90)
    who = sorted(t.params["user"] for t in slack.rows(Job, Job.queue == TASK_QUEUE, Job.op == "task.rerun"))
    assert who == sorted([OPERATOR, APPROVER, ADMIN])


def test_budgets_are_charged_to_whoever_presses(slack: Harness, fit_costs_gpu: None) -> None:
    thread = master_thread(slack, "Budgets")
    slack.mention("IAB 300x250 and 728x90", thread_ts=thread)  # two fits: 200 GPU-seconds
    first = plan_message(slack, thread, 0)
    slack.press(first, "keyart_run", user=APPROVER)  # the approver presses: the approver pays
    slack.message_with("▶️ Started by <@ULENA>", thread_ts=thread)

    slack.mention("IAB 160x600 and 300x600", thread_ts=thread)
    second = plan_message(slack, thread, 1)
    slack.press(second, "keyart_run", user=APPROVER)  # 200 more would pass 250
    refusal = wait_ephemeral(slack, APPROVER)
    assert "needs about 200 GPU-seconds, but only 50 of your 250 GPU-seconds for today are left" in refusal
    slack.press(second, "keyart_run", user=OPERATOR)  # the person who asked has a full budget
    slack.message_with("▶️ Started by <@UMAYA>", thread_ts=thread)
    slack.idle(90)

    charges = [
        (r.user_id, r.gpu_seconds, r.planner)
        for r in slack.rows(PlanLog, col(PlanLog.planner).startswith("charge:"))
    ]
    assert sorted(charges) == sorted([(OPERATOR, 200.0, "charge:run"), (APPROVER, 200.0, "charge:run")])
    planned = slack.rows(
        PlanLog, col(PlanLog.planner).not_like("charge:%"), col(PlanLog.gpu_seconds).is_not(None)
    )
    assert planned == []  # asking for a plan in Slack charges nobody; starting it does

    rect = results(slack, thread)["iab-medium-rectangle"]
    slack.react(rect["ts"], "repeat", user=OPERATOR)  # 100 more for the requester: 300 > 250
    assert "only 50 of your 250 GPU-seconds for today are left" in wait_ephemeral(slack, OPERATOR)
    slack.react(rect["ts"], "repeat", user=ADMIN)  # the admin's own budget pays for the re-roll
    slack.message_with("re-run with a new seed", thread_ts=thread, timeout=60)
    slack.idle(60)

    # An admin gives the requester a bigger budget; now their 🔁 goes through, charged to them.
    _, answer = slack.command("budget <@UMAYA|maya> 1,000", user=ADMIN)
    assert answer["text"] == (
        "💳 Set by <@UADMIN>. 💳 <@UMAYA> has used 200 of 1,000 GPU-seconds today "
        "(their own budget); 800 left until 00:00 UTC."
    )
    slack.react(rect["ts"], "repeat", user=OPERATOR)
    slack.wait(
        lambda: len(slack.rows(Job, Job.queue == TASK_QUEUE, Job.op == "task.rerun")) == 2,
        what="the second re-roll",
    )
    slack.idle(60)
    charges = [
        (r.user_id, r.gpu_seconds, r.planner)
        for r in slack.rows(PlanLog, col(PlanLog.planner).startswith("charge:"))
    ]
    assert (ADMIN, 100.0, "charge:rerun") in charges and (OPERATOR, 100.0, "charge:rerun") in charges
    assert len(charges) == 4


def test_budget_command_shows_your_own_and_only_admins_change_them(slack: Harness) -> None:
    _, mine = slack.command("budget", user=OPERATOR)
    assert mine["text"] == (
        "💳 You have used 0 of 250 GPU-seconds today (the default budget); 250 left until 00:00 UTC."
    )
    _, theirs = slack.command("budget <@ULENA>", user=OPERATOR)
    assert "only admins (`KEYART_ADMINS`) can see or change someone else's budget" in theirs["text"]
    _, raise_own = slack.command("budget <@UMAYA> 99999", user=OPERATOR)
    assert "only admins (`KEYART_ADMINS`) can change budgets" in raise_own["text"]
    _, bad = slack.command("budget <@UMAYA> lots", user=ADMIN)
    assert "`lots` is not a number of GPU-seconds" in bad["text"]
    _, set_ = slack.command("budget <@UMAYA> 5000", user=ADMIN)
    assert "<@UMAYA> has used 0 of 5,000 GPU-seconds today (their own budget)" in set_["text"]
    _, back = slack.command("budget <@UMAYA> default", user=ADMIN)
    assert "<@UMAYA> has used 0 of 250 GPU-seconds today (the default budget)" in back["text"]


@pytest.mark.parametrize(
    "overrides", [{"slack_auto_run_max": 10, "gpu_seconds_per_user_day": 250.0}], indirect=True
)
def test_a_small_plan_over_budget_does_not_start(slack: Harness, fit_costs_gpu: None) -> None:
    thread = master_thread(slack, "Auto")
    slack.mention("the IAB set", thread_ts=thread)  # 6 fits: 600 GPU-seconds
    refused = slack.message_with("GPU-seconds", thread_ts=thread)
    assert "needs about 600 GPU-seconds" in refused["text"]
    assert slack.rows(Job, Job.queue == TASK_QUEUE) == []


@pytest.mark.parametrize(
    "overrides",
    [{"engine": "diffusion", "slack_candidates": 2, "gpu_seconds_per_user_day": 40.0, "admins": [ADMIN]}],
    indirect=True,
)
@pytest.mark.usefixtures("noise_generator")
def test_a_brief_that_generates_candidates_is_charged_to_who_asked(slack: Harness) -> None:
    first = slack.mention('new campaign "One". A runner at dawn.')  # 2 candidates ≈ 29 GPU-seconds
    slack.message_with("✅ 2 master candidates below", thread_ts=first)
    slack.mention('new campaign "Two". A runner at dusk.')  # 29 more would pass 40
    assert "needs about 29 GPU-seconds, but only 11 of your 40 GPU-seconds" in wait_ephemeral(slack, OPERATOR)
    slack.mention('new campaign "Three". A runner at noon.', user=ADMIN)
    slack.message_with("Campaign *Three* started")
    slack.idle(60)
    assert sorted(c.name for c in slack.rows(Campaign)) == ["One", "Three"]
    charges = sorted(
        (r.user_id, round(r.gpu_seconds or 0), r.planner)
        for r in slack.rows(PlanLog, col(PlanLog.planner).startswith("charge:"))
    )
    assert charges == [(ADMIN, 29, "charge:candidates"), (OPERATOR, 29, "charge:candidates")]


def test_ask_back_buttons_pass_the_same_gate(slack: Harness, fit_costs_gpu: None) -> None:
    thread = master_thread(slack, "Ask back")
    slack.mention("a 16:9 please", thread_ts=thread)
    asked = slack.message_with("❓", thread_ts=thread)
    slack.press(asked, "keyart_answer_0", user=OUTSIDER)
    assert "Only requesters can start this plan" in wait_ephemeral(slack, OUTSIDER)
    slack.press(asked, "keyart_answer_0", user=COLLEAGUE)  # a requester, not in this campaign
    assert "only they, approvers and admins can start this plan" in wait_ephemeral(slack, COLLEAGUE)
    slack.idle()
    assert batch_tasks(slack) == []  # refused clicks claim nothing: the question is still open
    slack.press(asked, "keyart_answer_1", user=OPERATOR)
    slack.message_with("🔎 *Audit*", thread_ts=thread, timeout=60)
    slack.idle()
    charges = [
        (r.user_id, r.planner) for r in slack.rows(PlanLog, col(PlanLog.planner).startswith("charge:"))
    ]
    assert charges == [(OPERATOR, "charge:run")]
