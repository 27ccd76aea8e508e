"""`keyart --help`, `keyart specs`, `keyart db upgrade` through the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app

CONTRACT = {
    "meta-feed-square": (1080, 1080, None),
    "meta-feed-portrait": (1080, 1350, None),
    "story": (1080, 1920, None),
    "landing-hero": (1920, 1080, None),
    "web-hero-21x9": (2520, 1080, None),
    "youtube-thumbnail": (1280, 720, None),
    "linkedin-single": (1200, 628, None),
    "iab-medium-rectangle": (300, 250, 150_000),
    "iab-leaderboard": (728, 90, 150_000),
    "iab-wide-skyscraper": (160, 600, 150_000),
    "iab-half-page": (300, 600, 150_000),
    "iab-mobile-banner": (320, 50, 50_000),
    "iab-billboard": (970, 250, 250_000),
    "print-a4-300dpi": (2480, 3508, None),
}


def test_specs_json_matches_the_contract() -> None:
    result = CliRunner().invoke(app, ["specs", "--json"])
    assert result.exit_code == 0
    specs = {s["name"]: s for s in json.loads(result.stdout)["specs"]}
    for name, (w, h, cap) in CONTRACT.items():
        assert (specs[name]["width"], specs[name]["height"]) == (w, h), name
        if cap is not None:
            assert specs[name]["max_bytes"] == cap, name
    assert specs["print-a4-300dpi"]["dpi"] == 300
    assert specs["story"]["safe_zone"]["top"] == 0.14 and specs["story"]["safe_zone"]["bottom"] == 0.20
    assert specs["meta-reels"]["safe_zone"]["bottom"] == 0.35
    assert len(specs) > len(CONTRACT)


def test_specs_table() -> None:
    result = CliRunner().invoke(app, ["specs"])
    assert result.exit_code == 0
    assert "iab-leaderboard" in result.stdout and "728×90" in result.stdout


def test_db_upgrade_in_a_fresh_data_dir(tmp_path: Path) -> None:
    env = {"KEYART_DATA_DIR": str(tmp_path / "d"), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "d" / "keyart.db").exists()
    help_proc = subprocess.run(
        [sys.executable, "-m", "bot", "--help"], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert help_proc.returncode == 0 and "specs" in help_proc.stdout
