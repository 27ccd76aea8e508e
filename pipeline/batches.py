"""Batches for a campaign: plans kept for a Run button, runs with per-result callbacks, re-runs
of one variant (new seed or harmonized), and the audit of what was delivered.

Everything is keyed so that running it again is harmless: a batch's jobs come from
``submit_plan`` (same plan + master → same rows), a re-run's job key hashes the job it re-runs
and the re-roll number, and the audit of a batch is looked up before it is run again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from pipeline.campaigns import master_of
from pipeline.costs import DEFAULT_MASTER_MP, plan_cost
from pipeline.errors import BadRequest, UserFacingError
from pipeline.executor import Inputs, LocalExecutor, Outcome
from pipeline.jobs import submit_plan, unit_from_job, variant_seed
from pipeline.plan import Plan, Step
from pipeline.runtime import Runtime
from pipeline.service import Delivery, Master, deliver_files
from pipeline.workers import patience, run_on_workers, submit, wait_for
from pipeline.workers.audits import rebase, submit_audit
from storage.db import read_session, session_scope
from storage.models import Asset, AuditRun, Job, JobBase, PlanLog
from storage.repos import campaigns
from storage.repos import jobs as job_repo
from storage.repos.logs import log_plan

log = logging.getLogger(__name__)

ResultHook = Callable[[str, Asset], None]  # (unit name, finished asset): called as each variant lands
StatusHook = Callable[[str, str], None]  # (unit name, running | done | reused | failed)

@dataclass
class Run:
    """A finished (or resumed) batch: what each unit produced, and the master it came from."""

    master: Master
    delivery: Delivery
    units: dict[str, int]  # unit name → job id


def estimate_seconds(plan: Plan, engine: str, master: Asset | None = None) -> float:
    """The plan's rough running time (pipeline/costs.py), priced at the master's real size if known."""
    megapixels = master.width * master.height / 1e6 if master is not None else DEFAULT_MASTER_MP
    return plan_cost(plan, engine, master_mp=megapixels).seconds


def save_plan(runtime: Runtime, *, campaign_id: int, user: str, plan: Plan) -> int:
    """Keep a proposed plan (the Run button refers to it by id); returns the PlanLog id."""
    with session_scope(runtime.engine) as s:
        row = log_plan(s, PlanLog(campaign_id=campaign_id, user_id=user, request_text=plan.request,
                                  planner=plan.planner, plan=plan.model_dump(), notes=list(plan.notes)))
        assert row.id is not None
        return row.id


def load_plan(runtime: Runtime, plan_id: int) -> tuple[PlanLog, Plan]:
    with read_session(runtime.engine) as s:
        row = s.get(PlanLog, plan_id)
    if row is None or row.campaign_id is None:
        raise BadRequest(f"plan {plan_id} no longer exists; ask again")
    return row, Plan.model_validate(row.plan)


def run_batch(runtime: Runtime, campaign_id: int, plan: Plan, *, batch_key: str, on_status: StatusHook,
              on_result: ResultHook, reply: tuple[str, str] | None = None) -> Run:
    """Submit the plan's jobs (reusing finished ones) and run them; ``on_result`` per variant."""
    master = master_of(runtime, campaign_id)
    assert master.asset.id is not None
    with session_scope(runtime.engine) as s:
        submitted = submit_plan(s, plan, master_sha256=master.asset.sha256, master_asset_id=master.asset.id,
                                engine=runtime.settings.engine, campaign_id=campaign_id, batch_key=batch_key,
                                reply_channel=reply[0] if reply else None,
                                reply_thread_ts=reply[1] if reply else None)
        units = {unit.name: job.id for unit, job in submitted if job.id is not None}
        variants = {unit.name for unit, _ in submitted if unit.variant}
    return _execute(runtime, master, units, variants, on_status, on_result)


def run_jobs(runtime: Runtime, campaign_id: int, job_ids: list[int], *, on_status: StatusHook,
             on_result: ResultHook) -> Run:
    """Run already-submitted jobs (a re-run) against the campaign's master."""
    master = master_of(runtime, campaign_id)
    with read_session(runtime.engine) as s:
        jobs = [job_repo.get_job(s, job_id) for job_id in job_ids]
    units = {unit_from_job(j).name: j.id for j in jobs if j is not None and j.id is not None}
    return _execute(runtime, master, units, set(units), on_status, on_result)


def _execute(runtime: Runtime, master: Master, units: dict[str, int], variants: set[str],
             on_status: StatusHook, on_result: ResultHook) -> Run:
    def handle(unit: str, status: str) -> None:
        on_status(unit, status)
        landed = status in ("done", "reused") and unit in variants
        if landed and (asset := result_asset(runtime, units[unit])) is not None:
            on_result(unit, asset)

    assert master.asset.id is not None
    job_ids = list(units.values())
    # The executor reports some statuses ("reused") while it holds a write transaction, and the
    # hooks write (outbox rows): on SQLite that would wait on itself. The hooks run, in order, on
    # their own thread instead.
    with _Relay(handle) as relay:
        if runtime.settings.queue == "celery":  # workers run the jobs; the rows say when each lands
            outcomes = run_on_workers(runtime, job_ids, master_asset_id=master.asset.id, progress=relay.put)
        else:
            inputs = Inputs(master=master.loaded.image, master_asset_id=master.asset.id,
                            provenance={"campaign": str(master.campaign_id),
                                        "master_sha256": master.asset.sha256})
            executor = LocalExecutor(runtime, inputs, engine=runtime.settings.engine, progress=relay.put)
            outcomes = executor.run(job_ids)
    return Run(master, Delivery([o for o in outcomes if o.unit in variants or o.error]), units)


class _Relay:
    """Calls ``handle(unit, status)`` for each reported status, in order, on one helper thread."""

    def __init__(self, handle: StatusHook) -> None:
        self.handle = handle
        self.items: queue.Queue[tuple[str, str] | None] = queue.Queue()
        self.thread = threading.Thread(target=self._drain, name="keyart-progress", daemon=True)

    def put(self, unit: str, status: str) -> None:
        self.items.put((unit, status))

    def _drain(self) -> None:
        while (item := self.items.get()) is not None:
            try:
                self.handle(*item)
            except Exception:  # a lost progress line must not stop the batch
                log.exception("progress hook failed for %s", item)

    def __enter__(self) -> _Relay:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.items.put(None)
        self.thread.join()


def result_asset(runtime: Runtime, job_id: int) -> Asset | None:
    """The asset a finished job made (None if it made none, or is not finished)."""
    with read_session(runtime.engine) as s:
        job = job_repo.get_job(s, job_id)
        return campaigns.get_asset(s, job.result_asset_id) if job and job.result_asset_id else None


def job_of_asset(runtime: Runtime, asset_id: int) -> Job:
    with read_session(runtime.engine) as s:
        asset = campaigns.get_asset(s, asset_id)
        job = job_repo.get_job(s, asset.job_id) if asset is not None and asset.job_id else None
    if job is None:
        raise BadRequest("that file was not made by a job I can run again")
    return job


def rerun_job(runtime: Runtime, job_id: int, *, reroll: int, harmonize: bool = False,
              user: str | None = None) -> int:
    """A new job for the same variant on the same inputs: a new seed, or a harmonize step added.

    Dependencies (a shared background swap, say) are reused as they are: only this variant changes.
    ``user`` (who asked) goes into the new file's Content Credentials.
    """
    with session_scope(runtime.engine) as s:
        job = job_repo.get_job(s, job_id)
        if job is None:
            raise BadRequest(f"job {job_id} no longer exists")
        unit = unit_from_job(job)
        steps = _with_harmonize(unit.steps) if harmonize else unit.steps
        seed = variant_seed(job.idempotency_key, unit.name, reroll) if reroll else job.seed
        recipe = {"from": job.idempotency_key, "reroll": reroll, "harmonize": harmonize}
        key = hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()
        params = {**job.params, "steps": [step.model_dump() for step in steps]}
        if user:
            decision = "harmonize" if harmonize else "rerun"
            params["directed_by"] = {"user": user, "via": "slack", "decision": decision}
        new, _created = job_repo.get_or_create_job(s, JobBase(
            campaign_id=job.campaign_id, batch_key=job.batch_key, idempotency_key=key,
            op="+".join(x.op for x in steps), op_version=job.op_version, params=params, spec=job.spec,
            engine=job.engine, seed=seed,
            input_asset_id=job.input_asset_id, depends_on=list(job.depends_on), queue=job.queue,
            reply_channel=job.reply_channel, reply_thread_ts=job.reply_thread_ts))
        assert new.id is not None
        return new.id


def rerun_gpu_seconds(runtime: Runtime, job_id: int, *, harmonize: bool, master_mp: float) -> float:
    """Estimated GPU-seconds of :func:`rerun_job` for this job (its variant's steps, once more)."""
    with read_session(runtime.engine) as s:
        job = job_repo.get_job(s, job_id)
    if job is None:
        raise BadRequest(f"job {job_id} no longer exists")
    steps = unit_from_job(job).steps
    steps = _with_harmonize(steps) if harmonize else steps
    return plan_cost(Plan(steps=steps), job.engine, master_mp=master_mp).gpu_seconds


def _with_harmonize(steps: list[Step]) -> list[Step]:
    """Insert ``harmonize`` after the pixel steps, before brand/export (logos keep their colours)."""
    if any(step.op == "harmonize" for step in steps):
        return steps
    at = next((i for i, step in enumerate(steps) if step.op in ("brand", "export")), len(steps))
    if at == 0:
        raise BadRequest("this variant has no pixel step to harmonize")
    head = steps[at - 1]
    added = Step(id=f"{head.id}.harmonize", op="harmonize", params={}, input=head.id, variant=head.variant)
    tail = [s.model_copy(update={"input": added.id}) if i == 0 else s for i, s in enumerate(steps[at:])]
    return [*steps[:at], added, *tail]


def audit_run(runtime: Runtime, run: Run, *, batch_key: str,
              folder: Path) -> tuple[dict[str, Any], int | None]:
    """Deliver the variants to ``folder`` and audit them, once per ``batch_key``: (report, AuditRun id)."""
    from pipeline.audit_service import audit_delivery

    variants = folder / "variants"
    deliver_files(runtime, run.delivery, variants)
    if runtime.settings.queue == "celery" and audit_of(runtime, batch_key) is None:
        _audit_on_a_worker(runtime, run, batch_key)
    existing = audit_of(runtime, batch_key)
    if existing is not None:
        return rebase(existing.report, variants), existing.id
    report = audit_delivery(runtime, run.master, run.delivery, batch_key=batch_key)
    found = audit_of(runtime, batch_key)
    return report, found.id if found else None


def _audit_on_a_worker(runtime: Runtime, run: Run, batch_key: str) -> None:
    """The audit as a ``cpu`` job; its failure is raised here, where the thread hears of it."""
    assert run.master.asset.id is not None
    assets = {o.unit: o.asset.id for o in run.delivery.outcomes if o.asset is not None and o.asset.id}
    job_id = submit_audit(runtime, batch_key=batch_key, campaign_id=run.master.campaign_id,
                          master_asset_id=run.master.asset.id, assets=assets)
    submit(runtime, [job_id])
    settings = runtime.settings
    [outcome] = wait_for(runtime, [job_id], timeout_s=patience(settings, 1),
                         late_error="no worker took the audit: is `keyart worker --queues cpu` running?")
    if outcome.error:
        raise UserFacingError(outcome.error)  # the worker wrote it for people


def audit_of(runtime: Runtime, batch_key: str) -> AuditRun | None:
    with read_session(runtime.engine) as s:
        stmt = select(AuditRun).where(AuditRun.batch_key == batch_key).order_by(col(AuditRun.id).desc())
        return s.exec(stmt).first()


def outcome_by_path(run: Run) -> dict[str, Outcome]:
    """Audit reports name files by path; map them back to the outcome (and its asset)."""
    by_unit = {o.unit: o for o in run.delivery.outcomes}
    return {str(path): by_unit[unit] for unit, path in run.delivery.files.items() if unit in by_unit}
