"""Audit of a batch of variants (default 50, up to 1920 px long side) — a benchmark, not a test.

Run: ``python bench/audit_batch.py [--variants 50] [--master-size 2048] [--mode both]``.
Builds a grainy astronaut master and JPEG/WebP variants of the ≤ 1920 px specs (crops around the
face with jittered centres; the banner specs once by the real `fit`, which lays them out with a
designed panel, and once by the real `expand`, which continues the photo), then audits them
twice in one process: with lineage geometry, and without it (SIFT registration per variant).
Prints wall and CPU seconds, each check's share, and the registration cost per variant. Target (issues 4, 13):
< 60 s for 50 variants on 2 cores.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import os
import statistics
import time
from collections import defaultdict
from typing import Any

import numpy as np
from PIL import Image
from skimage import data

from pipeline.audit import calibration as cal
from pipeline.audit.batch import AuditItem, AuditMaster, audit_batch, master_cache
from pipeline.audit.design import DesignRecord
from pipeline.audit.encoding import probe
from pipeline.ops.base import Geometry, OpContext, OpInputs
from pipeline.ops.expand import ExpandParams, expand
from pipeline.ops.fit import FitParams, fit
from pipeline.specs import ChannelSpec, all_specs

STEPS = ("registration", "reference", "luminance", "texture", "color", "subject", "generated", "design")


def build(master_size: int, count: int) -> tuple[AuditMaster, list[AuditItem]]:
    master = cal.grainy_master(data.astronaut(), size=master_size)
    face = master_cache(master, None).face
    assert face is not None and not isinstance(face, Exception)
    cx, cy = (face.box[0] + face.box[2]) / 2, (face.box[1] + face.box[3]) / 2
    specs = [s for s in all_specs() if max(s.size) <= 1920]
    rng = np.random.default_rng(0)
    items = []
    made: dict[tuple[str, str], AuditItem] = {}
    for i in range(count):
        spec = specs[i % len(specs)]
        rounds = i // len(specs)
        path = f"{i:02d}-{spec.name}.{spec.extension}"
        if spec.name in BANNERS and rounds < 2:  # the real ops: a layout first, then an expansion
            key = (spec.name, "fit" if rounds == 0 else "expand")
            if key not in made:
                made[key] = _by_op(master, spec, key[1])
            items.append(dataclasses.replace(made[key], path=path))
            continue
        centre = (cx + rng.uniform(-0.1, 0.1) * master_size, cy + rng.uniform(-0.1, 0.1) * master_size)
        v = cal.clean_variant(master, spec, centre)
        items.append(AuditItem(path, v.image, spec.name, v.geometry, None, v.encoding))
    return AuditMaster("master.png", master, "0" * 64), items


# Banner shapes: `fit` lays them out (a designed panel), `expand` continues the photo (generated).
BANNERS = {"iab-leaderboard", "iab-wide-skyscraper", "iab-half-page", "iab-mobile-banner", "iab-billboard"}


def _by_op(master: Image.Image, spec: ChannelSpec, name: str) -> AuditItem:
    """The real `fit` or `expand` at the spec's size, exported like the export op, with its lineage."""
    ctx = OpContext(seed=3, spec=spec, cache={})
    inputs = OpInputs(master, master, Geometry.identity(master.size), style=STYLE)
    if name == "fit":
        result = fit(inputs, FitParams(spec=spec.name), ctx)
    else:
        result = expand(inputs, ExpandParams(spec=spec.name), ctx)
    data = cal.export(result.image.convert("RGB"), spec)
    image = Image.open(io.BytesIO(data))
    image.load()
    generated = None if result.generated_mask is None else result.generated_mask > 0.5
    design = None if result.layout is None else DesignRecord(result.layout)
    return AuditItem(
        spec.name,
        image,
        spec.name,
        result.geometry,
        generated,
        probe(data),
        designed_mask=result.designed_mask,
        design=design,
    )


STYLE = {"colors": {"text": "#FFFFFF", "accent": "#1F4E8C"}}


def run(master: AuditMaster, items: list[AuditItem], lineage: bool) -> dict[str, Any]:
    # Without lineage there is no generated mask either: registration finds the frame, and the
    # area outside the master is what was generated.
    batch = items if lineage else [AuditItem(i.path, i.image, i.spec, None, None, i.encoding) for i in items]
    # (without lineage a layout's panel is outside the master like a fill, and judged as one)
    wall, cpu = time.perf_counter(), time.process_time()
    report = audit_batch(master, batch, cache={})  # cold cache: master-side work is counted once
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    steps: dict[str, list[float]] = defaultdict(list)
    for asset in report["assets"]:
        for step, ms in asset.get("timings_ms", {}).items():
            steps[step].append(ms / 1000)
    return {
        "wall": wall,
        "cpu": cpu,
        "steps": steps,
        "passed": sum(a["passed"] for a in report["assets"]),
        "count": len(report["assets"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=50)
    parser.add_argument("--master-size", type=int, default=2048)
    parser.add_argument("--mode", choices=("lineage", "registration", "both"), default="both")
    args = parser.parse_args()
    master, items = build(args.master_size, args.variants)
    pixels = sum(i.image.width * i.image.height for i in items) / 1e6
    generated = sum(i.generated_mask is not None and bool(i.generated_mask.any()) for i in items)
    designed = sum(i.designed_mask is not None for i in items)
    longest = max(max(i.image.size) for i in items)
    print(
        f"{len(items)} variants ({generated} with generated regions, {designed} layouts), {pixels:.1f} Mpx, "
        f"longest side {longest} px; "
        f"master {args.master_size}²; {os.cpu_count()} CPUs visible, load {os.getloadavg()[0]:.1f}"
    )
    modes = ("lineage", "registration") if args.mode == "both" else (args.mode,)
    for mode in modes:
        result = run(master, items, lineage=mode == "lineage")
        steps = result["steps"]
        total_steps = sum(sum(v) for v in steps.values())
        print(
            f"\n[{mode}] {result['count']} audited, {result['passed']} pass · wall {result['wall']:.1f} s · "
            f"CPU {result['cpu']:.1f} s · {result['wall'] / result['count']:.2f} s/variant · "
            f"target < 60 s: {'met' if result['wall'] < 60 else 'MISSED'}"
        )
        print("  master-side work (features, face, pyramid) is inside the first variant's time")
        for step in STEPS:
            if step in steps:
                values = steps[step]
                print(
                    f"  {step:12s} {sum(values):6.1f} s  {100 * sum(values) / total_steps:5.1f} %  "
                    f"mean {1000 * statistics.mean(values):6.0f} ms  max {1000 * max(values):6.0f} ms"
                )
        if mode == "registration":
            reg = sorted(steps["registration"])
            print(
                f"  registration per variant: median {1000 * statistics.median(reg):.0f} ms, "
                f"p90 {1000 * reg[int(0.9 * (len(reg) - 1))]:.0f} ms"
            )


if __name__ == "__main__":
    main()
