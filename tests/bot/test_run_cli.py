"""`keyart run` and `keyart demo` end to end, as a user runs them (real subprocesses, but one in process)."""

from __future__ import annotations

import io
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


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (90, 120, 160)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<html><body>not an image</body></html>", "it is an HTML"),
        (b"", "empty"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 64, "truncated or corrupt"),
        (_png(40, 30), "40×30 px: too small to make channel variants"),
        (_png(6000, 300), "a 20:1 strip: no channel format is that shape"),
    ],
)
def test_bad_master_exits_2_and_stores_nothing(tmp_path: Path, content: bytes, message: str) -> None:
    bad = tmp_path / "banner[v2].png"  # brackets: the message is printed as text, not as rich markup
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
    assert message in result.stderr and "banner[v2].png" in result.stderr
    assert not (data_dir / "blobs").exists() or blobs_in(data_dir) == []


def test_a_black_master_is_audited_without_nan(tmp_path: Path) -> None:
    """A black frame has no white balance: the colour check compares nothing rather than dividing 0 by 0."""
    black = tmp_path / "black.png"
    Image.new("RGB", (600, 400)).save(black)
    out = tmp_path / "o"
    result = keyart("run", "--master", str(black), "--request", "a 4:5 feed post", "--out", str(out),
                    cwd=tmp_path, data_dir=tmp_path / "data")
    assert result.returncode == 0, result.stderr
    report = json.loads((out / "audit.json").read_text())
    assert report["passed"] is True


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
    # Every delivered file carries Content Credentials that `keyart verify` accepts.
    files = [str(p) for p in delivered.values()]
    checked = keyart("verify", *files, cwd=tmp_path, data_dir=tmp_path / "data")
    assert checked.returncode == 0, checked.stdout[-2000:] + checked.stderr[-2000:]
    assert checked.stdout.count("Content Credentials valid (trusted signer)") == len(CONTRACT_SPECS)
    assert "signed with a development certificate: not trusted outside this workspace" in result.stdout
    report = json.loads((out / "audit.json").read_text())
    assert {a["credentials"]["state"] for a in report["assets"]} == {"trusted"}


def test_upscaled_variant_is_framed_at_the_masters_scale_then_enlarged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from bot.cli import app

    master, out, data_dir = tmp_path / "hero.png", tmp_path / "out", tmp_path / "data"
    Image.fromarray(data.astronaut()).resize((64, 64), Image.Resampling.LANCZOS).save(master)
    # In process (typer's runner on the real app): the same command, without ~8 s of re-imports.
    monkeypatch.chdir(tmp_path)
    for key in [k for k in os.environ if k.startswith("KEYART_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("KEYART_DATA_DIR", str(data_dir))
    args = ["run", "--master", str(master), "--request", "upscale the leaderboard", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code in (0, 1), (result.output[-3000:], result.exception)
    spec = get_spec("iab-leaderboard")
    with Image.open(out / "variants" / "iab-leaderboard.jpg") as im:
        assert im.size == spec.size
    report = json.loads((out / "audit.json").read_text())
    assert [a["spec"] for a in report["assets"]] == [spec.name]  # audited
    with closing(sqlite3.connect(data_dir / "keyart.db")) as con:
        query = "SELECT params FROM asset WHERE spec = ? AND kind = 'variant'"
        (params,) = con.execute(query, (spec.name,)).fetchone()
    steps = json.loads(params)["steps"]
    assert [s["op"] for s in steps] == ["fit", "upscale", "export"]
    fitted, upscaled = steps[0]["record"], steps[1]["record"]
    # fit laid the banner out at the master's own scale (its photo part ~1:1, no enlargement); upscale
    # enlarged that frame to the spec, a pure resize.
    width, height = fitted["size"]
    assert steps[0]["params"]["output"] == "source" and width < spec.width and height < spec.height
    assert fitted["rule"] == "layout" and fitted["layout"]["scale"] == pytest.approx(1.0, abs=0.05)
    assert abs(width / height - spec.aspect_ratio) < spec.aspect_ratio / height
    assert upscaled["method"] == "lanczos-tiled+unsharp" and upscaled["size"] == list(spec.size)
    assert upscaled["factor"] == pytest.approx(spec.width / width, rel=0.01) and upscaled["factor"] > 2
    assert not any("centre-cropped" in n for n in steps[1]["notes"])


def test_run_goes_with_the_planned_reading_and_prints_the_alternative(tmp_path: Path, master: Path) -> None:
    out, data_dir = tmp_path / "out", tmp_path / "data"
    done = keyart(
        "run",
        "--master",
        str(master),
        "--request",
        "a 16:9 please",
        "--out",
        str(out),
        cwd=tmp_path,
        data_dir=data_dir,
    )
    assert done.returncode in (0, 1), done.stderr
    assert sorted(p.name for p in (out / "variants").iterdir()) == ["landing-hero.webp"]
    said = " ".join(done.stdout.split())
    assert "? 16:9 — Landing-page hero or YouTube thumbnail? Planned: Landing-page hero 1920×1080." in said
    assert "Or ask for “YouTube thumbnail 1280×720” (youtube-thumbnail)." in said
