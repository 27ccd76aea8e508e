"""Flow 6 (`/keyart`) and flow 7 (the App Home tab)."""

from __future__ import annotations

import json

from pipeline.ops.registry import all_ops
from tests.bot.slack.conftest import APPROVER, CHANNEL, OPERATOR, Harness, png
from tests.bot.slack.test_batches import master_thread


def test_help_is_generated_from_the_op_registry(slack: Harness) -> None:
    status, answer = slack.command("help")
    assert status == 200 and answer["response_type"] == "ephemeral"
    for op in all_ops():
        assert f"`{op.name}` — {op.summary}" in answer["text"]
    assert ":sparkles: harmonize" in answer["text"]
    _, unknown = slack.command("frobnicate")
    assert "I don't know `/keyart frobnicate`" in unknown["text"]


def test_status_and_specs(slack: Harness) -> None:
    _, status = slack.command("status")
    assert "*Engine:* classical" in status["text"] and "worker running" in status["text"]
    _, specs = slack.command("specs")
    assert "`iab-leaderboard` 728×90 jpeg ≤ 150 KB" in specs["text"]


def test_digest_settings_are_validated_and_kept(slack: Harness) -> None:
    _, answer = slack.command("digest daily 09:00 Europe/London")
    assert "every day at 09:00 (Europe/London)" in answer["text"]
    _, answer = slack.command("digest weekly mon 8:30")
    assert "every Mon at 08:30" in answer["text"]
    assert slack.bot.deps.digests.get(CHANNEL).day == "mon"  # type: ignore[union-attr]
    _, answer = slack.command("digest weekly someday 09:00")
    assert answer["text"].startswith("⚠️ which day?")
    _, answer = slack.command("digest daily 25:00")
    assert "`25:00` is not a time" in answer["text"]
    _, answer = slack.command("digest daily 09:00 Mars/Olympus")
    assert "`Mars/Olympus` is not a time zone" in answer["text"]
    _, answer = slack.command("digest off")
    assert "turned off" in answer["text"] and slack.bot.deps.digests.get(CHANNEL) is None


def test_home_tab_lists_campaigns_approvals_and_queue(slack: Harness) -> None:
    master_thread(slack, "Home Sweet")
    waiting = slack.campaign("Needs Master")
    slack.share(waiting, "x.png", png())
    slack.message_with("stored as a master candidate", thread_ts=waiting)

    def home_of(user: str) -> str:
        slack.event({"type": "app_home_opened", "user": user, "channel": "D1", "tab": "home",
                     "event_ts": slack.next_ts()})
        call = slack.fake.wait_for(lambda: slack.fake.of("views.publish", user_id=user),
                                   what="views.publish")[-1]
        view = call.params["view"]
        view = json.loads(view) if isinstance(view, str) else view
        return "\n".join(b.get("text", {}).get("text", "") for b in view["blocks"])

    operator = home_of(OPERATOR)
    assert "|Home Sweet>" in operator and "master approved" in operator and "|Needs Master>" in operator
    assert "Waiting for your approval" not in operator and "*Queue:*" in operator
    approver = home_of(APPROVER)
    assert "Waiting for your approval" in approver and "Needs Master>: pick a master candidate" in approver
