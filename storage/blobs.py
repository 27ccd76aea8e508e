"""Content-addressed blob store.

Keys are the sha256 hex digest of the bytes. A blob is written to a temp file in the same
filesystem, fsynced, then renamed into place, so a reader (or a crash) never sees a partial
blob. Storing the same bytes twice keeps one file. Keys are validated, so no caller can name a
path outside the store.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

CHUNK = 1024 * 1024
_KEY = re.compile(r"^[0-9a-f]{64}$")


class BlobError(Exception):
    """A blob key is malformed or a blob is missing."""


def check_key(key: str) -> str:
    if not isinstance(key, str) or not _KEY.match(key):
        raise BlobError(f"not a blob key (64 lowercase hex characters): {key!r}")
    return key


class BlobStore(Protocol):
    """What the rest of keyart needs from a blob backend."""

    def put_bytes(self, data: bytes) -> str: ...
    def put_stream(self, stream: BinaryIO) -> str: ...
    def put_file(self, path: Path) -> str: ...
    def exists(self, key: str) -> bool: ...
    def size(self, key: str) -> int: ...
    def open(self, key: str) -> BinaryIO: ...
    def read_bytes(self, key: str) -> bytes: ...
    def iter_chunks(self, key: str) -> Iterator[bytes]: ...
    def export(self, key: str, dest: Path) -> Path: ...


class LocalBlobStore:
    """Blobs as files ``<root>/ab/cd/<sha256>``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self._tmp = self.root / "tmp"
        self._tmp.mkdir(parents=True, exist_ok=True)

    def path_for(self, key: str) -> Path:
        check_key(key)
        return self.root / key[:2] / key[2:4] / key

    def put_bytes(self, data: bytes) -> str:
        key = hashlib.sha256(data).hexdigest()
        if self.exists(key):
            return key
        return self.put_stream(io.BytesIO(data))

    def put_file(self, path: Path) -> str:
        with open(path, "rb") as f:
            return self.put_stream(f)

    def put_stream(self, stream: BinaryIO) -> str:
        digest = hashlib.sha256()
        fd, tmp_name = tempfile.mkstemp(dir=self._tmp, prefix="in-")
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            key = digest.hexdigest()
            if self.exists(key):
                return key
            self._place(Path(tmp_name), key)
            return key
        finally:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)

    def _place(self, tmp: Path, key: str) -> None:
        final = self.path_for(key)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(tmp, 0o644)
        # os.replace is atomic; a concurrent writer of the same key renames identical bytes.
        os.replace(tmp, final)
        dir_fd = os.open(final.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def exists(self, key: str) -> bool:
        return self.path_for(key).is_file()

    def size(self, key: str) -> int:
        return self._existing(key).stat().st_size

    def open(self, key: str) -> BinaryIO:
        return open(self._existing(key), "rb")

    def read_bytes(self, key: str) -> bytes:
        return self._existing(key).read_bytes()

    def iter_chunks(self, key: str) -> Iterator[bytes]:
        with self.open(key) as f:
            while chunk := f.read(CHUNK):
                yield chunk

    def export(self, key: str, dest: Path) -> Path:
        """Copy a blob to ``dest`` (atomically), e.g. into a ``--out`` folder."""
        dest = Path(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.part")
        with open(tmp, "wb") as out:
            for chunk in self.iter_chunks(key):
                out.write(chunk)
        os.replace(tmp, dest)
        return dest

    def _existing(self, key: str) -> Path:
        path = self.path_for(key)
        if not path.is_file():
            raise BlobError(f"no blob {key}")
        return path

    def sweep_temp(self) -> int:
        """Remove temp files left by crashed writers; returns how many."""
        removed = 0
        for leftover in self._tmp.glob("in-*"):
            leftover.unlink(missing_ok=True)
            removed += 1
        return removed


def open_blob_store(blob_url: str, default_root: Path) -> BlobStore:
    """Pick the backend for ``KEYART_BLOB_URL``: ``s3://bucket/prefix`` → S3-compatible object
    storage (endpoint and credentials resolved by boto3); empty or a path → local directory."""
    if blob_url.startswith("s3://"):
        try:
            from storage.s3blobs import S3BlobStore  # lazy: boto3 is in the 'scale' extra
        except ImportError as err:
            raise BlobError(f"KEYART_BLOB_URL={blob_url!r} needs boto3: install the 'scale' extra") from err
        return S3BlobStore.from_url(blob_url)
    return LocalBlobStore(default_root)
