"""`keyart generate "BRIEF"` end to end with tiny random-weight FLUX and SD 1.5 models loaded from disk.

The CLI runs in process (typer's runner on the real app): a subprocess would re-import torch and
diffusers for every run. Each run still reads its settings from the environment, opens its own
database and loads the models through ``from_pretrained``.
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from bot.cli import app
from pipeline.candidates import candidate_seed
from pipeline.runtime import Runtime
from storage.db import read_session
from storage.repos import campaigns
from storage.settings import Settings

pytest.importorskip("diffusers", reason="the diffusion extra is not installed")

BRIEF = "a photo of a cat in the city"
HAVE_SPANDREL = importlib.util.find_spec("spandrel") is not None


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, dict[str, str]]]:
    import torch

    from pipeline.engines.diffusion.tiny import write_tiny_models

    root = tmp_path_factory.mktemp("tiny")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny models gain nothing from threads on a shared 2-core box
    yield {
        f: write_tiny_models(root / f, f, upscaler="spandrel" if HAVE_SPANDREL else "sd-x4")
        for f in ("flux", "sd15")
    }
    torch.set_num_threads(threads)


@pytest.fixture
def keyart_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """``use(env)``: exactly these ``KEYART_*`` variables (plus a data dir in tmp_path), cwd = tmp_path."""
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")

    def use(env: dict[str, str], data: str = "data") -> None:
        for key in [k for k in os.environ if k.startswith("KEYART_")]:
            monkeypatch.delenv(key)
        for key, value in {**env, "KEYART_DATA_DIR": str(tmp_path / data)}.items():
            monkeypatch.setenv(key, value)

    return use


def keyart(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def listing(out: Path) -> dict[str, Any]:
    return json.loads((out / "candidates.json").read_text())


@pytest.mark.parametrize("family", ["flux", "sd15"])
def test_generate_writes_candidates_and_repeats_them_exactly(
    family: str, tiny_models: dict[str, dict[str, str]], keyart_env: Any, tmp_path: Path
) -> None:
    # 64×64 working canvas: fast, and still a real rounding/resizing note to record.
    env = {**tiny_models[family], "KEYART_DIFFUSION_MAX_PIXELS": str(64 * 64)}
    keyart_env(env)
    first = keyart("generate", BRIEF, "--count", "2", "--out", "out", "--engine", "diffusion")
    assert first.exit_code == 0, first.output
    out = tmp_path / "out"
    made = listing(out)
    rows = made["candidates"]
    assert [r["file"] for r in rows] == ["candidate-1.png", "candidate-2.png"]
    assert made["brief"] == BRIEF and made["campaign"] == BRIEF
    seeds = [r["seed"] for r in rows]
    assert seeds == [candidate_seed(made["campaign_id"], BRIEF, i) for i in range(2)] and len(set(seeds)) == 2
    assert all(r["model"] == env["KEYART_MODEL_GENERATE"] and r["prompt"] == BRIEF for r in rows)
    assert all(r["engine"] == "diffusion" and any("generated at" in n for n in r["notes"]) for r in rows)
    arrays = []
    for row in rows:
        with Image.open(out / row["file"]) as im:
            assert im.size == (row["width"], row["height"]) == (1024, 1024) and im.format == "PNG"
            arrays.append(np.asarray(im))
    assert not np.array_equal(arrays[0], arrays[1])  # distinct seeds, distinct pictures
    with read_session(Runtime(Settings()).engine) as s:  # the seeds are in the lineage, not only the file
        stored = campaigns.assets_of_campaign(s, made["campaign_id"], kind="candidate")
    assert [(a.id, a.seed, a.op) for a in stored] == [(r["asset_id"], r["seed"], "generate") for r in rows]

    again = keyart("generate", BRIEF, "--count", "2", "--out", "again", "--engine", "diffusion")
    assert again.exit_code == 0 and "reused" in again.output, again.output
    assert listing(tmp_path / "again") == made  # the same campaign and assets: nothing generated twice
    keyart_env(env, data="fresh")  # a new database: the candidates are generated again, from the seeds
    fresh = keyart("generate", BRIEF, "--count", "2", "--out", "fresh", "--engine", "diffusion")
    assert fresh.exit_code == 0 and "reused" not in fresh.output, fresh.output
    assert [r["seed"] for r in listing(tmp_path / "fresh")["candidates"]] == seeds
    for row in rows:
        expected = (out / row["file"]).read_bytes()
        assert (tmp_path / "again" / row["file"]).read_bytes() == expected
        assert (tmp_path / "fresh" / row["file"]).read_bytes() == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["   "], "the brief is empty"),
        (["x" * 2001], "the most a prompt takes is 2000"),
        (["cat", "--count", "0"], "--count 0: make between 1 and 8"),
        (["cat", "--count", "9"], "--count 9: make between 1 and 8"),
        (["cat", "--engine", "classical"], "need the diffusion engine"),
        (["cat", "--engine", "gpu"], "unknown engine `gpu`"),
        ([], "need the diffusion engine"),  # KEYART_ENGINE defaults to classical
    ],
)
def test_bad_input_exits_2_with_a_clear_message(
    args: list[str], message: str, keyart_env: Any, tmp_path: Path
) -> None:
    keyart_env({})
    result = keyart("generate", *(args or ["cat"]), "--out", "out")
    assert result.exit_code == 2 and message in result.output, result.output
    assert not (tmp_path / "out").exists() and not (tmp_path / "data").exists()  # nothing was started
    if "diffusion engine" in message:
        assert "pip install 'keyart[diffusion]'" in result.output and "--engine diffusion" in result.output


def test_without_the_diffusion_extra_or_the_model_it_exits_2(
    keyart_env: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    keyart_env({"KEYART_MODEL_GENERATE": str(tmp_path / "no-such-model"), "KEYART_DEVICE": "cpu"})
    missing = keyart("generate", "cat", "--engine", "diffusion", "--out", "out")
    assert missing.exit_code == 2 and "could not load the generate model" in missing.output, missing.output
    assert "no-such-model" in missing.output
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "diffusers" else real(name, *a)
    )
    result = keyart("generate", "cat", "--engine", "diffusion", "--out", "out")
    assert result.exit_code == 2 and "pip install 'keyart[diffusion]'" in result.output, result.output
    assert "diffusers" in result.output and not (tmp_path / "out").exists()
