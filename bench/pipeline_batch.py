"""Benchmark: 50 variants from a 4096×4096 master across the catalogue (issue 3).

Prints median seconds per variant, peak RSS and the ratio to a naive baseline measured in the same
run (plain Pillow: Lanczos-resize the full master for each variant, centre crop, JPEG encode), and
what Content Credentials cost the batch (issue 15): the same fit batch without a signer, in this
run, and the signed/unsigned ratio (target ≤ 1.10).
Not a test: these machines are noisy, so only same-run ratios mean anything.

    python bench/pipeline_batch.py [--size 4096] [--variants 50]
"""

from __future__ import annotations

import argparse
import io
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image
from skimage import data

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.executor import Inputs, LocalExecutor
from pipeline.jobs import submit_plan
from pipeline.plan import Plan, Step
from pipeline.runtime import Runtime
from pipeline.specs import all_specs
from storage.db import session_scope
from storage.models import AssetBase
from storage.repos import campaigns
from storage.settings import Settings


def make_master(size: int) -> Image.Image:
    """A photographic 4K master: the astronaut enlarged, with film-like grain."""
    base = Image.fromarray(data.astronaut()).resize((size, size), Image.Resampling.LANCZOS)
    grain = np.random.default_rng(0).normal(0, 3.0, (size, size, 1))
    return Image.fromarray(np.clip(np.asarray(base, np.float32) + grain, 0, 255).astype(np.uint8))


def targets(count: int) -> list[str]:
    # Print and OOH are huge upscales, not channel crops: leave them to the upscale benchmark.
    names = [s.name for s in all_specs() if s.width * s.height <= 3_000_000]
    return [names[i % len(names)] for i in range(count)]


def naive_baseline(master: Image.Image, specs: list[str]) -> list[float]:
    times = []
    by_name = {s.name: s for s in all_specs()}
    for name in specs:
        spec = by_name[name]
        started = time.perf_counter()
        scale = max(spec.width / master.width, spec.height / master.height)
        resized = master.resize(
            (round(master.width * scale), round(master.height * scale)), Image.Resampling.LANCZOS
        )
        left, top = (resized.width - spec.width) // 2, (resized.height - spec.height) // 2
        crop = resized.crop((left, top, left + spec.width, top + spec.height))
        crop.save(io.BytesIO(), "JPEG", quality=90)
        times.append(time.perf_counter() - started)
    return times


def keyart_batch(
    master: Image.Image, specs: list[str], *, op: str, tag: str, sign: bool = True
) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        runtime = Runtime(Settings(data_dir=Path(tmp), _env_file=None))  # type: ignore[call-arg]
        runtime.migrate()
        if not sign:
            runtime.signer = None  # the unsigned baseline: export writes the XMP provenance only
        png = io.BytesIO()
        master.save(png, "PNG", compress_level=1)
        key = runtime.blobs.put_bytes(png.getvalue())
        steps = []
        for i, name in enumerate(specs):
            variant = f"{name}-{tag}{i}"
            steps += [
                Step(id=f"{variant}.fit", op=op, params={"spec": name}, variant=variant),
                Step(
                    id=f"{variant}.export",
                    op="export",
                    params={"spec": name},
                    input=f"{variant}.fit",
                    variant=variant,
                ),
            ]
        plan = Plan(steps=steps).validate_plan(engine="classical", max_variants=500)
        with session_scope(runtime.engine) as s:
            asset = campaigns.add_asset(
                s,
                AssetBase(
                    sha256=key,
                    width=master.width,
                    height=master.height,
                    format="png",
                    size_bytes=len(png.getvalue()),
                ),
            )
            jobs = submit_plan(s, plan, master_sha256=key, master_asset_id=asset.id or 0, engine="classical")
        times: list[float] = []
        stamps = {"t": time.perf_counter()}

        def progress(unit: str, status: str) -> None:
            if status in ("done", "failed"):
                now = time.perf_counter()
                times.append(now - stamps["t"])
                stamps["t"] = now
            elif status == "running":
                stamps["t"] = time.perf_counter()

        executor = LocalExecutor(
            runtime,
            Inputs(master=master, master_asset_id=asset.id or 0),
            engine="classical",
            progress=progress,
        )
        outcomes = executor.run([job.id for _, job in jobs if job.id])
        failed = [o for o in outcomes if o.error]
        if failed:
            print(f"  {len(failed)} variants failed, e.g. {failed[0].unit}: {failed[0].error}")
        return times


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=4096)
    parser.add_argument("--variants", type=int, default=50)
    args = parser.parse_args()
    master = make_master(args.size)
    specs = targets(args.variants)
    print(f"master {args.size}×{args.size}, {len(specs)} variants; RSS after master {peak_rss_mb():.0f} MB")

    naive = naive_baseline(master, specs)
    crop = keyart_batch(master, specs, op="reframe", tag="c")
    rss_crop = peak_rss_mb()
    # Signed and unsigned fit batches alternate (u s u s): the first fit batch pays warm-ups that
    # would otherwise land on whichever configuration ran first.
    unsigned, full = [], []
    for round_ in range(2):
        unsigned += keyart_batch(master, specs, op="fit", tag=f"u{round_}", sign=False)
        full += keyart_batch(master, specs, op="fit", tag=f"a{round_}")
    for label, times in (
        ("naive Pillow baseline", naive),
        ("keyart crop-only (reframe)", crop),
        ("keyart fit, no credentials ×2", unsigned),
        ("keyart fit auto (expands) ×2", full),
    ):
        print(
            f"{label:30s} total {sum(times):7.2f} s  median {statistics.median(times) * 1000:7.1f} ms/variant"
        )
    print(f"ratio crop-only vs naive: {sum(crop) / sum(naive):.2f}  (target < 1.0)")
    print(f"whole batch with expands: {sum(full) / 2:.1f} s (target < 90 s)")
    ratio = sum(full) / sum(unsigned)
    print(f"Content Credentials: signed batch / unsigned batch = {ratio:.3f} (target ≤ 1.10)")
    print(f"peak RSS: {peak_rss_mb():.0f} MB (after crop batch {rss_crop:.0f} MB; target < 2500 MB)")


if __name__ == "__main__":
    main()
