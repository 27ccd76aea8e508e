"""Service functions the interfaces call (CLI today, Slack and workers later).

No business logic lives in listeners or commands: they parse, call these, and present.
"""

from __future__ import annotations

import getpass
import io
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.brandkit import BrandKit
from pipeline.executor import Inputs, LocalExecutor, Outcome, Progress
from pipeline.imaging.load import LoadedImage, check_master_shape, load_image, read_capped
from pipeline.jobs import submit_plan
from pipeline.plan import Plan
from pipeline.runtime import Runtime
from storage.db import session_scope
from storage.models import Asset, AssetBase, CampaignBase
from storage.repos import approvals, campaigns


@dataclass
class Master:
    """The approved master of a run: its stored asset and its decoded pixels."""

    asset: Asset
    loaded: LoadedImage
    campaign_id: int
    path: str


@dataclass
class Delivery:
    outcomes: list[Outcome]
    files: dict[str, Path] = field(default_factory=dict)  # variant name → delivered file

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.error]


def ingest_master(runtime: Runtime, source: Path, *, campaign_name: str, user: str | None = None) -> Master:
    """Validate an image file, store it, and record it as an approved master of a new campaign.

    Validation comes first: a refused file raises ``BadInput`` and nothing is stored.
    """
    settings = runtime.settings
    data = read_capped(source, source.name, settings.max_upload_bytes)
    loaded = load_image(
        data, name=source.name, max_bytes=settings.max_upload_bytes, max_pixels=settings.max_image_pixels
    )
    check_master_shape(loaded.size, source.name)
    key = runtime.blobs.put_bytes(data)
    user = user or getpass.getuser()
    with session_scope(runtime.engine) as s:
        campaign = campaigns.create_campaign(s, CampaignBase(name=campaign_name, created_by=user))
        assert campaign.id is not None
        asset = campaigns.add_asset(
            s,
            AssetBase(
                campaign_id=campaign.id,
                kind="upload",
                sha256=key,
                width=loaded.size[0],
                height=loaded.size[1],
                format=loaded.format,
                size_bytes=len(data),
                filename=source.name,
                notes=loaded.notes,
            ),
        )
        assert asset.id is not None
        approvals.approve_master(s, campaign.id, asset.id, user, source="cli")
    return Master(asset, loaded, campaign.id, str(source))


def run_plan(
    runtime: Runtime,
    plan: Plan,
    master: Master,
    *,
    engine: str,
    brand: BrandKit | None = None,
    progress: Progress | None = None,
    batch_key: str | None = None,
    diffusion: object = None,
) -> Delivery:
    """Queue the plan's jobs (reusing finished ones) and run them in this process."""
    assert master.asset.id is not None
    with session_scope(runtime.engine) as s:
        submitted = submit_plan(
            s,
            plan,
            master_sha256=master.asset.sha256,
            master_asset_id=master.asset.id,
            engine=engine,
            campaign_id=master.campaign_id,
            batch_key=batch_key,
        )
        job_ids = [job.id for _, job in submitted if job.id is not None]
    if runtime.settings.queue == "celery":
        return _run_on_workers(runtime, master, brand, job_ids, progress)
    extras, texts = {}, {}
    if brand is not None and brand.logo is not None:
        extras["logo"] = brand.logo
    if brand is not None:
        texts.update(brand.texts())  # the main font and the fallbacks per script or market
    inputs = Inputs(
        master=master.loaded.image,
        master_asset_id=master.asset.id,
        extras=extras,
        texts=texts,
        provenance={"campaign": str(master.campaign_id), "master_sha256": master.asset.sha256},
        style=brand.style() if brand is not None else {},
    )
    executor = LocalExecutor(runtime, inputs, engine=engine, progress=progress, diffusion=diffusion)
    return Delivery(executor.run(job_ids))


def _run_on_workers(
    runtime: Runtime, master: Master, brand: BrandKit | None, job_ids: list[int], progress: Progress | None
) -> Delivery:
    """``queue=celery``: the workers run the jobs; the brand's logo and fonts travel as blobs."""
    from pipeline.workers import run_on_workers

    logo_png = None
    if brand is not None and brand.logo is not None:
        buffer = io.BytesIO()
        brand.logo.save(buffer, format="PNG")
        logo_png = buffer.getvalue()
    assert master.asset.id is not None
    font = brand.font_bytes if brand is not None and brand.font_bytes else None
    fallbacks = {f.key: f.data for f in brand.fallback_fonts} if brand is not None else {}
    outcomes = run_on_workers(runtime, job_ids, master_asset_id=master.asset.id, logo_png=logo_png, font=font,
                              fonts=fallbacks, style=brand.style() if brand is not None else None,
                              progress=progress)
    return Delivery(outcomes)


def deliver_files(runtime: Runtime, delivery: Delivery, folder: Path) -> dict[str, Path]:
    """Copy each finished variant into ``folder`` as ``<variant>.<ext>``."""
    folder.mkdir(parents=True, exist_ok=True)
    for outcome in delivery.outcomes:
        asset = outcome.asset
        if asset is None or asset.kind != "variant":
            continue
        name = asset.filename or f"{outcome.unit}.{asset.format}"
        delivery.files[outcome.unit] = runtime.blobs.export(asset.sha256, folder / name)
    return delivery.files
