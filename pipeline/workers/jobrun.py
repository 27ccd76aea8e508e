"""Run one job by id in a worker process: what a Celery task does, without Celery.

A worker receives only a job id. It re-reads the row and rebuilds the executor's ``Inputs`` from
storage: the master's pixels from its blob (decoded again through ``load_image``) and the brand's
logo and fonts from the blob keys the submitter recorded in ``params["inputs"]``. The row decides
what happens, so a redelivered message is harmless: a finished job is a no-op, and a job whose
attempts already reached ``max_attempts`` is failed instead of run again (``start_attempt``
counts an attempt *before* the job runs, so attempts killed with the worker count too).
A second message for a job another worker is running now (its lease, the hard time limit, has not
run out) is dropped: that worker's own unacknowledged message comes back if it dies.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pipeline.errors import UserFacingError, new_ref
from pipeline.executor import Inputs, LocalExecutor
from pipeline.imaging.load import load_image
from pipeline.jobs import job_name
from pipeline.runtime import Runtime
from pipeline.workers.audits import AUDIT_OP, run_audit_job
from pipeline.workers.generate import GENERATE_OP, run_generate_job
from pipeline.workers.timelimit import JobTimeLimit, time_limit
from storage.db import read_session, session_scope
from storage.models import Asset, Job
from storage.repos import campaigns
from storage.repos import jobs as job_repo

log = logging.getLogger(__name__)

Step = Literal["missing", "finished", "busy", "gave_up", "skipped", "waiting", "done", "failed"]
FINISHED = ("done", "failed", "cancelled")


def gave_up_message(attempts: int) -> str:
    return f"gave up after {attempts} attempts: the worker died each time"


def run_job(runtime: Runtime, job_id: int, *, diffusion: Any = None,
            limits: tuple[float, float] | None = None) -> Step:
    """Run job ``job_id`` once if it is due; returns what happened (``waiting``: dependencies unfinished).

    ``limits`` is ``(time limit, hard limit)`` in seconds (see ``timelimit``); the hard limit is also
    the lease of a running job. Without it the job runs unbounded (tests, the local executor).
    """
    with session_scope(runtime.engine) as s:
        job = job_repo.get_job(s, job_id)
        if job is None:
            return "missing"
        if job.status in FINISHED:
            return "finished"
        if limits is not None and _leased(job, limits[1]):
            return "busy"
        if job.attempts >= job.max_attempts:
            job_repo.fail_job(s, job_id, gave_up_message(job.attempts), final=True)
            return "gave_up"
        parents = [job_repo.get_job(s, d) for d in job.depends_on]
        if broken := [p for p in parents if p is None or p.status in ("failed", "cancelled")]:
            name = job_name(broken[0]) if broken[0] is not None else "an earlier step"
            job_repo.fail_job(s, job_id, f"skipped: `{name}` failed", final=True)
            return "skipped"
        if any(p is not None and p.status != "done" for p in parents):
            return "waiting"
    if limits is None:
        return _execute(runtime, job, diffusion)
    name = job_name(job)
    try:
        with time_limit(*limits, what=f"`{name}`"):
            return _execute(runtime, job, diffusion)
    except JobTimeLimit as exc:  # raised outside the executor's own handling (loading the master, say)
        with session_scope(runtime.engine) as s:
            current = job_repo.get_job(s, job_id)
            if current is not None and current.status == "done":  # the alarm came as the job finished
                return "done"
            job_repo.fail_job(s, job_id, str(exc), final=True)
        return "failed"


def _execute(runtime: Runtime, job: Job, diffusion: Any) -> Step:
    assert job.id is not None
    if job.op in SERVICE_JOBS:
        return _service(runtime, job)
    inputs, cache = _warm_inputs(runtime, job)
    executor = LocalExecutor(runtime, inputs, engine=job.engine, diffusion=diffusion)
    executor.cache = cache  # the batch's shared analysis (pyramid, subject…) outlives one job
    [outcome] = executor.run([job.id])
    return "failed" if outcome.error else "done"


# Jobs that are not op chains: (what runs it → its result asset id or None, what people hear it did).
SERVICE_JOBS: dict[str, tuple[Callable[[Runtime, Job], int | None], str]] = {
    AUDIT_OP: (run_audit_job, "auditing"),
    GENERATE_OP: (run_generate_job, "generating a candidate"),
}


def _service(runtime: Runtime, job: Job) -> Step:
    """A service job: counted as an attempt like any other; its failure is said, not raised."""
    assert job.id is not None
    run, doing = SERVICE_JOBS[job.op]
    with session_scope(runtime.engine) as s:
        job_repo.start_attempt(s, job.id)
    try:
        asset_id = run(runtime, job)
    except UserFacingError as exc:
        message, ref = str(exc), None
    except Exception:  # logged with a ref; the worker goes on
        ref = new_ref()
        log.exception("%s job %s failed, ref %s", job.op, job.id, ref)
        message = f"Something broke while {doing} (ref {ref})."
    else:
        with session_scope(runtime.engine) as s:
            job_repo.finish_job(s, job.id, asset_id)
        return "done"
    with session_scope(runtime.engine) as s:
        job_repo.fail_job(s, job.id, message, ref, final=True)
    return "failed"


def _leased(job: Job, lease_s: float) -> bool:
    """Is another worker running ``job`` now? (It started less than ``lease_s`` ago.)"""
    if job.status != "running" or job.started_at is None:
        return False
    started = job.started_at if job.started_at.tzinfo else job.started_at.replace(tzinfo=UTC)
    return datetime.now(UTC) - started < timedelta(seconds=lease_s)


# The last few masters' inputs and op caches, per worker process: a batch's ~50 jobs share a master,
# so decoding it and analysing it once per worker (not once per job) keeps workers near local speed.
_WARM: OrderedDict[tuple[str, ...], tuple[Inputs, dict[str, Any]]] = OrderedDict()
WARM_MASTERS = 2


def _warm_inputs(runtime: Runtime, job: Job) -> tuple[Inputs, dict[str, Any]]:
    recorded = job.params.get("inputs") or {}
    key = (
        str(runtime.settings.resolved_database_url),
        str(job.campaign_id),
        str(job.input_asset_id),
        *(str(recorded.get(k)) for k in ("master_asset_id", "logo", "font", "fonts", "style")),
    )
    if key in _WARM:
        _WARM.move_to_end(key)
        return _WARM[key]
    _WARM[key] = (inputs_for(runtime, job), {})
    while len(_WARM) > WARM_MASTERS:
        _WARM.popitem(last=False)
    return _WARM[key]


def inputs_for(runtime: Runtime, job: Job) -> Inputs:
    """The executor's inputs for ``job``, rebuilt from the database and the blob store."""
    recorded: dict[str, Any] = job.params.get("inputs") or {}
    with read_session(runtime.engine) as s:
        master = _master_asset(s, job, recorded)
    settings = runtime.settings
    pixels = max(settings.max_image_pixels, master.width * master.height)
    data = runtime.blobs.read_bytes(master.sha256)
    image = load_image(
        data, name=master.filename or f"master-{master.id}", max_bytes=max(len(data), 1), max_pixels=pixels
    ).image
    extras = {}
    if logo_key := recorded.get("logo"):
        logo = runtime.blobs.read_bytes(logo_key)
        extras["logo"] = load_image(logo, name="brand logo", max_bytes=max(len(logo), 1)).image
    texts = {"font": runtime.blobs.read_bytes(recorded["font"])} if recorded.get("font") else {}
    for key, blob in (recorded.get("fonts") or {}).items():  # fallback fonts per script: "font:ja", …
        if str(key).startswith("font:"):
            texts[str(key)] = runtime.blobs.read_bytes(blob)
    assert master.id is not None
    return Inputs(
        master=image,
        master_asset_id=master.id,
        extras=extras,
        texts=texts,
        provenance={"campaign": str(job.campaign_id), "master_sha256": master.sha256},
        style=dict(recorded.get("style") or {}),
    )


def _master_asset(session: Any, job: Job, recorded: dict[str, Any]) -> Asset:
    """The master the submitter named, else the job's own input, else its campaign's master."""
    asset_id = recorded.get("master_asset_id") or job.input_asset_id
    if asset_id is None and job.campaign_id is not None:
        campaign = campaigns.get_campaign(session, job.campaign_id)
        asset_id = campaign.master_asset_id if campaign is not None else None
    asset = campaigns.get_asset(session, asset_id) if asset_id else None
    if asset is None:
        raise LookupError(f"job {job.id} has no master asset to work from")
    return asset
