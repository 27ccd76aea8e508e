"""Queue tasks: run and deliver a batch, re-run or harmonize one variant, generate candidates.

Each runs in the queue's worker thread and reports through the outbox with keys derived from the
task, the batch and the asset, so a task run again after a restart posts only what is missing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image

from bot import messages
from bot.deps import Deps
from bot.flows.threads import started_key
from bot.replies import Reply, user_message
from pipeline import batches, campaigns
from pipeline.audit import contact_sheet
from pipeline.audit import report as report_files
from pipeline.candidates import generate_candidate
from pipeline.errors import UserFacingError
from pipeline.queue_local import LocalQueue
from pipeline.workers import patience, submit, wait_for
from pipeline.workers.generate import candidate_unit, submit_candidates
from storage.models import Asset, Job

log = logging.getLogger(__name__)


def make_queue(deps: Deps) -> LocalQueue:
    """The local queue with this bot's task handlers (not started)."""
    handlers = {"batch": lambda job: run_batch(deps, job), "rerun": lambda job: rerun(deps, job),
                "generate": lambda job: generate(deps, job)}
    # Locally a task does the pixel work itself, so one at a time; with Celery it only sends job ids
    # and waits on their rows, so several campaigns' batches can be on the workers at once.
    threads = 4 if deps.settings.queue == "celery" else 1
    deps.queue = LocalQueue(deps.runtime, handlers, workers=threads,
                            on_failure=lambda job, text: _report(deps, job, text))
    return deps.queue


def _report(deps: Deps, job: Job, text: str) -> None:
    if job.reply_channel:
        deps.outbox.post(f"task:{job.id}:failed", job.reply_channel, job.reply_thread_ts, text)


def _where(job: Job) -> tuple[str, str | None]:
    assert job.reply_channel is not None, "tasks always carry their thread"
    return job.reply_channel, job.reply_thread_ts


def _upload_result(deps: Deps, job: Job, key: str, unit: str, asset: Asset,
                   comment: str | None = None) -> None:
    channel, thread_ts = _where(job)
    deps.outbox.upload(key, channel, thread_ts, blob=asset.sha256,
                       filename=asset.filename or f"{unit}.{asset.format}",
                       title=unit, comment=comment or messages.result_comment(unit, asset, deps.vocab),
                       mapping={"kind": "result", "campaign_id": asset.campaign_id, "asset_id": asset.id})


def _post_failures(deps: Deps, job: Job, run: batches.Run, prefix: str) -> None:
    channel, thread_ts = _where(job)
    for outcome in run.delivery.failures:
        error = outcome.error or "failed"
        if f"`{outcome.unit}`" not in error:  # worker-side errors (gave up, no worker) name no variant
            error = f"`{outcome.unit}`: {error}"
        deps.outbox.post(f"{prefix}:failure:{outcome.job_id}", channel, thread_ts,
                         messages.failure_text(error, deps.vocab),
                         mapping={"kind": "failure", "campaign_id": job.campaign_id},
                         meta={"job_id": outcome.job_id})


def run_batch(deps: Deps, job: Job) -> None:
    """Run a plan's jobs; upload each variant as it lands; then the audit with its contact sheet."""
    channel, thread_ts = _where(job)
    assert job.campaign_id is not None
    plan_id = int(job.params["plan_id"])
    key = f"plan-{plan_id}"
    _, plan = batches.load_plan(deps.runtime, plan_id)
    states = {name: "queued" for name in plan.variants()}
    reply = Reply(deps.outbox, f"batch:{key}:progress", channel, thread_ts,
                  interval=deps.settings.slack_progress_interval).start(messages.progress_text(states))

    def on_status(unit: str, status: str) -> None:
        if unit in states:
            states[unit] = status
            reply.progress(messages.progress_text(states))

    def on_result(unit: str, asset: Asset) -> None:
        _upload_result(deps, job, f"batch:{key}:result:{asset.id}", unit, asset)

    try:
        run = batches.run_batch(deps.runtime, job.campaign_id, plan, batch_key=key, on_status=on_status,
                                on_result=on_result, reply=(channel, thread_ts or ""))
    except Exception as exc:  # said in the thread; the task ends
        reply.fail(exc, "running the batch")
        return
    reply.finish(messages.progress_text(states))
    _post_failures(deps, job, run, f"batch:{key}")
    if run.delivery.outcomes and len(run.delivery.failures) < len(run.delivery.outcomes):
        _audit(deps, job, run, key)


def _audit(deps: Deps, job: Job, run: batches.Run, key: str) -> None:
    channel, thread_ts = _where(job)
    folder = deps.settings.data_dir / "deliveries" / key
    try:
        report, audit_id = batches.audit_run(deps.runtime, run, batch_key=key, folder=folder)
    except Exception as exc:  # the variants are delivered; say the audit broke
        deps.outbox.post(f"batch:{key}:audit", channel, thread_ts, user_message(exc, "auditing the batch"))
        return
    names = {path: outcome.unit for path, outcome in batches.outcome_by_path(run).items()}
    text = messages.audit_text(report, names, deps.vocab)
    mapping = {"kind": "audit", "campaign_id": job.campaign_id, "audit_run_id": audit_id}
    sheet = _contact_sheet(report, folder)
    if sheet is None:
        deps.outbox.post(f"batch:{key}:audit", channel, thread_ts, text, mapping=mapping)
        return
    blob = deps.runtime.blobs.put_file(sheet)
    deps.outbox.upload(f"batch:{key}:audit", channel, thread_ts, blob=blob, filename="contact_sheet.png",
                       title="Audit contact sheet", comment=text, mapping=mapping)


def _contact_sheet(report: dict[str, Any], folder: Path) -> Path | None:
    """Write audit.json and the contact sheet (what the thread shows) beside the delivered files."""
    path = folder / "contact_sheet.png"
    try:
        images = {}
        for item in report.get("assets", []):
            with Image.open(item["path"]) as image:
                images[item["path"]] = image.convert("RGB")
        report_files.write_json(report, folder / "audit.json")
        contact_sheet.write(report, images, path)
    except Exception:  # a missing picture must not hide the audit text
        log.exception("contact sheet for %s failed", folder)
        return None
    return path


def rerun(deps: Deps, job: Job) -> None:
    """Re-run one variant with a new seed, or harmonize it; re-audit it; post the new file."""
    channel, thread_ts = _where(job)
    assert job.campaign_id is not None and job.id is not None
    p = job.params
    harmonize = bool(p.get("harmonize"))
    prefix = f"task:{job.id}"
    try:
        new_job = batches.rerun_job(deps.runtime, int(p["job_id"]), reroll=int(p.get("reroll") or 0),
                                    harmonize=harmonize, user=p.get("user"))
        landed: dict[str, Asset] = {}
        run = batches.run_jobs(deps.runtime, job.campaign_id, [new_job], on_status=lambda unit, status: None,
                               on_result=lambda unit, asset: landed.__setitem__(unit, asset))
    except UserFacingError as exc:
        deps.outbox.post(f"{prefix}:refused", channel, thread_ts, user_message(exc))
        return
    _post_failures(deps, job, run, prefix)
    for unit, asset in landed.items():
        try:
            report, _ = batches.audit_run(deps.runtime, run, batch_key=f"{prefix}:{new_job}",
                                          folder=deps.settings.data_dir / "deliveries" / f"task-{job.id}")
            verdict = messages.harmonized_text(unit, report) if harmonize else _verdict(unit, report)
        except Exception as exc:  # the new file still goes out, with the audit's error
            verdict = user_message(exc, f"auditing `{unit}`")
        comment = f"{verdict}\n{messages.result_comment(unit, asset, deps.vocab)}"
        _upload_result(deps, job, f"{prefix}:result:{asset.id}", unit, asset, comment)


def _verdict(unit: str, report: dict[str, Any]) -> str:
    item = (report.get("assets") or [{}])[0]
    if item.get("passed") is False:
        failed = [c for c, r in (item.get("checks") or {}).items() if r.get("passed") is False]
        return f"🔁 `{unit}` re-run with a new seed — ❌ audit: {', '.join(failed)}."
    return f"🔁 `{unit}` re-run with a new seed — ✅ audit passed."


def generate(deps: Deps, job: Job) -> None:
    """Generate master candidates, each posted as its own message (✅ on it approves it)."""
    channel, thread_ts = _where(job)
    assert job.campaign_id is not None
    p = job.params
    count, first, prompt = int(p["count"]), int(p.get("first_index", 0)), str(p["prompt"])
    campaign = campaigns.get_campaign(deps.runtime, job.campaign_id)
    head = messages.campaign_started(campaign.name, deps.settings, deps.vocab).splitlines()[0]
    progress = first == 0  # the first round edits the "campaign started" message in place
    indexes = list(range(first, first + count))

    def show(done: int) -> None:
        if progress:
            deps.outbox.update(channel, f"{head}\n⏳ Generating {count} master candidates… {done}/{count}",
                               target=started_key(campaign.id or 0))

    def post(index: int, asset: Asset) -> None:
        deps.outbox.upload(f"candidate:{asset.id}", channel, thread_ts, blob=asset.sha256,
                           filename=asset.filename or f"candidate-{index + 1}.png",
                           title=messages.candidate_label(asset),
                           comment=messages.candidate_caption(asset, deps.vocab),
                           mapping={"kind": "candidate", "campaign_id": job.campaign_id,
                                    "asset_id": asset.id})

    def refused(index: int, exc: Exception) -> None:  # said in the thread; the other candidates go on
        deps.outbox.post(f"task:{job.id}:candidate:{index}:error", channel, thread_ts,
                         user_message(exc, "generating a candidate"))

    if deps.settings.queue == "celery":
        _generate_on_workers(deps, job.campaign_id, prompt, indexes, show=show, post=post, refused=refused)
    else:
        for done, index in enumerate(indexes):
            show(done)
            try:
                asset = generate_candidate(deps.runtime, job.campaign_id, prompt, index=index)
            except Exception as exc:
                refused(index, exc)
                continue
            post(index, asset)
    if progress:
        deps.outbox.update(channel,
                           f"{head}\n✅ {count} master candidates below. React {deps.vocab.emoji('approve')} "
                           "on the one to use as master.", target=started_key(campaign.id or 0))


def _generate_on_workers(deps: Deps, campaign_id: int, prompt: str, indexes: list[int], *,
                         show: Callable[[int], None], post: Callable[[int, Asset], None],
                         refused: Callable[[int, Exception], None]) -> None:
    """One ``gpu`` job per candidate; each is posted as soon as its row says it landed."""
    runtime = deps.runtime
    job_ids = submit_candidates(runtime, campaign_id=campaign_id, prompt=prompt, indexes=indexes)
    units = {candidate_unit(i): (i, job_id) for i, job_id in zip(indexes, job_ids, strict=True)}
    posted: set[str] = set()

    def on_status(unit: str, status: str) -> None:
        if status != "done" or unit in posted:
            return
        posted.add(unit)
        show(len(posted))
        index, job_id = units[unit]
        if (asset := batches.result_asset(runtime, job_id)) is not None:
            post(index, asset)

    show(0)
    submit(runtime, job_ids)
    outcomes = wait_for(runtime, job_ids, timeout_s=patience(deps.settings, len(job_ids)), progress=on_status,
                        late_error="no worker took it: is `keyart worker --queues gpu` running?")
    for outcome in outcomes:
        if outcome.unit not in posted:
            refused(units[outcome.unit][0], UserFacingError(outcome.error or "failed"))
