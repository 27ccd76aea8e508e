"""The audit's calibration run: confusion table (perturbation × check) and the margins behind
each tolerance — a benchmark-style report, not a test (tests/pipeline/audit/test_audit_calibration.py
asserts the same cases on two specs).

Run: ``python bench/audit_confusion.py [--masters astronaut,coffee] [--photos grace_hopper,chelsea]
[--specs ...] [--resamplers ...]``. Masters: grainy 1024² versions of scikit-image photos, and real
photos at their own size (pipeline/audit/calibration_degraded.PHOTOS). Clean variants: every
contract spec × resamplers must pass. Perturbations (pipeline/audit/calibration_set.py) on the
chosen specs must fail their own check only ("ok" in the last column). Last, each measure's noise
floor — how far it moves on the same picture re-encoded at q85–95 or cropped 1 px off — beside its
tolerance (pipeline/audit/calibration_noise.py). bench/audit_registration.py does the same for
files without lineage.
Then generated and designed pixels on six real photos (pipeline/audit/calibration_regions.py;
``--regions PHOTOS``, ``--regions-only``): crops, layouts, continuations and panels must pass,
injected fill and design defects must fail their check; the confusion matrix per check, each
measure's margins and the targets (issue 13) are printed.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from typing import Any

import numpy as np
from matplotlib import cbook
from PIL import Image
from skimage import data

from pipeline.audit import calibration as cal
from pipeline.audit import calibration_degraded as cd
from pipeline.audit import calibration_regions, faces
from pipeline.audit.batch import AuditItem, AuditMaster, audit_batch, master_cache
from pipeline.audit.calibration_fills import PHOTOS
from pipeline.audit.calibration_noise import floor_table, noise_floor, same_picture_variants
from pipeline.audit.calibration_set import PERTURBATIONS, Context, applicable, confusion_table, variant
from pipeline.audit.tolerances import DEFAULT
from pipeline.specs import CONTRACT_SPECS

SPECS = "meta-feed-square,story,iab-medium-rectangle,landing-hero,iab-half-page,youtube-thumbnail"
NOISE_SPECS = ("iab-half-page", "linkedin-single", "meta-feed-square", "story")
# measure name → how to read it from an asset (absolute deviation from "same as master")
MEASURES: dict[str, Any] = {
    "black ΔL* p0.5": lambda a: abs(a["checks"]["luminance"]["delta"]["p0.5"]),
    "white ΔL* p99.5": lambda a: abs(a["checks"]["luminance"]["delta"]["p99.5"]),
    "median ΔL*": lambda a: abs(a["checks"]["luminance"]["delta"]["median"]),
    "sharpness ratio": lambda a: a["checks"]["texture"]["sharpness_ratio"],
    "grain ratio": lambda a: a["checks"]["texture"]["grain_ratio"],
    "detail corr": lambda a: a["checks"]["texture"].get("detail_correlation"),
    "|ΔCCT| K": lambda a: abs(a["checks"]["color"]["cct_delta_k"]),
    "|ΔDuv|": lambda a: abs(a["checks"]["color"]["tint_delta_duv"]),
    "mean ΔE00": lambda a: a["checks"]["color"]["delta_e_mean"],
    "identity": lambda a: a["checks"]["subject"].get("identity_distance"),
    "|face aniso−1|": lambda a: _dev(a["checks"]["subject"].get("face_anisotropy")),
    "|frame aniso−1|": lambda a: _dev(a["checks"]["subject"].get("frame_anisotropy")),
    "eye ΔE00": lambda a: a["checks"]["subject"].get("eye_delta_e"),
    "|landmark Δ|": lambda a: _abs(a["checks"]["subject"].get("landmark_ratio_delta")),
}


def _abs(value: float | None) -> float | None:
    return None if value is None else abs(value)


def _dev(value: float | None) -> float | None:
    return None if value is None else abs(value - 1.0)


def context(name: str) -> Context:
    real = name.removeprefix("photo:")
    master = cd.photo(real) if real != name else cal.grainy_master(getattr(data, name)(), size=1024)
    face = master_cache(master, None).face
    face = face if isinstance(face, faces.Face) else None
    # the pasted face is Grace Hopper's, or the astronaut's on Grace Hopper's own portrait
    if real == "grace_hopper":
        donor = cal.soften_like_master(Image.fromarray(data.astronaut()))
    else:
        with Image.open(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)) as photo:
            donor = cal.soften_like_master(photo.convert("RGB"))
    return Context(master, face, np.asarray(donor), faces.main_face(donor))


def audit(ctx: Context, v: cal.Variant, spec: str, cache: dict[str, Any]) -> dict[str, Any]:
    item = AuditItem(spec, v.image, spec, v.geometry, v.generated_mask, v.encoding)
    return audit_batch(AuditMaster("master", ctx.master, "0" * 64), [item], cache=cache)["assets"][0]


def regions(photos: str) -> None:
    """Generated and designed pixels on real photos: case table, confusion per check, targets."""
    caches: dict[str, dict[str, Any]] = {}

    def run(item: AuditItem, master: Image.Image, name: str) -> dict[str, Any]:
        report = audit_batch(AuditMaster(name, master, "0" * 64), [item], cache=caches.setdefault(name, {}))
        return report["assets"][0]

    outcomes = calibration_regions.run(calibration_regions.cases(photos.split(",")), run)
    print(f"\n== generated and designed pixels on real photos: {photos}")
    print(calibration_regions.case_table(outcomes))
    print("\n== confusion matrix per check (good variants vs the injected defects that belong to it)")
    print(calibration_regions.confusion(outcomes))
    print("\n== margins: each measure over the good variants and over each kind of defect")
    print(calibration_regions.margins(outcomes))
    print("\n== targets")
    print(calibration_regions.targets(outcomes)[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--masters", default="astronaut,coffee")
    parser.add_argument("--photos", default="grace_hopper,chelsea")
    parser.add_argument("--specs", default=SPECS)
    parser.add_argument("--resamplers", default=",".join(cal.RESAMPLERS))
    parser.add_argument("--regions", default=",".join(PHOTOS), help="photos for the generated/designed set")
    parser.add_argument("--regions-only", action="store_true", help="run only the generated/designed set")
    args = parser.parse_args()
    if args.regions_only:
        regions(args.regions)
        return
    values: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    same_picture: list[dict[str, Any]] = []
    masters = args.masters.split(",") + [f"photo:{p}" for p in args.photos.split(",") if p]
    for master_name in masters:
        ctx, cache = context(master_name), dict[str, Any]()
        for spec in NOISE_SPECS:
            for _, v in same_picture_variants(ctx.master, spec, ctx.centre):
                same_picture.append(audit(ctx, v, spec, cache))
        clean_fail = []
        for resample in args.resamplers.split(","):
            for spec in CONTRACT_SPECS:
                asset = audit(ctx, variant(None, ctx, spec, resample), spec, cache)
                if not asset["passed"]:
                    clean_fail.append(f"{spec}/{resample}: {asset['checks']}")
                for measure, read in MEASURES.items():
                    if (value := read(asset)) is not None:
                        values[measure]["clean"].append(value)
        size = f"{ctx.master.width}×{ctx.master.height}"
        print(f"\n== master: {master_name} ({size}) · face: {ctx.face is not None}")
        print(
            f"clean variants: {len(CONTRACT_SPECS)} specs × {args.resamplers}: "
            f"{'all pass' if not clean_fail else 'FAILURES: ' + '; '.join(clean_fail)}"
        )
        rows = []
        for name in PERTURBATIONS:
            if not applicable(name, ctx):
                continue
            for spec in args.specs.split(","):
                asset = audit(ctx, variant(name, ctx, spec), spec, cache)
                rows.append((name, spec, asset))
                for measure, read in MEASURES.items():
                    if (value := read(asset)) is not None:
                        values[measure][name].append(value)
        print(confusion_table(rows))
    print("\n== margins: clean range vs each perturbation's range (all masters, specs, resamplers)")
    print(f"tolerances: {DEFAULT.to_json()}")
    for measure, by_case in values.items():
        clean = by_case.get("clean", [])
        line = f"{measure:16s} clean {min(clean):.4g}–{max(clean):.4g}" if clean else f"{measure:16s}"
        others = [f"{name}: {min(v):.4g}–{max(v):.4g}" for name, v in by_case.items() if name != "clean"]
        print(line + " | " + " | ".join(others))
    specs = ", ".join(NOISE_SPECS)
    print(f"\n== noise floor: {len(same_picture)} variants of {specs} re-saved at q85–95 or cut 1 px off")
    print(floor_table(noise_floor(same_picture, DEFAULT), DEFAULT))
    if args.regions:
        regions(args.regions)


if __name__ == "__main__":
    main()
