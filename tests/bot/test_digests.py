"""Scheduled audit digests: fired by APScheduler from the database job store, posted through the
outbox and the notifier to the local Slack stand-in, once per channel and period."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from apscheduler.events import EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.triggers.interval import IntervalTrigger
from PIL import Image
from skimage import data

from bot.deps import make_client
from bot.digests import DigestSchedule, DigestSettings
from bot.notifier import Notifier
from bot.scheduler import DigestScheduler, period_of
from pipeline.audit.store import save_audit
from pipeline.digest import build_digest, render_digest_pictures
from pipeline.runtime import Runtime
from storage.db import read_session, session_scope
from storage.models import Campaign, utcnow
from storage.settings import Settings
from tests.bot.slack.conftest import CHANNEL, bot_settings
from tests.bot.slack.fake_slack import FakeSlack

THREAD = "1700000000.000042"
CHECKS = ("luminance", "texture", "color", "subject")


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    server = FakeSlack()
    yield server
    server.close()


@pytest.fixture
def settings(tmp_path: Path, fake: FakeSlack) -> Settings:
    settings = bot_settings(tmp_path / "data", fake)
    Runtime(settings).migrate()
    return settings


@pytest.fixture
def notifier(settings: Settings) -> Iterator[Notifier]:
    sender = Notifier(Runtime(settings), make_client(settings), post_interval=0.0, poll_s=0.1).start()
    yield sender
    sender.stop()


def audited_batch(settings: Settings, tmp_path: Path, *, channel: str = CHANNEL, name: str = "Summer",
                  thread: str = THREAD) -> int:
    """A campaign thread in ``channel`` with one audit run: a passing story, a failing banner."""
    runtime = Runtime(settings)
    with session_scope(runtime.engine) as s:
        campaign = Campaign(name=name, slack_channel=channel, slack_thread_ts=thread)
        s.add(campaign)
        s.flush()
        campaign_id = campaign.id
    story, banner = tmp_path / f"{name}-story.png", tmp_path / f"{name}-banner.png"
    Image.fromarray(data.astronaut()).resize((54, 96)).save(story)
    Image.fromarray(data.chelsea()).resize((96, 12)).save(banner)
    ok = {c: {"passed": True, "reason": ""} for c in CHECKS}
    bad = {**ok, "color": {"passed": False, "reason": "ΔE00 mean 4.1 > 2.0"},
           "texture": {"passed": False, "reason": "sharpness ratio 0.62 < 0.8"}}
    report: dict[str, Any] = {
        "master": {"path": "master.png", "sha256": "0" * 64, "size": [512, 512]},
        "passed": False,
        "assets": [
            {"path": str(story), "spec": "meta-story", "size": [54, 96], "passed": True, "checks": ok},
            # a delivered file that was cleaned up since: the sheet shows a grey cell for it
            {"path": str(tmp_path / "gone.png"), "spec": "iab-mpu", "size": [30, 25], "passed": True,
             "checks": ok},
            {"path": str(banner), "spec": "iab-leaderboard", "size": [96, 12], "passed": False,
             "checks": bad},
        ],
    }
    return save_audit(runtime.engine, report, campaign_id=campaign_id, batch_key=f"b-{name}")


def digest_posts(fake: FakeSlack) -> list[dict[str, Any]]:
    return [m for m in fake.posts(channel=CHANNEL) if "Audit digest" in (m.get("text") or "")]


def uploads(fake: FakeSlack) -> list[str]:
    return sorted(f["name"] for m in fake.posts(channel=CHANNEL) for f in m.get("files") or [])


def scheduler(settings: Settings, notifier: Notifier, **kwargs: Any) -> DigestScheduler:
    """A scheduler as one bot process has it (its own engine: as good as another process)."""
    return DigestScheduler(Runtime(settings), notifier.wake, lease_s=1.5, renew_s=0.1, **kwargs)


def fired(sched: DigestScheduler) -> threading.Event:
    done = threading.Event()

    def listen(event: JobExecutionEvent) -> None:
        if event.job_id == f"digest:{CHANNEL}":
            done.set()

    sched.scheduler.add_listener(listen, EVENT_JOB_EXECUTED)
    return done


def every_second() -> IntervalTrigger:
    return IntervalTrigger(seconds=1, start_date=utcnow() + timedelta(seconds=0.5))


DAILY = DigestSchedule("daily", "09:00", "Europe/London")


def test_digest_content_and_pictures(settings: Settings, tmp_path: Path) -> None:
    first = audited_batch(settings, tmp_path)
    audited_batch(settings, tmp_path, channel="C0ELSEWHERE", name="Other", thread="1700000000.000043")
    with read_session(Runtime(settings).engine) as s:
        digest = build_digest(s, CHANNEL, 0)
        assert build_digest(s, CHANNEL, first).batches == []
    assert [b.run_id for b in digest.batches] == [first]  # the other channel's batch is not here
    assert (digest.assets, digest.passed_assets) == (3, 2)
    assert digest.checks["color"] == {"pass": 2, "fail": 1} and digest.checks["subject"] == {"pass": 3}
    [worst] = digest.offenders
    assert worst.asset == "iab-leaderboard" and worst.reasons == (
        "texture: sharpness ratio 0.62 < 0.8", "color: ΔE00 mean 4.1 > 2.0")
    text = digest.text()
    assert f"<https://slack.com/archives/{CHANNEL}/p1700000000000042|Summer>" in text
    assert "2/3 assets pass" in text and "color 2✓ 1✗" in text
    chart, sheet = render_digest_pictures(digest, tmp_path / "out")
    assert chart.name == "chart.png" and Image.open(chart).size[0] > 1000
    with Image.open(sheet) as picture:
        # failing first: banner, story, then the cleaned-up file's cell, left grey
        centres = [picture.convert("RGB").getpixel((16 + i * 276 + 130, 56 + 130)) for i in range(3)]
        assert centres[0] != (230, 230, 230) and centres[1] != (230, 230, 230)
        assert centres[2] == (230, 230, 230)


def test_digest_fires_on_schedule_and_posts_once_per_period(
        settings: Settings, tmp_path: Path, fake: FakeSlack, notifier: Notifier) -> None:
    run_id = audited_batch(settings, tmp_path)
    sched = scheduler(settings, notifier).start()
    try:
        done = fired(sched)
        sched.set(CHANNEL, DAILY, trigger=every_second())
        fake.wait_for(lambda: len(uploads(fake)) == 2, 15, "the digest pictures")
        [post] = digest_posts(fake)
        assert post.get("thread_ts") is None and "iab-leaderboard" in post["text"]
        assert uploads(fake) == ["chart.png", "contact_sheet.png"]
        # It fires again a second later: nothing new to say, and this period's digest exists.
        done.clear()
        assert done.wait(5)
        assert sched.last_digested(CHANNEL) == run_id
        # A new batch: the next digest covers it alone.
        newer = audited_batch(settings, tmp_path, name="Autumn", thread="1700000000.000044")
        with read_session(sched.runtime.engine) as s:
            following = build_digest(s, CHANNEL, sched.last_digested(CHANNEL))
        assert [b.run_id for b in following.batches] == [newer]
        # A fire later in this period (an explicit clock) posts nothing more.
        assert not sched.run_digest(CHANNEL, "daily", "Europe/London", now=utcnow())
    finally:
        sched.stop()
    assert len(digest_posts(fake)) == 1 and len(uploads(fake)) == 2


def test_schedule_survives_a_restart(settings: Settings, tmp_path: Path, fake: FakeSlack,
                                     notifier: Notifier) -> None:
    audited_batch(settings, tmp_path)
    # The /keyart digest path, with the old JSON file still there from before the job store.
    legacy = settings.data_dir / "digests.json"
    legacy.write_text('{"C0LEGACY": {"every": "weekly", "time": "08:30", "tz": "Europe/Paris", '
                      '"day": "mon"}}')
    first = scheduler(settings, notifier)
    DigestSettings(first, legacy).set(CHANNEL, DAILY)
    first.set("C0SOON", DAILY, trigger=every_second())
    first.stop()  # never ran anything: it was never started

    again = scheduler(settings, notifier)
    assert DigestSettings(again, legacy).all() == {
        CHANNEL: DAILY, "C0SOON": DAILY, "C0LEGACY": DigestSchedule("weekly", "08:30", "Europe/Paris", "mon")}
    job = again.scheduler.get_job(f"digest:{CHANNEL}")
    assert job is not None and job.coalesce and job.max_instances == 1 and job.misfire_grace_time == 3600
    local = job.next_run_time.astimezone(job.trigger.timezone)
    assert (local.hour, local.minute, str(job.trigger.timezone)) == (9, 0, "Europe/London")
    again.set("C0SOON", None)
    again.set(CHANNEL, DAILY, trigger=every_second())
    again.stop()

    third = scheduler(settings, notifier).start()  # a restart: the stored job fires here
    try:
        fake.wait_for(lambda: len(uploads(fake)) == 2, 15, "the digest after the restart")
        assert set(third.all()) == {CHANNEL, "C0LEGACY"}
    finally:
        third.stop()
    assert len(digest_posts(fake)) == 1


def test_two_schedulers_post_one_digest(settings: Settings, tmp_path: Path, fake: FakeSlack,
                                        notifier: Notifier) -> None:
    audited_batch(settings, tmp_path)
    one, two = scheduler(settings, notifier).start(), scheduler(settings, notifier).start()
    try:
        assert [one.leader, two.leader] == [True, False]
        fired_one, fired_two = fired(one), fired(two)
        two.set(CHANNEL, DAILY, trigger=every_second())  # set through the standby: the leader runs it
        fake.wait_for(lambda: len(uploads(fake)) == 2, 15, "the digest")
        assert fired_one.wait(5) and not fired_two.is_set()
        one.stop()  # the leader goes away: the standby takes over and its fires post nothing new
        assert fired_two.wait(10) and two.leader
    finally:
        one.stop()
        two.stop()
    assert len(digest_posts(fake)) == 1 and uploads(fake) == ["chart.png", "contact_sheet.png"]


def test_period_is_the_local_day_or_iso_week() -> None:
    late = utcnow().replace(year=2026, month=3, day=1, hour=23, minute=30)  # a Sunday, UTC
    assert period_of("daily", "Europe/London", late) == "2026-03-01"
    assert period_of("daily", "Asia/Tokyo", late) == "2026-03-02"
    assert period_of("weekly", "Europe/London", late) == "2026-W09"
    assert period_of("weekly", "Asia/Tokyo", late) == "2026-W10"
