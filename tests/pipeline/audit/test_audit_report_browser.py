"""report.html in a real headless browser (Debian's chromium): every inline image decodes, the
failing rows render, and a screenshot is kept in test-artifacts/ for people to look at."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from pipeline.audit.report import write_reports
from tests.pipeline.audit.conftest import REPORT_CASES as CASES

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install chromium; .ci/run does)"
)


def _chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--run-all-compositor-stages-before-draw",
        "--virtual-time-budget=5000",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=90, check=True)


def test_report_renders_in_chromium(
    report_bundle: tuple[dict[str, Any], dict[str, Image.Image]], calibration: Any, tmp_path: Path
) -> None:
    report, images = report_bundle
    write_reports(tmp_path, report, images, calibration.master)
    url = (tmp_path / "report.html").as_uri()

    dom = _chromium(tmp_path / "profile", "--dump-dom", url).stdout
    body = re.search(r"<body([^>]*)>", dom)
    assert body, dom[:500]
    attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', body.group(1)))
    # The page's own load handler counted decoded images and rendered failing rows.
    assert attrs["data-images-total"] == str(len(CASES) + 1)
    assert attrs["data-images-loaded"] == attrs["data-images-total"]
    assert attrs["data-failing-rows"] == "2" and attrs["data-failing-rows-visible"] == "2"

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "audit_report.png"
    shot.unlink(missing_ok=True)
    _chromium(tmp_path / "profile", f"--screenshot={shot}", "--window-size=1200,2000", url)
    pixels = np.asarray(Image.open(shot).convert("RGB")).astype(int)
    assert pixels.shape == (2000, 1200, 3)
    # The failing check cells are tinted #ffe3e3 and the FAIL badges #fddcdc: both must be on screen.
    for colour in ((0xFF, 0xE3, 0xE3), (0xFD, 0xDC, 0xDC)):
        assert (np.abs(pixels - colour).sum(axis=2) <= 6).sum() > 200, colour
    # Thumbnails drew: the astronaut's orange suit is on the page.
    orange = (pixels[..., 0] > 180) & (pixels[..., 1] < 120) & (pixels[..., 2] < 80)
    assert orange.sum() > 2000
