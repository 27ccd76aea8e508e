"""Plans become jobs.

A job is one unit a worker runs: either a *shared edit* (a step with no ``variant``, e.g. swap
the background on the master) or a whole *variant chain* (``fit → brand → export`` for one
deliverable). Chains run as one job so a variant's intermediate pixels never need to be stored
and reloaded; every step is still logged as an OpRun.

Idempotency: a job's key hashes its input (the master's sha256, or the key of the job it builds
on), each step's op, op version and params, the engine and model, and the seed. The same request
on the same master gives the same keys, so finished work is reused and a redelivered job maps to
the same row (and the same asset).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from pipeline.ops.registry import get_op
from pipeline.plan import MASTER, Plan, Step
from storage.models import Job, JobBase
from storage.repos import jobs as job_repo

DIFFUSION_QUEUE, CPU_QUEUE = "gpu", "cpu"


@dataclass
class WorkUnit:
    """Steps that run together as one job."""

    name: str  # the variant name, or the shared step id
    steps: list[Step]
    input: str  # MASTER or the name of the unit it builds on
    variant: str | None
    seed: int = 0
    key: str = ""
    depends_on: list[str] = field(default_factory=list)

    @property
    def spec(self) -> str | None:
        for step in reversed(self.steps):
            if "spec" in step.params:
                return str(step.params["spec"])
        return None


def work_units(plan: Plan) -> list[WorkUnit]:
    """Group plan steps into jobs, in dependency order."""
    unit_of_step: dict[str, str] = {}
    units: dict[str, WorkUnit] = {}
    for step in plan.steps:
        if step.variant is None:
            source = MASTER if step.input == MASTER else unit_of_step[step.input]
            units[step.id] = WorkUnit(step.id, [step], source, None)
            unit_of_step[step.id] = step.id
            continue
        unit = units.get(f"variant:{step.variant}")
        if unit is None:
            source = MASTER if step.input == MASTER else unit_of_step[step.input]
            unit = WorkUnit(step.variant, [], source, step.variant)
            units[f"variant:{step.variant}"] = unit
        elif step.input not in {s.id for s in unit.steps}:
            raise ValueError(
                f"step {step.id} of variant {step.variant} must build on the variant's previous step"
            )
        unit.steps.append(step)
        unit_of_step[step.id] = unit.name
    for unit in units.values():
        unit.depends_on = [] if unit.input == MASTER else [unit.input]
    return list(units.values())


def variant_seed(master_sha256: str, unit_name: str, reroll: int = 0) -> int:
    """Per-variant seed: stable for a master and variant, new for each re-roll."""
    digest = hashlib.sha256(f"{master_sha256}:{unit_name}:{reroll}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def unit_key(input_key: str, unit: WorkUnit, engine: str, model: str | None) -> str:
    payload: dict[str, Any] = {
        "input": input_key,
        "steps": [{"op": s.op, "version": get_op(s.op).version, "params": s.params} for s in unit.steps],
        "engine": engine,
        "model": model,
        "seed": unit.seed,
        "variant": unit.variant,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def submit_plan(
    session: Session,
    plan: Plan,
    *,
    master_sha256: str,
    master_asset_id: int,
    engine: str,
    model: str | None = None,
    campaign_id: int | None = None,
    batch_key: str | None = None,
    reply_channel: str | None = None,
    reply_thread_ts: str | None = None,
    reroll: int = 0,
) -> list[tuple[WorkUnit, Job]]:
    """Create (or find) one job row per work unit; returns them in dependency order."""
    units = work_units(plan)
    keys: dict[str, str] = {MASTER: master_sha256}
    ids: dict[str, int] = {}
    out: list[tuple[WorkUnit, Job]] = []
    for unit in units:
        unit.seed = variant_seed(master_sha256, unit.name, reroll)
        unit.key = unit_key(keys[unit.input], unit, engine, model)
        keys[unit.name] = unit.key
        diffusion = engine == "diffusion" and any(
            s.op in ("generate", "variant", "expand", "fit", "clean", "swap", "upscale") for s in unit.steps
        )
        job, _created = job_repo.get_or_create_job(
            session,
            JobBase(
                campaign_id=campaign_id,
                batch_key=batch_key,
                idempotency_key=unit.key,
                op="+".join(s.op for s in unit.steps),
                op_version=get_op(unit.steps[-1].op).version,
                params={
                    "unit": unit.name,
                    "variant": unit.variant,
                    "input": unit.input,
                    "steps": [s.model_dump() for s in unit.steps],
                },
                spec=unit.spec,
                engine=engine,
                seed=unit.seed,
                input_asset_id=master_asset_id if unit.input == MASTER else None,
                depends_on=[ids[d] for d in unit.depends_on],
                queue=DIFFUSION_QUEUE if diffusion else CPU_QUEUE,
                reply_channel=reply_channel,
                reply_thread_ts=reply_thread_ts,
            ),
        )
        assert job.id is not None
        ids[unit.name] = job.id
        out.append((unit, job))
    return out


def job_name(job: Job) -> str:
    """What people call a job: its variant or edit name (``audit`` for an audit job)."""
    return str(job.params.get("unit") or job.op)


def unit_from_job(job: Job) -> WorkUnit:
    """Rebuild the work unit from a job row (workers receive ids, not objects)."""
    params = job.params
    steps = [Step.model_validate(s) for s in params["steps"]]
    return WorkUnit(
        params["unit"], steps, params["input"], params.get("variant"), job.seed or 0, job.idempotency_key
    )
