"""Benchmark: what Content Credentials cost per delivered file (issue 15).

For a set of channel specs (each in its own format) on a grainy photo: the `export` op with and
without a signer (median ms and the ratio, measured in this run), the bare signing call, the approval
countersignature, reading + validating, and the bytes the manifest adds, for ES256 and Ed25519.
Not a test: only same-run numbers mean anything on these machines.

    python bench/c2pa_signing.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image
from skimage import data

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.credentials.actions import step_credentials
from pipeline.credentials.keys import signing_keys
from pipeline.credentials.manifest import Production, approval_manifest, production_manifest
from pipeline.credentials.reader import read_credentials
from pipeline.credentials.sealing import CredentialJob
from pipeline.credentials.signer import CredentialSigner
from pipeline.ops.base import Geometry, OpContext, OpInputs
from pipeline.ops.export import ExportParams, export
from pipeline.specs import get_spec
from storage.settings import Settings
from tests.support.certs import make_chain

SPECS = [
    ("iab-mobile-banner", "jpeg"),
    ("iab-medium-rectangle", "jpeg"),
    ("iab-medium-rectangle", "png"),
    ("story", "jpeg"),
    ("landing-hero", "webp"),
    ("print-a4-300dpi", "jpeg"),
]


def photo(size: tuple[int, int]) -> Image.Image:
    base = np.asarray(Image.fromarray(data.astronaut()).resize(size, Image.Resampling.BILINEAR), np.float32)
    grain = np.random.default_rng(0).normal(0, 6, base.shape)
    return Image.fromarray(np.clip(base + grain, 0, 255).astype(np.uint8))


def job_for(signer: CredentialSigner, size: tuple[int, int]) -> CredentialJob:
    master = Geometry.identity((4000, 3000))
    fitted = master.then_crop((500, 0, 3500, 3000), size)
    steps = [
        step_credentials(
            "fit", {}, before=master, after=fitted, engine="classical", model=None, generated_share=0.0
        ),
        step_credentials(
            "brand",
            {"text": "Shop the Spring Sale"},
            before=fitted,
            after=fitted,
            engine="classical",
            model=None,
            generated_share=0.0,
            key="b-",
        ),
    ]
    people = {
        "briefed_by": {"user": "UMAYA", "via": "slack", "at": "2026-03-01T09:00:00+00:00"},
        "master_approved_by": {"user": "ULENA", "via": "slack", "at": "2026-03-01T09:03:00+00:00"},
    }
    production = Production(
        master_sha256="ab" * 32,
        steps=steps,
        people=people,
        facts={"campaign": "1", "unit": "bench", "seed": 7},
    )
    return CredentialJob(signer, production)


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        dev = CredentialSigner(signing_keys(Settings(data_dir=Path(tmp), _env_file=None)))  # type: ignore[call-arg]
        chain = make_chain("ed25519")
        ed = CredentialSigner(
            signing_keys(
                Settings(  # type: ignore[call-arg]
                    data_dir=Path(tmp),
                    _env_file=None,
                    c2pa_cert=chain.chain_pem.decode(),
                    c2pa_key=chain.key_pem.decode(),
                )
            )
        )
        header = (
            f"{'spec':22s} {'fmt':4s} {'alg':7s} {'export ms':>9s} {'signed ms':>9s} {'ratio':>6s} "
            f"{'sign ms':>8s} {'approve ms':>10s} {'read ms':>8s} {'manifest B':>10s} {'approval B':>10s}"
        )
        print(header)
        for name, fmt in SPECS:
            spec = get_spec(name)
            image = photo(spec.size)
            inputs = OpInputs(image, image, Geometry.identity(image.size))
            params = ExportParams(spec=name, format=fmt)  # type: ignore[arg-type]
            repeat = max(3, args.repeat // 5) if spec.width * spec.height > 3_000_000 else args.repeat
            for alg, signer in (("es256", dev), ("ed25519", ed)):
                job = job_for(signer, spec.size)
                plain_ms = median_ms(lambda: export(inputs, params, OpContext()), repeat)  # noqa: B023
                signed_ms = median_ms(lambda: export(inputs, params, OpContext(credentials=job)), repeat)  # noqa: B023
                result = export(inputs, params, OpContext(credentials=job))
                assert result.encoded is not None and result.record["credentials"]["signed"], name
                unsigned = export(inputs, params, OpContext()).encoded or b""
                manifest = production_manifest(
                    job.production, spec=name, title=f"bench.{fmt}", mime=f"image/{fmt}", source_type=""
                )
                sign_ms = median_ms(lambda: signer.sign(unsigned, fmt, manifest), repeat)  # noqa: B023
                approval = approval_manifest(
                    title=f"bench.{fmt}",
                    mime=f"image/{fmt}",
                    approval={"user": "ULENA", "via": "slack", "at": "2026-03-02"},
                )
                approved = signer.countersign(result.encoded, fmt, approval)
                approve_ms = median_ms(lambda: signer.countersign(result.encoded, fmt, approval), repeat)  # noqa: B023
                anchors = signer.keys.anchors_pem
                read_ms = median_ms(lambda: read_credentials(approved, anchors_pem=anchors), repeat)  # noqa: B023
                assert read_credentials(approved, anchors_pem=anchors).state == "trusted"
                cells = (
                    f"{plain_ms:9.1f} {signed_ms:9.1f} {signed_ms / plain_ms:6.2f} {sign_ms:8.1f} "
                    f"{approve_ms:10.1f} {read_ms:8.1f}"
                )
                grown = len(approved) - len(result.encoded)
                manifest_bytes = result.record["credentials"]["manifest_bytes"]
                print(f"{name:22s} {fmt:4s} {alg:7s} {cells} {manifest_bytes:10d} {grown:10d}")
        print(
            "export ms: the whole op (quality search, encode) without a signer; signed ms: with one (under "
            "a cap, the approval room is probed once per format); sign ms: one signing call."
        )


if __name__ == "__main__":
    main()
