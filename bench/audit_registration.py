"""Outside files against real photos (issue 13) — a benchmark, not a test.

Run: ``python bench/audit_registration.py [--photos astronaut,coffee] [--corruptions "zoom blur,contrast"]``.
For each photo (pipeline/audit/calibration_degraded.py): three crops (4:5 at 1×, 16:9 at 0.75×,
1:1 at 1.5×), each damaged by every corruption at severity 3 and saved as JPEG q90, and each also
saved as a good file (JPEG q85 / q92 / q95, 1 px shifts, 2 % smaller or larger). All are audited
like ``keyart audit --master PHOTO FILE`` (no lineage). Prints:

- degraded crops registered (the crop's centre within 1.5 % of its width, its size within 1.5 %;
  zoom blur, an average of copies zoomed 1–1.2×, may read up to 1.21× zoomed) — target ≥ 95 %;
- the confusion matrix per check (files failing each check, per corruption), how many were caught
  on the check their damage belongs to — target: every corruption — and how many on that check only;
- good files that fail (target ≤ 2 %), and the noise floor of every measure on them;
- good crops re-saved a second time (q92 → q85 / q95): the audit finds the two saves from the file's
  pixels where the crop is at or below the master's scale (pipeline/audit/resave.py); enlarged crops,
  whose pixels no history reproduces closely enough, remain a known limit;
- CPU time per audited file, by registration method.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections import defaultdict
from typing import Any

import numpy as np
from PIL import Image

from pipeline.audit import calibration_degraded as cd
from pipeline.audit.batch import CHECKS, AuditItem, AuditMaster, audit_batch
from pipeline.audit.calibration_noise import floor_table, noise_floor
from pipeline.audit.encoding import probe
from pipeline.audit.tolerances import DEFAULT

TOLERANCE = 0.015
ZOOM_RANGE = {"zoom blur": 1.21}  # the registered crop may be this much smaller (zoomed in)


def audit(master: Image.Image, file: cd.OutsideFile, name: str, cache: dict[str, Any]) -> dict[str, Any]:
    image = Image.open(io.BytesIO(file.data))
    image.load()
    item = AuditItem(f"{name}.jpg", image, encoding=probe(file.data))
    return audit_batch(AuditMaster("master.png", master, "0" * 64), [item], cache=cache)["assets"][0]


def registered(asset: dict[str, Any], file: cd.OutsideFile, corruption: str) -> bool:
    """The registered crop has the true crop's centre and size (zoom blur: a size in its zoom range)."""
    if asset.get("error"):
        return False
    found, true = np.array(asset["geometry"]["source_box"], float), np.array(file.box, float)
    width = true[2] - true[0]
    centre = np.abs((found[:2] + found[2:]) / 2 - (true[:2] + true[2:]) / 2).max() / width
    zoom = width / (found[2] - found[0])
    return centre <= TOLERANCE and 1 - TOLERANCE <= zoom <= ZOOM_RANGE.get(corruption, 1.0) + TOLERANCE


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", default=",".join(cd.PHOTOS))
    parser.add_argument("--corruptions", default=",".join(cd.EXPECTED))
    args = parser.parse_args()
    corruptions = args.corruptions.split(",")
    failed_by: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    matched: dict[str, int] = defaultdict(int)
    caught: dict[str, int] = defaultdict(int)
    only: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    good_assets, good_fail, times = [], [], defaultdict(list)
    resaved: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for photo_name in args.photos.split(","):
        master, cache = cd.photo(photo_name), dict[str, Any]()
        print(f"\n== {photo_name} {master.size[0]}×{master.size[1]}")
        for crop in cd.CROPS:
            for good, make in cd.GOOD.items():
                asset = audit(master, make(master, crop), good, cache)
                good_assets.append(asset)
                failed = [c for c in CHECKS if asset["checks"][c]["passed"] is False]
                if failed or asset.get("error"):
                    reasons = asset.get("error") or "; ".join(asset["checks"][c]["reason"] for c in failed)
                    good_fail.append(f"{photo_name} / {crop.name} / {good}: {reasons}")
            for second in (85, 95):
                resaved[f"q92 → q{second}"].append(
                    audit(master, cd.resaved(master, crop, 92, second), "re", cache)
                )
            for name in corruptions:
                file = cd.degraded(master, crop, name)
                clock = time.process_time()
                asset = audit(master, file, name, cache)
                cpu = 1000 * (time.process_time() - clock)
                expected = cd.EXPECTED[name]
                failed = [c for c in CHECKS if asset["checks"][c]["passed"] is False]
                ok = registered(asset, file, name)
                total[name] += 1
                matched[name] += ok
                caught[name] += ok and expected in failed
                only[name] += ok and failed == [expected]
                for check in failed:
                    failed_by[name][check] += 1
                times[
                    asset["registration"]["method"] if "registration" in asset else "not registered"
                ].append(cpu)
                verdict = "ok" if ok and expected in failed else "MISSED"
                where = asset.get("error") or asset["registration"]["method"]
                print(f"  {crop.name:14s} {name:18s} {verdict:6s} failed {failed or '-'} · {where}")
    n, found, right = sum(total.values()), sum(matched.values()), sum(caught.values())
    print(f"\n== degraded crops registered: {found}/{n} ({found / n:.1%}); target ≥ 95 %")
    print(f"== caught on the check they belong to: {right}/{n}; on that check only: {sum(only.values())}/{n}")
    print("confusion matrix: files failing each check, per corruption")
    header = " ".join(f"{c:>9s}" for c in CHECKS)
    print(f"{'corruption':18s} {'expected':9s} {header}  registered  caught  only")
    for name in corruptions:
        t = total[name]
        cells = " ".join(f"{failed_by[name][c]:>4d}/{t:<4d}" for c in CHECKS)
        tally = f"{matched[name]:>5d}/{t:<4d} {caught[name]:>4d}/{t:<3d} {only[name]:>3d}/{t}"
        print(f"{name:18s} {cd.EXPECTED[name]:9s} {cells}  {tally}")
    share = len(good_fail) / len(good_assets)
    print(f"\n== good files failing: {len(good_fail)}/{len(good_assets)} ({share:.1%}); target ≤ 2 %")
    for line in good_fail:
        print(f"  {line}")
    print("\n== noise floor of each measure on the good files (JPEG q85–95, 1 px shifts, ±2 % size)")
    print(floor_table(noise_floor(good_assets, DEFAULT), DEFAULT))
    print(
        "\n== good crops saved at q92 and re-saved (double JPEG compression), not counted above"
    )
    for label, assets in resaved.items():
        grain = [a["checks"]["texture"]["grain_ratio"] for a in assets if "error" not in a]
        failing = sum(not a["passed"] for a in assets)
        print(f"  {label}: {failing}/{len(assets)} fail; grain ratio {min(grain):.2f}–{max(grain):.2f}")
    print("\n== CPU per audited degraded file (all checks), by registration method")
    for method, ms in times.items():
        ms.sort()
        p90 = ms[int(0.9 * (len(ms) - 1))]
        print(f"  {method:20s} {len(ms):4d} files  median {statistics.median(ms):6.0f} ms  p90 {p90:6.0f} ms")


if __name__ == "__main__":
    main()
