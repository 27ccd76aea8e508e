"""The bot with ``KEYART_QUEUE=celery``: a thread's batch runs on real ``keyart worker`` processes.

What the thread shows when workers die: a worker SIGKILLed mid-job is replaced and the variant
lands once; a job that kills every worker it reaches ends at the attempt cap with a readable
failure; a job past its time limit is stopped and says why.
"""

from __future__ import annotations

import signal
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col

from bot.server import start_bot
from pipeline.workers.audits import AUDIT_OP
from pipeline.workers.generate import GENERATE_OP
from pipeline.workers.jobrun import gave_up_message
from storage.models import Asset, AuditRun, Job, Outbox
from tests.bot.slack.conftest import Harness, bot_settings
from tests.bot.slack.fake_slack import FakeSlack
from tests.bot.slack.test_batches import master_thread
from tests.bot.slack.test_restart import VARIANTS as RESTART_VARIANTS
from tests.bot.slack.test_restart import BotProcess
from tests.support.servers import RedisServer
from tests.support.workers import Workers, quick_settings, wait_until

VARIANT = "iab-medium-rectangle"
LIMIT_S = 8.0  # the workers audit too: a few seconds on a busy 2-core machine


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


def start(
    fake: FakeSlack, root: Path, redis_server: RedisServer, limit_s: float = LIMIT_S, **overrides: Any
) -> Iterator[Harness]:
    redis_server.flush()
    settings = bot_settings(
        root / "data",
        fake,
        queue="celery",
        broker_url=redis_server.url,
        **quick_settings(limit_s),
        **overrides,
    )
    bot = start_bot(settings).serve_http("127.0.0.1", 0, block=False)
    yield Harness(fake, settings, port=bot.port, bot=bot)
    bot.stop()


@pytest.fixture
def slack(fake: FakeSlack, tmp_path: Path, redis_server: RedisServer) -> Iterator[Harness]:
    yield from start(fake, tmp_path, redis_server)


@pytest.fixture
def workers(slack: Harness, tmp_path: Path) -> Iterator[Workers]:
    logs = tmp_path / "logs"
    logs.mkdir()
    pool = Workers(slack.settings, logs)
    yield pool
    pool.stop()


def op_jobs(slack: Harness) -> list[Job]:
    return slack.rows(Job, col(Job.queue).in_(("cpu", "gpu")), Job.op != AUDIT_OP)


def delivered(slack: Harness, thread: str) -> Counter[str]:
    return Counter(f["title"] for m in slack.fake.posts(thread_ts=thread) for f in m.get("files") or [])


def test_worker_killed_mid_job_is_replaced_and_the_variant_lands_once(
    slack: Harness, workers: Workers
) -> None:
    doomed = workers.start(patch="hang")
    workers.wait_ready(doomed)
    thread = master_thread(slack, "Killed worker")
    slack.mention("IAB 300x250", thread_ts=thread)
    wait_until(
        "the worker to start the job", lambda: any(j.status == "running" for j in op_jobs(slack)), workers
    )
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(10)
    workers.start()  # Redis hands it the unacknowledged job after the visibility timeout

    audit = slack.message_with("🔎 *Audit*", thread_ts=thread, timeout=60)
    assert "1/1 pass" in audit["text"] or "0/1 pass" in audit["text"]
    assert delivered(slack, thread)[VARIANT] == 1
    [job] = op_jobs(slack)
    assert (job.status, job.attempts) == ("done", 2)
    assert [a.id for a in slack.rows(Asset, Asset.job_id == job.id)] == [job.result_asset_id]
    progress = [t for t in slack.fake.texts(thread_ts=thread) if t.startswith(("⏳", "✅ 1/1"))]
    assert len(progress) == 1 and progress[0].startswith("✅ 1/1")
    # The audit ran on a worker too (the cpu queue), and the thread's contact sheet came from it.
    [audit_job] = slack.rows(Job, Job.op == AUDIT_OP)
    assert (audit_job.queue, audit_job.status, audit_job.params["assets"]) == (
        "cpu",
        "done",
        {VARIANT: job.result_asset_id},
    )
    [run] = slack.rows(AuditRun)
    assert run.batch_key == audit_job.batch_key and audit["files"][0]["name"] == "contact_sheet.png"


def test_job_that_kills_every_worker_ends_with_a_readable_failure_in_the_thread(
    slack: Harness, workers: Workers
) -> None:
    workers.supervise("crash", restarts=3)  # like systemd: each dead worker is started again
    thread = master_thread(slack, "Poison job")
    slack.mention("IAB 300x250", thread_ts=thread)

    failure = slack.message_with(gave_up_message(3), thread_ts=thread, timeout=60)
    assert failure["text"].startswith("⚠️ ")
    [job] = op_jobs(slack)
    assert (job.status, job.attempts) == ("failed", 3)
    assert slack.rows(Asset, Asset.job_id == job.id) == []
    assert delivered(slack, thread)[VARIANT] == 0
    slack.idle()
    assert sum(gave_up_message(3) in t for t in slack.fake.texts(thread_ts=thread)) == 1


def test_job_past_its_time_limit_says_so_in_the_thread(slack: Harness, workers: Workers) -> None:
    worker = workers.start(patch="overrun")
    thread = master_thread(slack, "Slow job")
    slack.mention("IAB 300x250", thread_ts=thread)

    failure = slack.message_with("took longer than 8 s and was stopped", thread_ts=thread, timeout=60)
    assert f"`{VARIANT}`" in failure["text"]
    assert worker.poll() is None


@pytest.fixture
def diffusion(
    fake: FakeSlack, tmp_path: Path, redis_server: RedisServer
) -> Iterator[tuple[Harness, Workers]]:
    """The bot and one worker on the diffusion engine with tiny SD 1.5 models (written here)."""
    from pipeline.engines.diffusion.tiny import write_tiny_models

    env = {
        **write_tiny_models(tmp_path / "models", "sd15", upscaler="sd-x4"),
        "KEYART_DIFFUSION_MAX_PIXELS": str(64 * 64),
    }
    settings = {key.removeprefix("KEYART_").lower(): value for key, value in env.items()}
    for harness in start(fake, tmp_path, redis_server, 60.0, slack_candidates=2, **settings):
        logs = tmp_path / "logs"
        logs.mkdir()
        pool = Workers(harness.settings, logs, env=env)
        yield harness, pool
        pool.stop()


def test_candidates_are_generated_on_a_gpu_worker(diffusion: tuple[Harness, Workers]) -> None:
    slack, workers = diffusion
    workers.start()
    thread = slack.mention('new campaign "Spring Sale". Hero: a runner in a yellow raincoat at golden hour.')
    slack.message_with("✅ 2 master candidates below", thread_ts=thread, timeout=60)
    a = slack.message_with("Candidate A · seed", thread_ts=thread)
    slack.message_with("Candidate B · seed", thread_ts=thread)
    jobs = slack.rows(Job, Job.op == GENERATE_OP)
    assert [(j.queue, j.status, j.params["unit"]) for j in jobs] == [
        ("gpu", "done", "candidate-1"),
        ("gpu", "done", "candidate-2"),
    ]
    candidates = slack.rows(Asset, Asset.kind == "candidate")
    assert sorted(c.id for c in candidates) == sorted(j.result_asset_id for j in jobs)
    assert {c.model for c in candidates} == {workers.env["KEYART_MODEL_GENERATE"]}
    assert len({c.seed for c in candidates}) == 2
    assert a["files"][0]["name"] == "candidate-1.png"
    assert "Generating" not in slack.fake.posts(thread_ts=thread)[0]["text"]  # the progress line finished


def test_bot_killed_while_workers_run_its_batch_posts_every_result_once(
    fake: FakeSlack, tmp_path: Path, redis_server: RedisServer
) -> None:
    redis_server.flush()
    data_dir = tmp_path / "data"
    settings = bot_settings(
        data_dir, fake, queue="celery", broker_url=redis_server.url, **quick_settings(LIMIT_S)
    )
    bot = BotProcess(data_dir, fake)
    bot.env.update(
        {
            "KEYART_QUEUE": "celery",
            "KEYART_BROKER_URL": redis_server.url,
            **{f"KEYART_{k.upper()}": str(v) for k, v in quick_settings(LIMIT_S).items()},
        }
    )
    logs = tmp_path / "logs"
    logs.mkdir()
    workers = Workers(settings, logs)
    try:
        workers.start()
        bot.start()
        slack = Harness(fake, settings, port=bot.port)
        thread = master_thread(slack, "Bot crash")
        slack.mention("IAB 300x250, 728x90, 160x600 and 300x600", thread_ts=thread)
        slack.wait(
            lambda: any(
                r.dedupe_key.startswith("batch:plan-")
                for r in slack.rows(Outbox, Outbox.kind == "upload", Outbox.status == "sent")
            ),
            timeout=60,
            what="the first result",
        )
        bot.kill()
        assert not any("🔎" in t for t in fake.texts(thread_ts=thread)), "killed too late to test a restart"

        bot.start()  # resumes the batch task: sends the unfinished jobs again and waits on the rows
        slack.message_with("🔎 *Audit*: ", thread_ts=thread, timeout=90)
        counts = delivered(slack, thread)
        assert {v: counts[v] for v in RESTART_VARIANTS} == dict.fromkeys(RESTART_VARIANTS, 1)
        jobs = op_jobs(slack)
        assert len(jobs) == 4 and all(j.status == "done" for j in jobs)
        for job in jobs:  # a message sent twice made no second asset
            assert len(slack.rows(Asset, Asset.job_id == job.id)) == 1
        assert len(slack.rows(Job, Job.op == AUDIT_OP)) == 1
    finally:
        bot.kill()
        workers.stop()
