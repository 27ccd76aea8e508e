"""`keyart run --engine diffusion` end to end with tiny random-weight models loaded from disk."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from PIL import Image
from skimage import data

from pipeline.specs import get_spec

pytest.importorskip("diffusers", reason="the diffusion extra is not installed")

# clean → swap by prompt (shared edits), then fit (an outpaint; a layout for the banner-shaped
# leaderboard), an img2img re-render, and export.
REQUEST = (
    "expand the IAB 300x250 with a neon sky and the leaderboard; re-render the square feed at 30 %; "
    "remove the specks; swap the background to a neon Tokyo skyline at dusk"
)
# fit frames (and outpaints) at the master's own scale and the SD x4 model does the enlarging. A 64²
# master keeps the model's input small (its attention is quadratic in the tile: on the 256² master
# the 640×80 frame takes ~20 s on CPU); the print spec adds ~12 s of 8.7 MP Lanczos, export and audit,
# so it is covered at op level (tests/pipeline/ops/test_fit_source.py) instead.
UPSCALE_REQUEST = "upscale the leaderboard"


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
    # The rectangle was expanded: a model made those pixels, and the lineage says so. The leaderboard
    # is banner-shaped: a layout with a designed panel, whatever the engine (nothing generated).
    assert lineage["iab-medium-rectangle"]["engine"] == "diffusion"
    assert lineage["iab-medium-rectangle"]["ops"][0]["rule"] == "expand"
    assert lineage["iab-leaderboard"]["ops"][0]["rule"] == "layout"
    leaderboard = next(a for a in report["assets"] if a["spec"] == "iab-leaderboard")
    assert leaderboard["designed_fraction"] > 0.3 and leaderboard["checks"]["design"]["passed"] is not False
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


def test_upscale_runs_the_model_on_a_frame_at_the_masters_scale(
    tmp_path: Path, tiny_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # In process (typer's runner on the real app, as tests/bot/test_generate_cli.py does): a
    # subprocess spends ~20 s re-importing torch and diffusers before it does anything.
    import torch
    from typer.testing import CliRunner

    from bot.cli import app

    master, out = tmp_path / "hero.png", tmp_path / "out"
    Image.fromarray(data.astronaut()).resize((64, 64), Image.Resampling.LANCZOS).save(master)
    monkeypatch.chdir(tmp_path)  # no stray .env
    for key in [k for k in os.environ if k.startswith("KEYART_")]:
        monkeypatch.delenv(key)
    for key, value in {**tiny_env, "KEYART_DATA_DIR": str(tmp_path / "data"), "HF_HUB_OFFLINE": "1"}.items():
        monkeypatch.setenv(key, value)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny models gain nothing from threads on a shared 2-core box
    try:
        args = ["run", "--master", str(master), "--request", UPSCALE_REQUEST, "--out", str(out)]
        result = CliRunner().invoke(app, [*args, "--engine", "diffusion"])
    finally:
        torch.set_num_threads(threads)
    assert result.exit_code in (0, 1), (result.output[-3000:], result.exception)  # random weights
    report = json.loads((out / "audit.json").read_text())
    lineage = {a["spec"]: a["lineage"] for a in report["assets"]}
    assert set(lineage) == {"iab-leaderboard"}  # audited
    lin = lineage["iab-leaderboard"]
    with Image.open(out / "variants" / "iab-leaderboard.jpg") as im:
        assert im.size == get_spec("iab-leaderboard").size
    assert [op["op"] for op in lin["ops"]] == ["fit", "upscale", "export"]
    assert lin["ops"][0]["params"]["output"] == "source" and lin["engine"] == "diffusion"
    assert lin["ops"][0]["rule"] == "layout"  # banner-shaped: the small layout, enlarged by the model
    assert_model_upscaled(tmp_path / "data" / "keyart.db", "iab-leaderboard", tiny_env)


def assert_model_upscaled(db: Path, spec: str, env: dict[str, str]) -> None:
    """The variant's fit drew a frame smaller than the spec and the upscaler model enlarged it."""
    with closing(sqlite3.connect(db)) as con:
        asset_id, params = con.execute(
            "SELECT id, params FROM asset WHERE spec = ? AND kind = 'variant'", (spec,)
        ).fetchone()
        runs = con.execute("SELECT op, engine, model FROM oprun WHERE asset_id = ? ORDER BY id", (asset_id,))
        ops = {op: (engine, model) for op, engine, model in runs}
    assert ops["upscale"] == ("diffusion", env["KEYART_MODEL_UPSCALER"])
    steps = {step["op"]: step for step in json.loads(params)["steps"]}
    fitted, upscaled = steps["fit"]["record"], steps["upscale"]["record"]
    width, height = get_spec(spec).size
    assert fitted["output"] == "source" and fitted["size"][0] < width and fitted["size"][1] < height
    assert upscaled["method"] == "sd-x4" and upscaled["model"] == env["KEYART_MODEL_UPSCALER"]
    factor = upscaled["factor"]
    assert factor > 2 and factor == pytest.approx(width / fitted["size"][0], rel=0.01)
    assert upscaled["size"] == [width, height]
    assert not any("classical engine" in note for note in steps["upscale"]["notes"])  # no ×1 fallback
