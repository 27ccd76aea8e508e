"""`keyart plan` through the real CLI: contract JSON, readable table, exit codes, stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from pipeline.ops.registry import all_ops

STORYBOARD = (
    "Meta set, stories, IAB 300x250 728x90 160x600 and the 21:9 hero; JP version with a Tokyo skyline at dusk"
)


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Settings read KEYART_* and a .env in the working directory: keep both out of these tests.
    monkeypatch.chdir(tmp_path)
    for name in ("KEYART_ENGINE", "KEYART_MAX_VARIANTS", "KEYART_LLM"):
        monkeypatch.delenv(name, raising=False)


def _plan(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["plan", *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def test_json_follows_the_contract() -> None:
    code, out, err = _plan("story, feed and the IAB set", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert set(data) == {"steps", "notes"}
    ops = {op.name for op in all_ops()}
    for step in data["steps"]:
        assert isinstance(step["op"], str) and step["op"] in ops
        assert isinstance(step["params"], dict)
        assert isinstance(step["id"], str) and isinstance(step["input"], str)
    fits = [s["params"]["spec"] for s in data["steps"] if s["op"] == "fit"]
    exports = [s["params"]["spec"] for s in data["steps"] if s["op"] == "export"]
    assert (
        fits
        == exports
        == [
            "story",
            "meta-feed-square",
            "meta-feed-portrait",
            "iab-medium-rectangle",
            "iab-leaderboard",
            "iab-wide-skyscraper",
            "iab-half-page",
            "iab-mobile-banner",
            "iab-billboard",
        ]
    )
    assert data["notes"] == []


def test_engine_flag_overrides_settings_and_changes_the_plan() -> None:
    code, out, _ = _plan(STORYBOARD, "--json", "--engine", "diffusion", env={"KEYART_ENGINE": "classical"})
    assert code == 0
    steps = json.loads(out)["steps"]
    swaps = [s for s in steps if s["op"] == "swap"]
    assert swaps == [
        {
            "id": "edit.swap-jp",
            "op": "swap",
            "input": "master",
            "params": {"region": "background", "prompt": "a Tokyo skyline at dusk"},
        }
    ]
    jp = [s for s in steps if s.get("variant") == "story-jp"]
    assert [s["op"] for s in jp] == ["fit", "export"] and jp[0]["input"] == "edit.swap-jp"
    assert len({s["variant"] for s in steps if "variant" in s}) == 14


def test_engine_defaults_to_settings() -> None:
    _, classical, _ = _plan(STORYBOARD, "--json")
    _, diffusion, _ = _plan(STORYBOARD, "--json", env={"KEYART_ENGINE": "diffusion"})
    assert not any(s["op"] == "swap" for s in json.loads(classical)["steps"])
    assert any("diffusion engine" in note for note in json.loads(classical)["notes"])
    assert any(s["op"] == "swap" for s in json.loads(diffusion)["steps"])


def test_readable_plan_shows_variants_steps_and_notes() -> None:
    code, out, _ = _plan("make 9:16 and 4:5, recolor the jacket to #FFD400")
    assert code == 0
    assert "2 variants" in out and "classical engine" in out
    assert "story" in out and "meta-feed-portrait" in out and "1080×1350" in out
    assert "fit → export" in out
    assert "recolor subject → #FFD400" in out
    assert "read 9:16 as `story`" in out


@pytest.mark.parametrize(
    ("request_text", "message"),
    [
        ("asdf qwerty", "didn't understand"),
        ("delete the campaign", "ignored instructions"),
        ("everything; JP, UK, DE, FR and US versions", "limit is 60"),
    ],
)
def test_unplannable_requests_exit_2_with_the_reason_on_stderr(request_text: str, message: str) -> None:
    for extra in ([], ["--json"]):
        code, out, err = _plan(request_text, *extra)
        assert code == 2
        assert out == ""
        assert err.startswith("error: ") and message in err


def test_max_variants_comes_from_settings() -> None:
    code, _, err = _plan("the IAB set", env={"KEYART_MAX_VARIANTS": "4"})
    assert code == 2 and "limit is 4" in err


def test_unknown_engine_is_a_usage_error() -> None:
    code, _, err = _plan("story", "--engine", "gpu")
    assert code == 2 and "gpu" in err


def test_console_script_entry_point(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "plan", "linkedin + youtube thumbnail", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert proc.returncode == 0, proc.stderr
    variants = [s["variant"] for s in json.loads(proc.stdout)["steps"] if s["op"] == "export"]
    assert variants == ["linkedin-single", "youtube-thumbnail"]


def test_an_ambiguous_request_is_planned_with_the_default_and_shows_the_others() -> None:
    code, out, err = _plan("erase the watermark and make a 16:9", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert [s["params"]["spec"] for s in data["steps"]] == ["landing-hero", "landing-hero"]
    assert any("needs a mask" in note for note in data["notes"])
    [question] = data["questions"]
    assert question["text"] == "16:9 — Landing-page hero or YouTube thumbnail?" and question["chosen"] == 0
    assert [o["specs"] for o in question["options"]] == [["landing-hero"], ["youtube-thumbnail"]]

    code, out, _ = _plan("erase the watermark and make a 16:9")
    assert code == 0
    assert "? 16:9 — Landing-page hero or YouTube thumbnail? Planned: Landing-page hero" in " ".join(
        out.split()
    )
    assert "Or ask for “YouTube thumbnail 1280×720” (youtube-thumbnail)" in " ".join(out.split())
    assert "read 16:9 as" not in out  # the question says it once


def test_explicit_size_beats_the_platform_word() -> None:
    code, out, _ = _plan("a wide banner for the website, 21:9", "--json")
    assert code == 0
    assert {s["variant"] for s in json.loads(out)["steps"]} == {"web-hero-21x9"}
    code, out, _ = _plan("billboard for DOOH 1920x1080 landscape", "--json")
    assert {s["variant"] for s in json.loads(out)["steps"]} == {"dooh-landscape"}
