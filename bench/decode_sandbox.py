"""Added latency of sandboxed decoding — a benchmark, not a test.

Run: ``python bench/decode_sandbox.py [--repeat 15]``.
Decodes typical masters (JPEG, PNG, WebP, HEIC when installed, at 1, 2, 4 and 12 megapixels) two ways
in one process: in-process (sniff + sha256 + ``pipeline.imaging.decode.decode``: what ``load_image``
did before) and through the warm sandbox pool (``load_image``: a child process with rlimits, the
pixels handed back through shared memory).
Prints per-image medians, the added milliseconds and the ratio. Also prints the one-off cost of
starting a child. Target (issue 16): ≤ 30 ms added per image, median, on a warm pool.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import io
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image
from skimage import data

from pipeline.imaging import load_image, sandbox
from pipeline.imaging.decode import decode
from pipeline.imaging.formats import heif_available
from pipeline.imaging.sandbox import DecodeLimits, DecoderPool
from pipeline.imaging.sniff import sniff


def master(megapixels: float) -> Image.Image:
    side = int((megapixels * 1e6) ** 0.5)
    base = Image.fromarray(data.astronaut()).resize((side, side), Image.Resampling.BICUBIC)
    grain = np.random.default_rng(0).normal(0, 6, (side, side, 3))
    return Image.fromarray(np.clip(np.asarray(base) + grain, 0, 255).astype(np.uint8))


def encodings(megapixels: float) -> dict[str, tuple[str, bytes]]:
    image = master(megapixels)
    out: dict[str, tuple[str, bytes]] = {}
    formats = [
        ("JPEG", "JPEG", {"quality": 90}),
        ("PNG", "PNG", {"compress_level": 6}),
        ("WEBP", "WEBP", {"quality": 85}),
    ]
    if heif_available():
        import pillow_heif

        pillow_heif.register_heif_opener()
        formats.append(("HEIF", "HEIF", {"quality": 80}))
    for kind, fmt, options in formats:
        buf = io.BytesIO()
        image.save(buf, fmt, **options)
        out[f"{kind.lower()} {megapixels:g} MP"] = (kind, buf.getvalue())
    return out


def in_process(raw: bytes, kind: str) -> None:
    """What ``load_image`` did before the sandbox: the same checks, the decode in this process."""
    assert sniff(raw[:1024]) == kind
    hashlib.sha256(raw).hexdigest()
    decode(raw, kind, "bench", 100_000_000)


def child_cpu_s(pids: list[int]) -> float:
    """CPU seconds the decoding children have used (Linux /proc; 0 elsewhere)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def paired(first: Callable[[], object], second: Callable[[], object], repeat: int) -> dict[str, float]:
    """Alternate the two (so a busy machine slows both alike). Wall: medians and the median of the
    paired differences. CPU: per-call means, the second counting its decoding child's CPU too."""
    a: list[float] = []
    b: list[float] = []
    cpu = {"first": 0.0, "second": 0.0}
    pids = sandbox.pool().pids()
    for _ in range(repeat):
        for key, fn, times in (("first", first, a), ("second", second, b)):
            before = time.process_time() + (child_cpu_s(pids) if key == "second" else 0.0)
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1000)
            cpu[key] += time.process_time() + (child_cpu_s(pids) if key == "second" else 0.0) - before
    return {
        "direct": statistics.median(a),
        "boxed": statistics.median(b),
        "added": statistics.median(y - x for x, y in zip(a, b, strict=True)),
        "added_cpu": (cpu["second"] - cpu["first"]) * 1000 / repeat,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    start = time.perf_counter()
    cold = DecoderPool(DecodeLimits())
    cold.warm()
    started = (time.perf_counter() - start) * 1000
    print(f"start one decoding child (interpreter + imports, paid once): {started:.0f} ms")
    cold.shutdown()

    sandbox.configure(DecodeLimits(workers=1))  # one warm child: its CPU is what we count
    sandbox.pool().warm()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        f"{'image':<16} {'bytes':>10} {'in-process':>11} {'sandboxed':>10} {'added':>8} {'ratio':>6} "
        f"{'added CPU':>10}"
    )
    added_all, cpu_all = [], []
    for megapixels in (1, 2, 4, 12):
        for name, (kind, raw) in encodings(megapixels).items():
            r = paired(
                functools.partial(in_process, raw, kind),
                functools.partial(load_image, raw, name="bench", max_bytes=len(raw), max_pixels=100_000_000),
                args.repeat,
            )
            added_all.append(r["added"])
            cpu_all.append(r["added_cpu"])
            print(
                f"{name:<16} {len(raw):>10,} {r['direct']:>9.1f}ms {r['boxed']:>8.1f}ms {r['added']:>6.1f}ms "
                f"{r['boxed'] / r['direct']:>5.2f}x {r['added_cpu']:>8.1f}ms"
            )
    print(
        f"median added latency per image (warm pool): {statistics.median(added_all):.1f} ms wall, "
        f"{statistics.median(cpu_all):.1f} ms CPU (target ≤ 30 ms); worst {max(added_all):.1f} ms wall"
    )
    sandbox.shutdown()


if __name__ == "__main__":
    main()
