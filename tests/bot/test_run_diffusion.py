"""`keyart run --engine diffusion` end to end with tiny random-weight models loaded from disk."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from skimage import data

from pipeline.specs import get_spec

pytest.importorskip("diffusers", reason="the diffusion extra is not installed")

# clean → swap by prompt (shared edits), then fit/outpaint, an img2img re-render, and export.
REQUEST = (
    "IAB 300x250 and the leaderboard; re-render the square feed at 30 %; remove the specks; "
    "swap the background to a neon Tokyo skyline at dusk"
)


@pytest.fixture(scope="module")
def tiny_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    from pipeline.engines.diffusion.tiny import write_tiny_models

    return write_tiny_models(tmp_path_factory.mktemp("tiny"), "sd15", upscaler="sd-x4")


def run(tmp_path: Path, env: dict[str, str], out: Path, request: str) -> subprocess.CompletedProcess[str]:
    master = tmp_path / "hero.png"
    if not master.exists():
        Image.fromarray(data.astronaut()).resize((256, 256), Image.Resampling.LANCZOS).save(master)
    full = {**os.environ, **env, "KEYART_DATA_DIR": str(tmp_path / "data"), "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "run",
            "--master",
            str(master),
            "--request",
            request,
            "--out",
            str(out),
            "--engine",
            "diffusion",
        ],
        env=full,
        capture_output=True,
        text=True,
        timeout=900,
        cwd=tmp_path,
    )


def test_diffusion_run_end_to_end(tmp_path: Path, tiny_env: dict[str, str]) -> None:
    out = tmp_path / "out"
    result = run(tmp_path, tiny_env, out, REQUEST)
    assert result.returncode in (0, 1), result.stderr[-3000:]
    variants = {p.name.rsplit(".", 1)[0]: p for p in (out / "variants").iterdir()}
    assert {"iab-medium-rectangle", "iab-leaderboard", "meta-feed-square"} <= set(variants)
    for name, path in variants.items():
        with Image.open(path) as im:
            assert im.size == get_spec(name).size
    report = json.loads((out / "audit.json").read_text())
    lineage = {a["spec"]: a["lineage"] for a in report["assets"]}
    assert all(lin["seed"] is not None for lin in lineage.values())
    # The leaderboard needs an outpaint: a model made those pixels, and the lineage says so.
    assert lineage["iab-leaderboard"]["engine"] == "diffusion"
    assert lineage["iab-leaderboard"]["ops"][0]["op"] == "fit"
    assert [op["op"] for op in lineage["meta-feed-square"]["ops"]] == ["variant", "export"]
    assert lineage["meta-feed-square"]["ops"][0]["params"]["strength"] == pytest.approx(0.3)
    assert lineage["meta-feed-square"]["engine"] == "diffusion"
    from pipeline.ops.export import read_provenance

    for path in variants.values():
        provenance = read_provenance(path.read_bytes())
        assert "TrainedAlgorithmicMedia" in str(provenance), path.name

    # Same request, same master: the same seeds give the same files (reused from the job rows).
    again = run(tmp_path, tiny_env, tmp_path / "again", REQUEST)
    assert again.returncode == result.returncode
    for name, path in variants.items():
        assert (tmp_path / "again" / "variants" / path.name).read_bytes() == path.read_bytes(), name
