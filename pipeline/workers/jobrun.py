"""Run one job by id in a worker process: what a Celery task does, without Celery.

A worker receives only a job id. It re-reads the row and rebuilds the executor's ``Inputs`` from
storage: the master's pixels from its blob (decoded again through ``load_image``) and the brand's
logo and font from the blob keys the submitter recorded in ``params["inputs"]``. The row decides
what happens, so a redelivered message is harmless: a finished job is a no-op, and a job whose
attempts already reached ``max_attempts`` is failed instead of run again (``start_attempt``
counts an attempt *before* the job runs, so attempts killed with the worker count too).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Literal

from pipeline.executor import Inputs, LocalExecutor
from pipeline.imaging.load import load_image
from pipeline.jobs import unit_from_job
from pipeline.runtime import Runtime
from storage.db import read_session, session_scope
from storage.models import Asset, Job
from storage.repos import campaigns
from storage.repos import jobs as job_repo

Step = Literal["missing", "finished", "gave_up", "skipped", "waiting", "done", "failed"]
FINISHED = ("done", "failed", "cancelled")


def gave_up_message(attempts: int) -> str:
    return f"gave up after {attempts} attempts: the worker died each time"


def run_job(runtime: Runtime, job_id: int, *, diffusion: Any = None) -> Step:
    """Run job ``job_id`` once if it is due; returns what happened (``waiting``: dependencies unfinished)."""
    with session_scope(runtime.engine) as s:
        job = job_repo.get_job(s, job_id)
        if job is None:
            return "missing"
        if job.status in FINISHED:
            return "finished"
        if job.attempts >= job.max_attempts:
            job_repo.fail_job(s, job_id, gave_up_message(job.attempts), final=True)
            return "gave_up"
        parents = [job_repo.get_job(s, d) for d in job.depends_on]
        if broken := [p for p in parents if p is None or p.status in ("failed", "cancelled")]:
            name = unit_from_job(broken[0]).name if broken[0] is not None else "an earlier step"
            job_repo.fail_job(s, job_id, f"skipped: `{name}` failed", final=True)
            return "skipped"
        if any(p is not None and p.status != "done" for p in parents):
            return "waiting"
    inputs, cache = _warm_inputs(runtime, job)
    executor = LocalExecutor(runtime, inputs, engine=job.engine, diffusion=diffusion)
    executor.cache = cache  # the batch's shared analysis (pyramid, subject…) outlives one job
    [outcome] = executor.run([job_id])
    return "failed" if outcome.error else "done"


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
        *(str(recorded.get(k)) for k in ("master_asset_id", "logo", "font")),
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
    assert master.id is not None
    return Inputs(
        master=image,
        master_asset_id=master.id,
        extras=extras,
        texts=texts,
        provenance={"campaign": str(job.campaign_id), "master_sha256": master.sha256},
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
