"""Peak memory of a classical 8K upscale (UHD 7680×4320) — a benchmark, not a test.

Run: ``python bench/upscale_memory.py [--tile 1024]``. Each measurement runs in a fresh
subprocess so ``ru_maxrss`` (peak resident set, KiB on Linux) belongs to that case alone; the
baseline is the same process importing everything and building the source, without upscaling.
The budget is ~2 GB for the whole process.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

CHILD = r"""
import json, resource, sys, time
import numpy as np
from PIL import Image
from pipeline.ops.base import Geometry, OpContext, OpInputs
from pipeline.ops.upscale import UpscaleParams, upscale
rng = np.random.default_rng(0)
src = Image.fromarray(rng.integers(0, 256, (1080, 1920, 3), dtype=np.uint8)).resize((1920, 1080))
mode, tile = sys.argv[1], int(sys.argv[2])
start = time.perf_counter()
if mode == "upscale":
    inputs = OpInputs(image=src, master=src, geometry=Geometry.identity(src.size))
    out = upscale(inputs, UpscaleParams(scale=4, tile=tile), OpContext()).image
    assert out.size == (7680, 4320)
print(json.dumps({"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "seconds": time.perf_counter() - start}))
"""


def measure(mode: str, tile: int) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(tile)], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tile", type=int, default=1024)
    args = parser.parse_args()
    start = time.perf_counter()
    base = measure("baseline", args.tile)
    run = measure("upscale", args.tile)
    print(f"baseline (imports + 1920×1080 source): peak RSS {base['peak_rss_mb']:.0f} MB")
    print(
        f"upscale ×4 → 7680×4320, tile {args.tile}: peak RSS {run['peak_rss_mb']:.0f} MB "
        f"(+{run['peak_rss_mb'] - base['peak_rss_mb']:.0f} MB over baseline, "
        f"{run['peak_rss_mb'] / base['peak_rss_mb']:.2f}× baseline), {run['seconds']:.1f} s"
    )
    print(
        f"budget 2048 MB: {'OK' if run['peak_rss_mb'] <= 2048 else 'OVER'} "
        f"(bench wall time {time.perf_counter() - start:.1f} s)"
    )


if __name__ == "__main__":
    main()
