"""Benchmark: the full channel set, with the example brand and a CTA, from every real photo installed.

Masters: scikit-image's astronaut, coffee, chelsea, rocket, motorcycle, cameraman (grayscale, a
face turned behind a camera) and Hubble deep field (no subject at all), matplotlib's Grace Hopper
and present pack (a 128 px packshot on transparency), a cut-out packshot (the coffee cup on
transparency, cut out with keyart's own subject mask), and shapes and sizes real briefs bring: a
2.5:1 panorama, a tall 2:3 portrait, a 4000 px master and a 180 px one. Per master it prints the
audit pass rate, variants by rule (crop / expand / layout / packshot), the generated and designed
shares, logo or copy overlapping a face or the product, faces and products cut, main masses trimmed
(a layout may trim a field or a sky, never a subject), and seconds per variant; then the totals
against the targets (issue 12): ≥ 95 % of variants pass the audit, 0 overlaps, 0 faces or products
cut.

Contact sheets land in ``--out`` (default: a temporary folder, printed) for a person to look at.

    python bench/real_masters.py [--out DIR] [--masters astronaut,coffee,…]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib import cbook
from PIL import Image
from skimage import data

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.production import plan_request
from pipeline.audit.report import write_reports
from pipeline.audit_service import audit_delivery
from pipeline.brandkit import load_brand_kit
from pipeline.engines.classical.fitrule import TIGHT
from pipeline.engines.classical.keyregions import NO_COVER, key_regions, regions_in_frame
from pipeline.engines.classical.masks import subject_mask
from pipeline.ops.base import Geometry
from pipeline.runtime import Runtime
from pipeline.service import deliver_files, ingest_master, run_plan
from storage.settings import Settings

REQUEST = "the full set with our logo and the CTA 'Shop now'"
KIT = Path(__file__).resolve().parents[1] / "examples" / "brand" / "brand.json"


def _hopper() -> Image.Image:
    with cbook.get_sample_data("grace_hopper.jpg") as f:
        return Image.open(f).convert("RGB")


def _cutout() -> Image.Image:
    """The coffee cup on transparency, as an e-commerce packshot arrives (alpha from the subject mask)."""
    coffee = Image.fromarray(data.coffee())
    alpha = (np.clip(subject_mask(coffee, {}), 0, 1) * 255).astype(np.uint8)
    rgba = np.dstack([np.asarray(coffee), alpha])
    return Image.fromarray(rgba, "RGBA")


def _present() -> Image.Image:
    with cbook.get_sample_data("Minduka_Present_Blue_Pack.png") as f:
        return Image.open(f).convert("RGBA")


MASTERS = {
    "astronaut": lambda: Image.fromarray(data.astronaut()),
    "hopper": _hopper,
    "coffee": lambda: Image.fromarray(data.coffee()),
    "chelsea": lambda: Image.fromarray(data.chelsea()),
    "rocket": lambda: Image.fromarray(data.rocket()),
    "motorcycle": lambda: Image.fromarray(data.stereo_motorcycle()[0]),
    "coffee-cutout": _cutout,
    "cameraman": lambda: Image.fromarray(data.camera()),
    "hubble": lambda: Image.fromarray(data.hubble_deep_field()),
    "present-pack": _present,
    "moto-panorama": lambda: Image.fromarray(data.stereo_motorcycle()[0][120:420]),
    "astronaut-tall": lambda: Image.fromarray(data.astronaut()[:, 60:400]),
    "coffee-4000": lambda: Image.fromarray(data.coffee()).resize((4000, 2667), Image.Resampling.LANCZOS),
    "chelsea-180": lambda: Image.fromarray(data.chelsea()).resize((180, 120), Image.Resampling.LANCZOS),
}


def _overlaps(asset: Any, master: Image.Image, cache: dict[str, Any]) -> int:
    """Logo / copy / scrim boxes of the brand step that overlap a face or the product in the frame."""
    geometry = Geometry.from_json(asset.geometry)
    protected = [r for r in regions_in_frame(key_regions(master, cache), geometry) if r.kind in NO_COVER]
    count = 0
    for step in asset.params.get("steps", []):
        record = step.get("record") or {}
        if step.get("op") != "brand":
            continue
        for key in ("logo_box", "text_box"):
            box = record.get(key)
            if box and any(_intersects(box, r.box) for r in protected):
                count += 1
    return count


def _intersects(a: list[float] | tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] - 0.5 and a[2] > b[0] + 0.5 and a[1] < b[3] - 0.5 and a[3] > b[1] + 0.5


def _cut(asset: Any, kinds: tuple[str, ...] = ("head", "product")) -> int:
    """1 when the fit step's shown window does not hold the master's key region of one of ``kinds`` (a
    tight crop of a product that fills the frame may trim its outermost ``TIGHT`` a side: a saucer's rim,
    not the cup). A main *mass* (no face, no product) may be trimmed by a layout: counted apart."""
    for step in asset.params.get("steps", []):
        record = step.get("record") or {}
        if step.get("op") != "fit":
            continue
        key = (record.get("subject") or {}).get("key")
        shown = (record.get("layout") or {}).get("window") or record.get("box")
        if not key or not shown or (record.get("subject") or {}).get("key_kind", "mass") not in kinds:
            continue
        slack = [1 + TIGHT * (key[2] - key[0]), 1 + TIGHT * (key[3] - key[1])]
        if (record.get("subject") or {}).get("key_kind") == "head":
            slack = [1, 1]
        if not (key[0] >= shown[0] - slack[0] and key[1] >= shown[1] - slack[1]
                and key[2] <= shown[2] + slack[0] and key[3] <= shown[3] + slack[1]):
            return 1
    return 0


def run_master(name: str, out: Path) -> dict[str, Any]:
    folder = out / name
    folder.mkdir(parents=True, exist_ok=True)
    image = MASTERS[name]()
    path = folder / "master.png"
    image.save(path)
    settings = Settings(data_dir=folder / "data")
    runtime = Runtime(settings)
    runtime.migrate()
    brand = load_brand_kit(KIT)
    plan = plan_request(settings, REQUEST, engine="classical", brand=brand)
    master = ingest_master(runtime, path, campaign_name=f"bench {name}")
    started = time.perf_counter()
    delivery = run_plan(runtime, plan, master, engine="classical", brand=brand)
    made = time.perf_counter() - started
    deliver_files(runtime, delivery, folder / "variants")
    report = audit_delivery(runtime, master, delivery)
    write_reports(folder, report, master=master.loaded.image)
    assets = [o.asset for o in delivery.outcomes if o.asset is not None and o.asset.kind == "variant"]
    cache: dict[str, Any] = {}
    rules: Counter[str] = Counter()
    generated, designed = [], []
    for asset in assets:
        fit_record = next((s.get("record") or {} for s in asset.params["steps"] if s["op"] == "fit"), {})
        rules[str(fit_record.get("rule", "?"))] += 1
        generated.append(float(asset.geometry.get("generated_fraction", 0.0)))
        designed.append(float(asset.geometry.get("designed_fraction", 0.0)))
    failed = [a for a in report["assets"] if not a["passed"]]
    return {
        "name": name,
        "size": image.size,
        "variants": len(assets),
        "failures": len(delivery.failures),
        "passed": len(report["assets"]) - len(failed),
        "audited": len(report["assets"]),
        "failed": [(Path(a["path"]).stem, [c for c, r in a["checks"].items() if r.get("passed") is False])
                   for a in failed],
        "rules": dict(rules),
        "generated": float(np.mean(generated)) if generated else 0.0,
        "designed": float(np.mean(designed)) if designed else 0.0,
        "overlaps": sum(_overlaps(a, master.loaded.image, cache) for a in assets),
        "cut": sum(_cut(a) for a in assets),
        "trimmed": sum(_cut(a, ("mass",)) for a in assets),
        "seconds_per_variant": made / max(1, len(assets)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--masters", default=",".join(MASTERS))
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="keyart-real-"))
    rows = [run_master(name, out) for name in args.masters.split(",")]
    print(f"{'master':14} {'size':>9} {'pass':>6} {'crop':>4} {'exp':>4} {'lay':>4} {'pack':>4} "
          f"{'gen%':>5} {'des%':>5} {'over':>4} {'cut':>4} {'trim':>4} {'s/var':>6}")
    for r in rows:
        rules = r["rules"]
        expand = rules.get("expand", 0) + rules.get("expand+crop", 0)
        pack = rules.get("packshot", 0) + rules.get("packshot-layout", 0)
        print(f"{r['name']:14} {'×'.join(map(str, r['size'])):>9} {r['passed']:>3}/{r['audited']:<2} "
              f"{rules.get('crop', 0):>4} {expand:>4} {rules.get('layout', 0):>4} {pack:>4} "
              f"{100 * r['generated']:>5.1f} {100 * r['designed']:>5.1f} {r['overlaps']:>4} {r['cut']:>4} "
              f"{r['trimmed']:>4} {r['seconds_per_variant']:>6.2f}")
        for stem, checks in r["failed"]:
            print(f"{'':16}✗ {stem}: {', '.join(checks)}")
    audited = sum(r["audited"] for r in rows)
    passed = sum(r["passed"] for r in rows)
    overlaps, cut = sum(r["overlaps"] for r in rows), sum(r["cut"] for r in rows)
    delivered_failures = sum(r["failures"] for r in rows)
    rate = passed / max(1, audited)
    print(f"\naudit pass rate {passed}/{audited} = {rate:.1%} (target ≥ 95 %) · overlaps {overlaps} "
          f"(target 0) · key regions cut {cut} (target 0) · variants not delivered {delivered_failures}")
    print(f"contact sheets: {out}/<master>/contact_sheet.png")
    ok = rate >= 0.95 and overlaps == 0 and cut == 0 and delivered_failures == 0
    print("targets met" if ok else "targets NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
