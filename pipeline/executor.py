"""The local executor: runs job rows in dependency order, in this process.

Workers receive job ids and re-read the rows, so the same code serves the CLI, the Slack bot's
in-process queue and (later) Celery workers. Job state lives in the database: a job that is
already done is reused, and one interrupted by a crash is simply run again (it is idempotent).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from PIL import Image

from pipeline.assets import encode_intermediate, jsonable, load_mask, load_stored_image, store_mask
from pipeline.credentials.actions import step_credentials
from pipeline.credentials.manifest import Production
from pipeline.credentials.record import production_for
from pipeline.credentials.sealing import CredentialJob
from pipeline.errors import OpFailed, UserFacingError, new_ref
from pipeline.jobs import WorkUnit, unit_from_job
from pipeline.ops.base import Geometry, OpContext, OpInputs, OpResult
from pipeline.ops.carry import Carried
from pipeline.ops.registry import get_op
from pipeline.plan import MASTER
from pipeline.runtime import Runtime
from pipeline.specs import get_spec
from storage.db import read_session, session_scope
from storage.models import Asset, AssetBase, Job, OpRun
from storage.repos import campaigns
from storage.repos import jobs as job_repo
from storage.repos.logs import log_op_run, params_hash

log = logging.getLogger(__name__)

Progress = Callable[[str, str], None]  # (unit name, status: running | done | reused | failed)


@dataclass
class Inputs:
    """What the executor hands every op besides the pixels it is working on."""

    master: Image.Image
    master_asset_id: int
    extras: dict[str, Image.Image] = field(default_factory=dict)
    texts: dict[str, bytes] = field(default_factory=dict)
    provenance: dict[str, str] = field(default_factory=dict)
    style: dict[str, Any] = field(default_factory=dict)  # the brand kit's colours and layout choices


@dataclass
class Outcome:
    unit: str
    job_id: int
    asset: Asset | None = None
    error: str | None = None
    reused: bool = False


class LocalExecutor:
    def __init__(
        self,
        runtime: Runtime,
        inputs: Inputs,
        *,
        engine: str,
        progress: Progress | None = None,
        diffusion: Any = None,
    ) -> None:
        self.runtime = runtime
        self.inputs = inputs
        self.engine = engine
        self.progress = progress or (lambda unit, status: None)
        self.diffusion = diffusion
        self.cache: dict[str, Any] = {}  # shared by all ops of this batch (pyramid, subject, …)
        # result asset id → pixels, their frame and what the chain carries (masks, layout)
        self._images: dict[int, tuple[Image.Image, Geometry, Carried]] = {}
        self._productions: dict[tuple[Any, ...], Production] = {}  # C2PA records (see _production)

    def run(self, job_ids: list[int]) -> list[Outcome]:
        outcomes: dict[int, Outcome] = {}
        for job_id in job_ids:
            outcomes[job_id] = self._run_one(job_id, outcomes)
        return [outcomes[j] for j in job_ids]

    def _run_one(self, job_id: int, done: dict[int, Outcome]) -> Outcome:
        with session_scope(self.runtime.engine) as s:
            job = job_repo.get_job(s, job_id)
            assert job is not None
            unit = unit_from_job(job)
            # Progress callbacks run after the transaction closes: a callback that writes (Slack's
            # outbox) would otherwise wait on our own SQLite write lock.
            finished: Outcome | None = None
            if job.status == "done" and job.result_asset_id:
                asset = campaigns.get_asset(s, job.result_asset_id)
                finished = Outcome(unit.name, job_id, asset=asset, reused=True)
            elif failed := [d for d in job.depends_on if d in done and done[d].error]:
                message = f"skipped: `{done[failed[0]].unit}` failed"
                job_repo.fail_job(s, job_id, message, final=True)
                finished = Outcome(unit.name, job_id, error=message)
        if finished is not None:
            self.progress(unit.name, "reused" if finished.reused else "failed")
            return finished
        with session_scope(self.runtime.engine) as s:
            job_repo.start_attempt(s, job_id)
            parent_asset_id = job.input_asset_id or self._result_of(s, job.depends_on)
            parent = campaigns.get_asset(s, parent_asset_id)
            assert parent is not None
            parent_sha = parent.sha256
        self.progress(unit.name, "running")
        try:
            asset = self._execute(job_id, unit, parent_asset_id, parent_sha, job=job)
        except UserFacingError as exc:
            return self._fail(job_id, unit, str(exc), None)
        except Exception as exc:
            ref = exc.ref if isinstance(exc, OpFailed) else new_ref()
            log.exception("job %s (%s) failed, ref %s", job_id, unit.name, ref)
            message = f"Something broke while making `{unit.name}` (ref {ref}). The other variants are fine."
            return self._fail(job_id, unit, message, ref)
        self.progress(unit.name, "done")
        return Outcome(unit.name, job_id, asset=asset)

    def _fail(self, job_id: int, unit: WorkUnit, message: str, ref: str | None) -> Outcome:
        with session_scope(self.runtime.engine) as s:
            job_repo.fail_job(s, job_id, message, ref, final=True)
        self.progress(unit.name, "failed")
        return Outcome(unit.name, job_id, error=message)

    def _result_of(self, session: Any, depends_on: list[int]) -> int:
        parent = job_repo.get_job(session, depends_on[0])
        if parent is None or parent.result_asset_id is None:
            raise OpFailed(f"job {depends_on[0]} has no result")
        return parent.result_asset_id

    def _input_pixels(self, unit: WorkUnit, parent_asset_id: int) -> tuple[Image.Image, Geometry, Carried]:
        if unit.input == MASTER:
            return self.inputs.master, Geometry.identity(self.inputs.master.size), Carried()
        if parent_asset_id not in self._images:
            with read_session(self.runtime.engine) as s:
                parent = campaigns.get_asset(s, parent_asset_id)
            assert parent is not None
            image = load_stored_image(self.runtime.blobs, parent.sha256)
            self._images[parent_asset_id] = (image, Geometry.from_json(parent.geometry),
                                             self._stored_carry(parent.geometry))
        return self._images[parent_asset_id]

    def _stored_carry(self, geometry: dict[str, Any]) -> Carried:
        """The masks and layout an earlier job stored with its asset (an edit shared by variants)."""
        masks = {name: load_mask(self.runtime.blobs, geometry[f"{name}_mask"]) if geometry.get(f"{name}_mask")
                 else None for name in ("generated", "designed")}
        return Carried(masks["generated"], masks["designed"], geometry.get("layout"))

    def _execute(
        self, job_id: int, unit: WorkUnit, parent_asset_id: int, parent_sha: str, *, job: Job
    ) -> Asset:
        image, geometry, carried = self._input_pixels(unit, parent_asset_id)
        production = self._production(job, unit, parent_asset_id)
        runs: list[OpRun] = []
        steps: list[dict[str, Any]] = []
        notes: list[str] = []
        result: OpResult | None = None
        for index, step in enumerate(unit.steps):
            op = get_op(step.op)
            op.check_engine(self.engine)
            params = op.parse_params(step.params)
            spec_name = getattr(params, "spec", None)
            ctx = OpContext(
                engine=self.engine,
                seed=(unit.seed + index) % 2**32,
                spec=get_spec(spec_name) if spec_name else None,
                diffusion=self.diffusion,
                provenance={
                    **self.inputs.provenance,
                    "asset_ref": unit.key,
                    "parent_sha256": parent_sha,
                    "diffusion": "true" if self.engine == "diffusion" else "false",
                    "ops": "+".join(s.op for s in unit.steps[: index + 1]),
                },
                cache=self.cache,
                settings=self.runtime.settings,
                credentials=self._credentials(production, unit, steps, runs),
            )
            started = time.perf_counter()
            result = op.fn(
                OpInputs(image, self.inputs.master, geometry, self.inputs.extras, self.inputs.texts,
                         generated_mask=carried.generated, designed_mask=carried.designed,
                         layout=carried.layout, style=self.inputs.style),
                params,
                ctx,
            )
            generated, designed = result.generated_mask, result.designed_mask
            credentials = step_credentials(
                op.name,
                params.model_dump(),
                before=geometry,
                after=result.geometry,
                engine=result.engine,
                model=result.model,
                generated_share=float(generated.mean()) if generated is not None else 0.0,
                designed_share=float(designed.mean()) if designed is not None else 0.0,
                record=result.record,
                logo=self.inputs.extras.get("logo"),
                key=f"{unit.key[:8]}-{index}-",
            )
            carried = carried.after(geometry, result)
            runs.append(
                OpRun(
                    job_id=job_id,
                    op=op.name,
                    op_version=op.version,
                    params_hash=params_hash(step.params),
                    engine=result.engine,
                    model=result.model,
                    seed=result.seed,
                    duration_s=time.perf_counter() - started,
                )
            )
            steps.append(
                {
                    "op": op.name,
                    "version": op.version,
                    "params": jsonable(params.model_dump()),
                    "record": jsonable(result.record),
                    "notes": list(result.notes),
                    "seed": result.seed,
                    "credentials": credentials,  # this step's C2PA actions (pipeline/credentials/manifest.py)
                }
            )
            notes.extend(result.notes)
            image, geometry = result.image, result.geometry
        assert result is not None
        runs[0].input_sha256 = parent_sha
        return self._store(job_id, unit, parent_asset_id, result, carried, steps, notes, runs)

    def _production(self, job: Job, unit: WorkUnit, parent_asset_id: int) -> Production | None:
        """What the unit's Content Credentials record from the database (only units that export).

        A batch's units share their master, people and (per parent) edits: looked up once.
        """
        if not any(step.op == "export" for step in unit.steps) or self.runtime.signer is None:
            return None
        key = (job.campaign_id, job.batch_key, parent_asset_id, repr(job.params.get("directed_by")))
        if key not in self._productions:
            with read_session(self.runtime.engine) as s:
                self._productions[key] = production_for(s, job, parent_asset_id)
        return self._productions[key]

    def _credentials(
        self, production: Production | None, unit: WorkUnit, steps: list[dict[str, Any]], runs: list[OpRun]
    ) -> CredentialJob | None:
        """The signer and the record so far (the master, earlier edits, this unit's steps before this one)."""
        if production is None or self.runtime.signer is None:
            return None
        facts = {
            **production.facts,
            "unit": unit.name,
            "asset_ref": unit.key,
            "seed": unit.seed,
            "engine": self.engine,
            "ops": [step.op for step in unit.steps],
            "models": sorted({run.model for run in runs if run.model}),
        }
        record = replace(
            production, steps=[*production.steps, *(s["credentials"] for s in steps)], facts=facts
        )
        return CredentialJob(self.runtime.signer, record)

    def _store(
        self,
        job_id: int,
        unit: WorkUnit,
        parent_asset_id: int,
        result: OpResult,
        carried: Carried,
        steps: list[dict[str, Any]],
        notes: list[str],
        runs: list[OpRun],
    ) -> Asset:
        data = result.encoded if result.encoded is not None else encode_intermediate(result.image)
        fmt = result.format or "png"
        key = self.runtime.blobs.put_bytes(data)
        geometry = result.geometry.to_json()
        for name, mask in (("generated", carried.generated), ("designed", carried.designed)):
            if mask is not None:
                geometry[f"{name}_mask"] = store_mask(self.runtime.blobs, mask)
                geometry[f"{name}_fraction"] = round(float(mask.mean()), 6)
        if carried.layout is not None:
            geometry["layout"] = jsonable(carried.layout)
        with session_scope(self.runtime.engine) as s:
            job = job_repo.get_job(s, job_id)
            assert job is not None
            asset = campaigns.add_asset(
                s,
                AssetBase(
                    campaign_id=job.campaign_id,
                    parent_id=parent_asset_id,
                    kind="variant" if unit.variant else "edit",
                    sha256=key,
                    width=result.image.width,
                    height=result.image.height,
                    format=fmt,
                    size_bytes=len(data),
                    spec=unit.spec,
                    op=steps[0]["op"] if len(steps) == 1 else "+".join(x["op"] for x in steps),
                    op_version=steps[-1]["version"],
                    params={"steps": steps},
                    # A chain is "diffusion" if any step used a model (export is always classical).
                    engine="diffusion" if any(r.engine == "diffusion" for r in runs) else result.engine,
                    model=next((r.model for r in runs if r.model), None),
                    seed=unit.seed,
                    geometry=geometry,
                    notes=notes,
                    job_id=job_id,
                    filename=f"{unit.name}.{_extension(fmt)}",
                ),
            )
            runs[-1].output_sha256 = key
            for run in runs:
                run.asset_id = asset.id
                log_op_run(s, run)
            assert asset.id is not None
            job_repo.finish_job(s, job_id, asset.id)
        self._images[asset.id] = (result.image, result.geometry, carried)
        return asset


def _extension(fmt: str) -> str:
    return {"jpeg": "jpg", "png": "png", "webp": "webp"}.get(fmt, fmt)
