"""Content-addressed blob store: dedupe, atomicity under SIGKILL, no path escape."""

from __future__ import annotations

import hashlib
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storage.blobs import BlobError, LocalBlobStore


def test_same_bytes_stored_once(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "blobs")
    data = os.urandom(100_000)
    k1 = store.put_bytes(data)
    k2 = store.put_stream(io.BytesIO(data))
    assert k1 == k2 == hashlib.sha256(data).hexdigest()
    files = [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()]
    assert len(files) == 1
    assert store.read_bytes(k1) == data
    assert b"".join(store.iter_chunks(k1)) == data
    assert store.size(k1) == len(data)


@pytest.mark.parametrize("key", ["../../etc/passwd", "a" * 63, "A" * 64, "/" + "a" * 63, "..", ""])
def test_keys_cannot_escape(tmp_path: Path, key: str) -> None:
    store = LocalBlobStore(tmp_path / "blobs")
    with pytest.raises(BlobError):
        store.open(key)


def test_missing_blob(tmp_path: Path) -> None:
    with pytest.raises(BlobError, match="no blob"):
        LocalBlobStore(tmp_path).read_bytes("0" * 64)


_SLOW_WRITER = """
import sys, time
from storage.blobs import LocalBlobStore
class Slow:
    def __init__(self): self.n = 0
    def read(self, size=-1):
        self.n += 1
        if self.n == 3:
            print("writing", flush=True)
        if self.n > 3:
            time.sleep(0.05)
        return b"x" * 65536 if self.n < 1000 else b""
LocalBlobStore(sys.argv[1]).put_stream(Slow())
"""


def test_writer_killed_mid_write_leaves_no_blob(tmp_path: Path) -> None:
    root = tmp_path / "blobs"
    proc = subprocess.Popen(
        [sys.executable, "-c", _SLOW_WRITER, str(root)],
        stdout=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == b"writing"
    time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    blobs = [p for p in root.rglob("*") if p.is_file() and p.parent.name != "tmp"]
    assert blobs == []  # only a temp file may remain, never a blob under its key
    store = LocalBlobStore(root)
    assert store.sweep_temp() >= 1
    assert not any((root / "tmp").iterdir())
