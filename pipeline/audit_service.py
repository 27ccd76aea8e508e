"""Audit a delivery: build audit items from lineage (geometry, generated and designed regions, the
layout and brand records), run the batch audit on the delivered files, and record the run."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from pipeline.assets import load_mask
from pipeline.audit.batch import AuditItem, AuditMaster, Progress, audit_batch, overlay_mask
from pipeline.audit.design import DesignRecord
from pipeline.audit.encoding import probe
from pipeline.audit.store import save_audit
from pipeline.credentials.keys import trust_anchors
from pipeline.credentials.reader import read_credentials
from pipeline.ops.base import Geometry
from pipeline.runtime import Runtime
from pipeline.service import Delivery, Master


def audit_delivery(
    runtime: Runtime,
    master: Master,
    delivery: Delivery,
    *,
    batch_key: str | None = None,
    cache: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Audit every delivered variant against the master; stores an AuditRun; returns audit.json."""
    items: list[AuditItem] = []
    asset_ids: dict[str, int] = {}
    anchors = trust_anchors(runtime.settings)
    for outcome in delivery.outcomes:
        asset = outcome.asset
        path = delivery.files.get(outcome.unit)
        if asset is None or path is None:
            continue
        data = path.read_bytes()
        image = Image.open(io.BytesIO(data))  # keep the encoder's header info: the texture check reads it
        image.load()
        mask_key = asset.geometry.get("generated_mask")
        designed_key = asset.geometry.get("designed_mask")
        items.append(
            AuditItem(
                path=str(path),
                image=image,
                spec=asset.spec,
                geometry=Geometry.from_json(asset.geometry),
                generated_mask=load_mask(runtime.blobs, mask_key) if mask_key else None,
                overlay_mask=_brand_overlay(asset.params, image.size),
                designed_mask=load_mask(runtime.blobs, designed_key) if designed_key else None,
                design=_design_record(asset.params, asset.geometry),
                encoding=probe(data),  # exact quality, WebP included
                lineage=_lineage(asset.params, asset.engine, asset.seed),
                credentials=read_credentials(data, anchors_pem=anchors).to_json(),
            )
        )
        if asset.id is not None:
            asset_ids[str(path)] = asset.id
    report = audit_batch(
        AuditMaster(master.path, master.loaded.image, master.asset.sha256),
        items,
        cache=cache,
        progress=progress,
    )
    save_audit(
        runtime.engine,
        report,
        campaign_id=master.campaign_id,
        master_asset_id=master.asset.id,
        batch_key=batch_key,
        asset_ids=asset_ids,
    )
    return report


# Text shadows and anti-aliasing reach a little beyond the boxes brand records.
_OVERLAY_PAD = 4


def _brand_overlay(params: dict[str, Any], size: tuple[int, int]) -> Any:
    """Pixels brand composited on purpose (logo, copy, scrim): the audit never compares them."""
    boxes = []
    for step in params.get("steps", []):
        if step.get("op") != "brand":
            continue
        record = step.get("record") or {}
        for key in ("logo_box", "text_box", "scrim_box"):
            box = record.get(key)
            if box:
                boxes.append(
                    [
                        box[0] - _OVERLAY_PAD,
                        box[1] - _OVERLAY_PAD,
                        box[2] + _OVERLAY_PAD,
                        box[3] + _OVERLAY_PAD,
                    ]
                )
    return overlay_mask(size, boxes) if boxes else None


def _design_record(params: dict[str, Any], geometry: dict[str, Any]) -> DesignRecord:
    """The layout ``fit`` composed and what each ``brand`` step placed (boxes, copy), for `design`."""
    brand = tuple(
        dict(step.get("record") or {}) for step in params.get("steps", []) if step.get("op") == "brand"
    )
    layout = geometry.get("layout")
    return DesignRecord(layout if isinstance(layout, dict) else None, brand)


def _lineage(params: dict[str, Any], engine: str | None, seed: int | None) -> dict[str, Any]:
    steps = params.get("steps", [])
    return {
        "engine": engine,
        "seed": seed,
        "ops": [
            {
                "op": s["op"],
                "version": s.get("version"),
                "params": s.get("params"),
                "rule": (s.get("record") or {}).get("rule"),
            }
            for s in steps
        ],
    }
