"""A corrupt TIFF used to print ~400 lines of libtiff and Pillow warnings before keyart's refusal;
now the terminal gets the one line, with the decoder's complaints summed up in it."""

from __future__ import annotations

import re
from pathlib import Path

from tests.bot.test_run_cli import blobs_in, keyart
from tests.pipeline.imaging.test_sandbox import noisy_corrupt_tiff


def test_corrupt_tiff_is_one_line_on_stderr(tmp_path: Path) -> None:
    scan = tmp_path / "scan.tif"
    scan.write_bytes(noisy_corrupt_tiff())
    data_dir = tmp_path / "data"
    result = keyart(
        "run",
        "--master",
        str(scan),
        "--request",
        "story",
        "--out",
        str(tmp_path / "o"),
        cwd=tmp_path,
        data_dir=data_dir,
    )
    assert result.returncode == 2
    # One message (the console may wrap it), not the 400 lines libtiff and Pillow print.
    message = " ".join(line.strip() for line in result.stderr.splitlines() if line.strip())
    assert re.match(
        r"⚠️  `scan\.tif` is truncated or corrupt: it says it is a TIFF but could not be decoded "
        r"\(the decoder reported \d{3} problems, first: “TIFFFetchNormalTag",
        message,
    ), message
    assert message.endswith("Nothing was stored.") and len(message) < 300
    assert "ZIPDecode" not in result.stderr and "UserWarning" not in result.stderr
    assert result.stdout.strip() == ""
    assert not (data_dir / "blobs").exists() or blobs_in(data_dir) == []
