"""Master candidates as jobs on the ``gpu`` queue (``queue=celery``): one job per candidate.

A job names its campaign, prompt and index; the worker calls ``generate_candidate``, which finds
a candidate already made for that seed instead of making it twice, and records the asset on the
row, where the bot picks it up and posts it.
"""

from __future__ import annotations

import hashlib

from pipeline.jobs import DIFFUSION_QUEUE
from pipeline.runtime import Runtime
from storage.db import session_scope
from storage.models import Job, JobBase
from storage.repos import jobs as job_repo

GENERATE_OP = "generate"


def candidate_unit(index: int) -> str:
    return f"candidate-{index + 1}"


def submit_candidates(runtime: Runtime, *, campaign_id: int, prompt: str, indexes: list[int]) -> list[int]:
    """One job per candidate index (created once per campaign, prompt and index); their ids."""
    ids = []
    with session_scope(runtime.engine) as s:
        for index in indexes:
            key = hashlib.sha256(f"generate:{campaign_id}:{index}:{prompt}".encode()).hexdigest()
            job, _ = job_repo.get_or_create_job(s, JobBase(
                campaign_id=campaign_id, idempotency_key=key, op=GENERATE_OP, queue=DIFFUSION_QUEUE,
                engine=runtime.settings.engine,
                params={"unit": candidate_unit(index), "prompt": prompt, "index": index}))
            assert job.id is not None
            ids.append(job.id)
    return ids


def run_generate_job(runtime: Runtime, job: Job) -> int:
    """Make (or find) the job's candidate on this worker; returns its asset id."""
    from pipeline.candidates import generate_candidate

    if job.campaign_id is None:
        raise LookupError(f"generate job {job.id} has no campaign")
    asset = generate_candidate(runtime, job.campaign_id, str(job.params["prompt"]),
                               index=int(job.params["index"]))
    assert asset.id is not None
    return asset.id
