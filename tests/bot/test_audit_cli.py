"""`keyart audit --master IMG FILE... [--json] [--out DIR]`: exit codes, contract JSON, files, rows."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from skimage import data
from sqlmodel import Session, select
from typer.testing import CliRunner

from bot.cli import app
from pipeline.audit import calibration as cal
from pipeline.specs import get_spec
from storage.db import make_engine
from storage.models import AuditCheck, AuditRun

CHECK_NAMES = ["luminance", "texture", "color", "subject", "design"]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A 512² master and variants written as files: two clean JPEGs, a lifted one, an unrelated photo."""
    root = tmp_path_factory.mktemp("audit-cli")
    master = cal.grainy_master(data.astronaut(), size=512)
    paths = {"master": root / "master.png"}
    master.save(paths["master"])
    centre = (220.0, 126.0)
    for name, spec, pixels in (
        ("half", "iab-half-page", None),
        ("rect", "iab-medium-rectangle", None),
        ("lifted", "iab-billboard", cal.lift_blacks),
    ):
        variant = cal.clean_variant(master, get_spec(spec), centre, pixels=pixels)
        paths[name] = root / f"{spec}.jpg"
        paths[name].write_bytes(variant.data)
    paths["coffee"] = root / "coffee.jpg"
    Image.fromarray(data.coffee()).save(paths["coffee"], quality=90)
    paths["broken"] = root / "broken.jpg"
    paths["broken"].write_bytes(b"this is not a JPEG at all")
    return paths


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Settings read KEYART_* and a .env in the working directory: keep both out of these tests.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KEYART_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("KEYART_DATABASE_URL", raising=False)


def _audit(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["audit", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


def test_all_pass_exits_0_with_contract_json(files: dict[str, Path], tmp_path: Path) -> None:
    code, out, err = _audit("--master", files["master"], files["half"], files["rect"], "--json")
    assert code == 0, err
    report = json.loads(out)
    assert set(report) >= {"master", "passed", "assets"} and report["passed"] is True
    assert report["master"]["path"] == str(files["master"]) and len(report["master"]["sha256"]) == 64
    assert [a["spec"] for a in report["assets"]] == [
        "iab-half-page",
        "iab-medium-rectangle",
    ]  # from the names
    for asset in report["assets"]:
        assert asset["passed"] is True and list(asset["checks"]) == CHECK_NAMES
        assert asset["geometry"]["source"] == "registration" and asset["encoding"]["format"] == "jpeg"
        # Files from elsewhere carry no Content Credentials: reported, never a failure.
        assert asset["credentials"]["state"] == "none" and asset["credentials"]["valid"] is False
    assert report["summary"]["credentials"] == {"valid": 0, "invalid": 0, "none": 2, "development": False}
    # The run is recorded.
    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'keyart.db'}")
    with Session(engine) as session:
        run = session.exec(select(AuditRun)).one()
        assert run.passed is True and run.asset_count == 2
        assert len(session.exec(select(AuditCheck)).all()) == 10  # 5 checks × 2 assets
    engine.dispose()
    assert "audit run #1 stored" in err


def test_a_failing_variant_exits_1_and_says_why(files: dict[str, Path], tmp_path: Path) -> None:
    out_dir = tmp_path / "report"
    code, out, err = _audit("--master", files["master"], files["half"], files["lifted"], "--out", out_dir)
    assert code == 1, err
    assert "iab-billboard.jpg" in out and "black point +" in out  # the readable table
    assert "Content Credentials: 0/2 valid, 2 without" in out
    assert "iab-billboard.jpg: Content Credentials none: the file carries no C2PA manifest" in out
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "audit.json",
        "chart.png",
        "contact_sheet.png",
        "report.html",
    ]
    report = json.loads((out_dir / "audit.json").read_text())
    lifted = report["assets"][1]
    assert lifted["passed"] is False and lifted["checks"]["luminance"]["passed"] is False
    assert report["assets"][0]["passed"] is True


def test_unregistrable_file_fails_clearly(files: dict[str, Path]) -> None:
    code, out, err = _audit("--master", files["master"], files["coffee"], "--json")
    assert code == 1
    assert "could not register `coffee.jpg` to the master:" in err
    assert json.loads(out)["assets"][0]["error"].startswith("could not register `coffee.jpg`")


@pytest.mark.parametrize(
    ("which", "message"),
    [
        ("broken", "`broken.jpg` isn't an image"),
        ("missing", "`nope.png` doesn't exist"),
    ],
)
def test_bad_input_exits_2(files: dict[str, Path], tmp_path: Path, which: str, message: str) -> None:
    args: list[str | Path] = (
        ["--master", files["master"], files["half"], files["broken"]]
        if which == "broken"
        else ["--master", tmp_path / "nope.png", files["half"]]
    )
    code, out, err = _audit(*args)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and message in err


def test_real_console_script_exit_code(files: dict[str, Path], tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "audit",
            "--master",
            str(files["master"]),
            str(files["rect"]),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={"KEYART_DATA_DIR": str(tmp_path / "d"), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["passed"] is True
