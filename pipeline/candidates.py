"""Master candidates from a brief (diffusion engine): one ``generate`` op run per seed.

Each candidate is stored as an asset (kind ``candidate``) with its seed, model and prompt, and the
op run is logged. A candidate that already exists for the campaign and seed is returned as is,
so a resumed task does not generate it twice.
"""

from __future__ import annotations

import hashlib
import time

from PIL import Image
from sqlmodel import select

from pipeline.assets import encode_intermediate, jsonable
from pipeline.ops.base import Geometry, OpContext, OpInputs
from pipeline.ops.registry import get_op
from pipeline.runtime import Runtime
from storage.db import read_session, session_scope
from storage.models import Asset, AssetBase, OpRun
from storage.repos import campaigns
from storage.repos.logs import log_op_run, params_hash


def candidate_seed(campaign_id: int, prompt: str, index: int) -> int:
    digest = hashlib.sha256(f"{campaign_id}:{prompt}:{index}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def generate_candidate(runtime: Runtime, campaign_id: int, prompt: str, *, index: int) -> Asset:
    """Generate (or find) candidate ``index`` of the campaign."""
    seed = candidate_seed(campaign_id, prompt, index)
    with read_session(runtime.engine) as s:
        found = s.exec(select(Asset).where(Asset.campaign_id == campaign_id, Asset.kind == "candidate",
                                           Asset.seed == seed)).first()
    if found is not None:
        return found
    engine = runtime.settings.engine
    spec = get_op("generate")
    spec.check_engine(engine)
    raw = {"prompt": prompt[:2000], "count": 1}
    params = spec.parse_params(raw)
    size = (int(getattr(params, "width", 1024)), int(getattr(params, "height", 1024)))
    blank = Image.new("RGB", size, (128, 128, 128))  # generate reads no pixels; ops need an input
    ctx = OpContext(engine=engine, seed=seed, settings=runtime.settings,
                    provenance={"campaign": str(campaign_id), "ops": "generate"})
    started = time.perf_counter()
    result = spec.fn(OpInputs(blank, blank, Geometry.identity(size)), params, ctx)
    data = encode_intermediate(result.image)
    key = runtime.blobs.put_bytes(data)
    with session_scope(runtime.engine) as s:
        asset = campaigns.add_asset(s, AssetBase(
            campaign_id=campaign_id, kind="candidate", sha256=key, width=result.image.width,
            height=result.image.height, format="png", size_bytes=len(data), op="generate",
            op_version=spec.version, engine=result.engine, model=result.model, seed=seed,
            params={"index": index, "prompt": prompt, "record": jsonable(result.record)},
            notes=list(result.notes), filename=f"candidate-{index + 1}.png",
        ))
        log_op_run(s, OpRun(asset_id=asset.id, op="generate", op_version=spec.version,
                            params_hash=params_hash(raw),
                            engine=result.engine, model=result.model, seed=result.seed, output_sha256=key,
                            duration_s=time.perf_counter() - started))
    return asset
