"""`keyart run` and `keyart demo` end to end, as a user runs them (real subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from skimage import data

from pipeline.specs import CONTRACT_SPECS, get_spec

REPO = Path(__file__).resolve().parents[2]


def keyart(*args: str, cwd: Path, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KEYART_DATA_DIR": str(data_dir), "COLUMNS": "160"}
    env.pop("KEYART_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )


def blobs_in(data_dir: Path) -> list[Path]:
    return [p for p in (data_dir / "blobs").rglob("*") if p.is_file() and p.parent.name != "tmp"]


@pytest.fixture
def master(tmp_path: Path) -> Path:
    path = tmp_path / "hero.jpg"
    Image.fromarray(data.astronaut()).resize((384, 384), Image.Resampling.LANCZOS).save(path, quality=92)
    return path


def test_run_makes_audits_and_reuses(tmp_path: Path, master: Path) -> None:
    out, data_dir = tmp_path / "out", tmp_path / "data"
    request = "IAB 300x250, 160x600 and the square feed"
    first = keyart(
        "run",
        "--master",
        str(master),
        "--request",
        request,
        "--out",
        str(out),
        cwd=tmp_path,
        data_dir=data_dir,
    )
    assert first.returncode in (0, 1), first.stderr
    files = sorted(p.name for p in (out / "variants").iterdir())
    assert files == ["iab-medium-rectangle.jpg", "iab-wide-skyscraper.jpg", "meta-feed-square.jpg"]
    for name in files:
        spec = get_spec(name.rsplit(".", 1)[0])
        with Image.open(out / "variants" / name) as im:
            assert im.size == spec.size and im.format == "JPEG"
            assert im.info.get("icc_profile")
        if spec.max_bytes:
            assert (out / "variants" / name).stat().st_size <= spec.max_bytes
    report = json.loads((out / "audit.json").read_text())
    assert report["master"]["sha256"] and len(report["assets"]) == 3
    assert first.returncode == (0 if report["passed"] else 1)
    for picture in ("report.html", "contact_sheet.png", "chart.png"):
        assert (out / picture).stat().st_size > 0
    stored = blobs_in(data_dir)

    again = keyart(
        "run",
        "--master",
        str(master),
        "--request",
        request,
        "--out",
        str(tmp_path / "out2"),
        cwd=tmp_path,
        data_dir=data_dir,
    )
    assert again.returncode == first.returncode
    assert sorted(blobs_in(data_dir)) == sorted(stored), "a re-run must reuse finished variants"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<html><body>not an image</body></html>", "it is an HTML"),
        (b"", "empty"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 64, "truncated or corrupt"),
    ],
)
def test_bad_master_exits_2_and_stores_nothing(tmp_path: Path, content: bytes, message: str) -> None:
    bad = tmp_path / "banner.png"
    bad.write_bytes(content)
    data_dir = tmp_path / "data"
    result = keyart(
        "run",
        "--master",
        str(bad),
        "--request",
        "story",
        "--out",
        str(tmp_path / "o"),
        cwd=tmp_path,
        data_dir=data_dir,
    )
    assert result.returncode == 2
    assert message in result.stderr and "banner.png" in result.stderr
    assert not (data_dir / "blobs").exists() or blobs_in(data_dir) == []


def test_unplannable_request_exits_2(tmp_path: Path, master: Path) -> None:
    result = keyart(
        "run",
        "--master",
        str(master),
        "--request",
        "qwzx plorf",
        "--out",
        str(tmp_path / "o"),
        cwd=tmp_path,
        data_dir=tmp_path / "data",
    )
    assert result.returncode == 2 and result.stderr.strip()


def test_demo_delivers_every_contract_spec(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = keyart("demo", "--out", str(out), cwd=tmp_path, data_dir=tmp_path / "data")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    delivered = {p.name.rsplit(".", 1)[0]: p for p in (out / "variants").iterdir()}
    assert set(delivered) == set(CONTRACT_SPECS)
    for name, path in delivered.items():
        spec = get_spec(name)
        with Image.open(path) as im:
            assert im.size == spec.size, name
            if spec.format == "jpeg":
                assert im.info.get("dpi", (0, 0))[0] == pytest.approx(spec.dpi, abs=1), name
        if spec.max_bytes:
            assert path.stat().st_size <= spec.max_bytes, name
    for picture in ("audit.json", "report.html", "contact_sheet.png", "chart.png"):
        assert (out / picture).stat().st_size > 0
    assert "Audit" in result.stdout
