"""A batch's audit as a job on the ``cpu`` queue (``queue=celery``), so the bot's machine stays light.

The bot submits one audit job per batch key (running it again finds the same row); a worker
exports the variants from the blob store into its own delivery folder, audits them against the
master named on the row, and stores the ``AuditRun`` under the batch key, where the bot reads it.
Report paths are the worker's: ``rebase`` points them at the bot's copies of the same files.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from pipeline.executor import Outcome
from pipeline.jobs import CPU_QUEUE
from pipeline.runtime import Runtime
from pipeline.service import Delivery, deliver_files
from storage.db import read_session, session_scope
from storage.models import Job, JobBase
from storage.repos import campaigns
from storage.repos import jobs as job_repo

AUDIT_OP = "audit"
AUDIT_VERSION = "1"


def submit_audit(runtime: Runtime, *, batch_key: str, campaign_id: int, master_asset_id: int,
                 assets: dict[str, int]) -> int:
    """The audit job of ``batch_key`` (created once): ``assets`` maps variant name → asset id."""
    key = hashlib.sha256(f"audit:{AUDIT_VERSION}:{batch_key}".encode()).hexdigest()
    with session_scope(runtime.engine) as s:
        job, _ = job_repo.get_or_create_job(s, JobBase(
            campaign_id=campaign_id, batch_key=batch_key[:64], idempotency_key=key, op=AUDIT_OP,
            op_version=AUDIT_VERSION, queue=CPU_QUEUE,
            params={"unit": "audit", "batch_key": batch_key, "master_asset_id": master_asset_id,
                    "assets": assets}))
        assert job.id is not None
        return job.id


def run_audit_job(runtime: Runtime, job: Job) -> None:
    """Audit the job's variants (worker side); the ``AuditRun`` is stored under its batch key."""
    from pipeline.audit_service import audit_delivery
    from pipeline.campaigns import load_master

    params = job.params
    with read_session(runtime.engine) as s:
        master_asset = campaigns.get_asset(s, int(params["master_asset_id"]))
        found = {unit: campaigns.get_asset(s, int(asset_id)) for unit, asset_id in params["assets"].items()}
    if master_asset is None or job.campaign_id is None:
        raise LookupError(f"audit job {job.id} has no master to compare with")
    master = load_master(runtime, master_asset, job.campaign_id)
    outcomes = [Outcome(unit, asset.job_id or 0, asset=asset) for unit, asset in found.items() if asset]
    delivery = Delivery(outcomes)
    folder = runtime.settings.data_dir / "deliveries" / _folder_name(params["batch_key"]) / "variants"
    deliver_files(runtime, delivery, folder)
    audit_delivery(runtime, master, delivery, batch_key=params["batch_key"])


def rebase(report: dict[str, Any], folder: Path) -> dict[str, Any]:
    """The report with each item's path moved to the same file name in ``folder`` (the bot's copies)."""
    items = [{**item, "path": str(folder / Path(item["path"]).name)} for item in report.get("assets", [])]
    return {**report, "assets": items}


def _folder_name(batch_key: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in batch_key)
