"""Flows 4–5: a request in a thread with a master → plan → queued jobs → progress → files → audit;
then reactions on the results and on the audit."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import ImageEnhance
from sqlmodel import col

from pipeline.ops import registry
from pipeline.ops.base import OpResult
from storage.models import Approval, Asset, AuditRun, Job, PlanLog, SlackMessage
from tests.bot.slack.conftest import APPROVER, OPERATOR, OUTSIDER, Harness, png


def master_thread(slack: Harness, name: str = "Batch") -> str:
    thread = slack.campaign(name)
    upload = slack.share(thread, "hero.png", png())
    slack.message_with("stored as a master candidate", thread_ts=thread)
    slack.react(upload, user=APPROVER)
    slack.message_with("*Master approved*", thread_ts=thread)
    return thread


def results(slack: Harness, thread: str) -> dict[str, dict]:
    """Variant name → the file message that delivered it."""
    return {m["files"][0]["title"]: m for m in slack.fake.posts(thread_ts=thread)
            if m.get("files") and m["files"][0]["title"].startswith("iab-")}


def test_small_request_runs_at_once_with_progress_files_and_audit(slack: Harness) -> None:
    thread = master_thread(slack)
    slack.mention("IAB 300x250 and 728x90", thread_ts=thread)
    plan = slack.message_with("📋 *Plan* · 2 variants", thread_ts=thread)
    assert "running it now" in plan["text"] and "fit" in plan["text"]
    audit = slack.message_with("🔎 *Audit*", thread_ts=thread, timeout=60)
    assert audit["files"][0]["name"] == "contact_sheet.png"
    files = results(slack, thread)
    assert sorted(files) == ["iab-leaderboard", "iab-medium-rectangle"]
    assert all(m["thread_ts"] == thread for m in files.values())
    # One progress message, edited in place up to its final state.
    posts = slack.fake.posts(thread_ts=thread)
    progress = [m for m in posts if (m["text"] or "").startswith(("⏳", "✅ 2/2"))]
    assert len(progress) == 1 and progress[0]["text"].startswith("✅ 2/2") and progress[0]["edits"] >= 1
    # Every delivered file is mapped to its asset (reactions find it), and the audit to its run.
    variants = slack.rows(Asset, Asset.kind == "variant")
    mapped = {m.asset_id for m in slack.rows(SlackMessage, SlackMessage.kind == "result")}
    assert {a.id for a in variants} == mapped
    [run] = slack.rows(AuditRun)
    [plan_row] = slack.rows(PlanLog, col(PlanLog.campaign_id).is_not(None))  # the copy the batch runs
    assert run.asset_count == 2 and run.batch_key == f"plan-{plan_row.id}"


@pytest.fixture
def dark_leaderboard() -> Iterator[None]:
    """`fit` makes the leaderboard far too dark, so the audit fails it on luminance."""
    spec = registry.get_op("fit")

    def fit(inputs: Any, params: Any, ctx: Any) -> OpResult:
        result = spec.fn(inputs, params, ctx)
        if params.spec == "iab-leaderboard":
            result = dataclasses.replace(result, image=ImageEnhance.Brightness(result.image).enhance(0.45))
        return result

    registry._OPS["fit"] = dataclasses.replace(spec, fn=fit)
    yield
    registry._OPS["fit"] = spec


def test_reactions_on_results_and_on_the_audit(slack: Harness, dark_leaderboard: None) -> None:
    thread = master_thread(slack, "Reactions")
    slack.mention("IAB 300x250 and 728x90", thread_ts=thread)
    audit = slack.message_with("🔎 *Audit*", thread_ts=thread, timeout=60)
    assert "❌ `iab-leaderboard` — luminance: " in audit["text"]
    assert ":sparkles: to harmonize" in audit["text"]
    files = results(slack, thread)
    rect, board = files["iab-medium-rectangle"], files["iab-leaderboard"]
    by_spec = {a.spec: a for a in slack.rows(Asset, Asset.kind == "variant")}

    # ✅ approves a variant, ❌ from a non-approver changes nothing, removing ✅ revokes.
    decisions = lambda n: slack.wait(  # noqa: E731 — reactions run concurrently: one at a time here
        lambda: len(slack.rows(Approval, Approval.target == "variant")) == n, what=f"{n} decisions")
    slack.react(rect["ts"], user=APPROVER)
    decisions(1)
    slack.react(rect["ts"], "x", user=OUTSIDER)
    decisions(2)
    slack.react(rect["ts"], user=APPROVER, added=False)
    decisions(3)
    log = [(a.decision, a.user_id, a.effective) for a in slack.rows(Approval, Approval.target == "variant")]
    assert log == [("approve", APPROVER, True), ("reject", OUTSIDER, False), ("revoke", APPROVER, True)]
    assert slack.rows(Asset, Asset.id == by_spec["iab-medium-rectangle"].id)[0].status == "ready"

    # 🔁 re-runs one variant with a new seed and posts the new file.
    slack.react(rect["ts"], "repeat", user=OPERATOR)  # the campaign's requester
    rerun = slack.message_with("re-run with a new seed", thread_ts=thread, timeout=60)
    assert rerun["files"][0]["title"] == "iab-medium-rectangle"
    new = [a for a in slack.rows(Asset, Asset.spec == "iab-medium-rectangle", Asset.kind == "variant")]
    assert len(new) == 2 and new[0].seed != new[1].seed

    # ✨ on a variant harmonizes it to the master and re-audits it.
    slack.react(board["ts"], "sparkles", user=APPROVER)
    done = slack.message_with("✨ `iab-leaderboard` harmonized", thread_ts=thread, timeout=60)
    assert done["files"][0]["title"] == "iab-leaderboard"
    [job] = slack.rows(Job, col(Job.op).contains("harmonize"))
    assert job.op == "fit+harmonize+export" and job.status == "done"

    # ✨ on the audit message does the same for every variant that failed it (the same job, reused).
    failing = [a["spec"] for a in slack.rows(AuditRun)[0].report["assets"] if a["passed"] is False]
    assert "iab-leaderboard" in failing
    slack.react(audit["ts"], "sparkles", user=APPROVER)
    def harmonized(spec: str) -> int:
        return sum(f"✨ `{spec}` harmonized" in (m["text"] or "") for m in slack.fake.posts(thread_ts=thread))

    for spec in failing:  # the leaderboard's second harmonized file (the first came from ✨ on it)
        expected = 2 if spec == "iab-leaderboard" else 1
        slack.wait(functools.partial(lambda s, n: harmonized(s) == n, spec, expected), timeout=60,
                   what=f"{spec} harmonized")
    assert len(slack.rows(Job, col(Job.op).contains("harmonize"))) == len(failing)

    # ✅ on the audit message approves the batch.
    slack.react(audit["ts"], user=APPROVER)
    slack.message_with("*Batch approved* by <@ULENA> · 2 assets", thread_ts=thread)
    [batch] = slack.rows(Approval, Approval.target == "batch")
    assert batch.audit_run_id == slack.rows(AuditRun)[0].id
