"""Pillow's own fuzz corpus: every file is refused with a one-line message, or decoded to valid
pixels, through the sandboxed loader, and nothing reaches the terminal."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import BadInput
from pipeline.imaging import load_image

CORPUS = Path(__file__).parent / "pillow_fuzz"
FILES = sorted(p for p in CORPUS.iterdir() if p.name not in ("README.md", "LICENSE-Pillow"))
# Damaged but decodable: libtiff/Pillow recover a picture from these (as Pillow's own tests expect).
DECODABLE = {
    "crash-0da013a13571cc8eb457a39fee8db18f8a3c7127.tif",
    "crash-74d2a78403a5a59db1fb0a2b8735ac068a75f6e3.tif",
    "decompression_bomb_extents.gif",
}


def test_the_corpus_is_here() -> None:
    assert len(FILES) >= 40 and {p.name for p in FILES} >= DECODABLE


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name[:32])
def test_hostile_file_is_refused_cleanly(path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    if path.name in DECODABLE:
        loaded = load_image(path, max_bytes=10_000_000)
        assert loaded.image.mode in ("RGB", "RGBA") and min(loaded.size) >= 1
    else:
        with pytest.raises(BadInput) as err:
            load_image(path, max_bytes=10_000_000)
        message = str(err.value)
        assert message.startswith(f"`{path.name}`") and "\n" not in message
        assert message.endswith("Nothing was stored.")
    out, errors = capfd.readouterr()
    assert (out, errors) == ("", "")  # libtiff & co. wrote into the sandbox, not to our terminal
