"""S3 blob backend against a real SeaweedFS S3 gateway on loopback."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from skimage import data as skdata

from storage.blobs import BlobError, open_blob_store
from storage.s3blobs import S3BlobStore
from tests.support.s3server import BUCKET, SeaweedS3Server, s3_server

__all__ = ["s3_server"]  # the fixture, imported so pytest finds it here

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def store(s3_server: SeaweedS3Server) -> S3BlobStore:
    return S3BlobStore(BUCKET, f"t-{uuid.uuid4().hex[:8]}/blobs", client=s3_server.client())


def objects(store: S3BlobStore) -> list[str]:
    listing = store.client.list_objects_v2(Bucket=store.bucket, Prefix=store.prefix + "/")
    return [o["Key"] for o in listing.get("Contents", [])]


def count_puts(store: S3BlobStore) -> list[str]:
    calls: list[str] = []
    store.client.meta.events.register("before-call.s3.PutObject", lambda **kw: calls.append("put"))
    return calls


def test_put_get_and_dedupe(store: S3BlobStore) -> None:
    puts = count_puts(store)
    payload = b"approved master" * 1000
    key = store.put_bytes(payload)
    assert key == hashlib.sha256(payload).hexdigest()
    assert objects(store) == [f"{store.prefix}/{key[:2]}/{key[2:4]}/{key}"]
    assert store.exists(key) and store.size(key) == len(payload)
    assert store.read_bytes(key) == payload
    # The same bytes again, by every route: same key, still one object, no second upload.
    assert store.put_bytes(payload) == key
    assert store.put_stream(io.BytesIO(payload)) == key
    assert len(objects(store)) == 1 and len(puts) == 1


def test_streaming_reads_and_export(store: S3BlobStore, tmp_path: Path) -> None:
    payload = os.urandom(3 * 1024 * 1024 + 17)  # several CHUNKs
    path = tmp_path / "in.bin"
    path.write_bytes(payload)
    key = store.put_file(path)
    chunks = list(store.iter_chunks(key))
    assert len(chunks) >= 3 and max(map(len, chunks)) <= 1024 * 1024
    assert b"".join(chunks) == payload
    with store.open(key) as f:
        assert f.read(10) == payload[:10]
        assert f.read() == payload[10:]
    out = store.export(key, tmp_path / "out" / "copy.bin")
    assert out.read_bytes() == payload and not list(out.parent.glob(".*part"))


def test_large_stream_goes_multipart(s3_server: SeaweedS3Server) -> None:
    store = S3BlobStore(BUCKET, f"t-{uuid.uuid4().hex[:8]}", client=s3_server.client(),
                        multipart_threshold=5 * 1024 * 1024)
    payload = os.urandom(6 * 1024 * 1024)
    key = store.put_stream(io.BytesIO(payload))
    assert store.size(key) == len(payload) and store.read_bytes(key) == payload


def test_missing_and_bad_keys(store: S3BlobStore, tmp_path: Path) -> None:
    absent = "0" * 64
    assert not store.exists(absent)
    for read in (store.read_bytes, store.size, store.open, lambda k: list(store.iter_chunks(k))):
        with pytest.raises(BlobError, match="no blob"):
            read(absent)
    with pytest.raises(BlobError, match="no blob"):
        store.export(absent, tmp_path / "x.bin")
    assert not list(tmp_path.iterdir())
    for bad in ("../" + "0" * 61, "A" * 64, "0" * 63, "", "0" * 64 + "/x"):
        with pytest.raises(BlobError, match="not a blob key"):
            store.read_bytes(bad)
        with pytest.raises(BlobError, match="not a blob key"):
            store.exists(bad)


class FailingStream(io.RawIOBase):
    """Yields ``good`` bytes, then fails like a dropped upload from Slack."""

    def __init__(self, good: bytes) -> None:
        self.good = io.BytesIO(good)

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        chunk = self.good.read(n if n and n > 0 else 65536)
        if not chunk:
            raise ConnectionResetError("client went away")
        return chunk


def test_interrupted_stream_leaves_no_object(store: S3BlobStore) -> None:
    full = os.urandom(2 * 1024 * 1024)
    with pytest.raises(ConnectionResetError):
        store.put_stream(FailingStream(full[: len(full) // 2]))  # type: ignore[arg-type]
    assert objects(store) == []
    assert not store.exists(hashlib.sha256(full).hexdigest())


def test_corrupted_upload_is_refused_by_the_server(store: S3BlobStore, monkeypatch: Any) -> None:
    """A body that does not match its key (bit rot, a bug) is refused, never stored under the key."""
    real_put = store.client.put_object

    def corrupting_put(**kw: Any) -> Any:
        body = bytearray(kw["Body"].read())
        body[0] ^= 0xFF
        return real_put(**{**kw, "Body": bytes(body)})

    monkeypatch.setattr(store.client, "put_object", corrupting_put)
    payload = b"master pixels" * 500
    with pytest.raises(BlobError, match="could not store blob"):
        store.put_bytes(payload)
    assert objects(store) == []


def test_corrupt_object_is_detected_on_read(store: S3BlobStore) -> None:
    key = hashlib.sha256(b"expected").hexdigest()
    store.client.put_object(Bucket=store.bucket, Key=store.object_key(key), Body=b"something else")
    with pytest.raises(BlobError, match="corrupt"):
        store.read_bytes(key)


def test_open_blob_store_resolves_aws_variables(s3_server: SeaweedS3Server, monkeypatch: Any,
                                                tmp_path: Path) -> None:
    for name, value in s3_server.env().items():
        monkeypatch.setenv(name, value)
    blobs = open_blob_store(f"s3://{BUCKET}/env-{uuid.uuid4().hex[:8]}", tmp_path / "local")
    assert isinstance(blobs, S3BlobStore)
    key = blobs.put_bytes(b"via the environment")
    assert blobs.read_bytes(key) == b"via the environment"
    assert not (tmp_path / "local").exists()
    with pytest.raises(BlobError, match="no bucket"):
        open_blob_store("s3:///prefix", tmp_path)


WORKER = """
import io, sys
from PIL import Image
from pipeline.runtime import Runtime
from storage.settings import Settings

blobs = Runtime(Settings()).blobs
assert type(blobs).__name__ == "S3BlobStore", type(blobs)
with blobs.open(sys.argv[1]) as f:
    master = Image.open(f)
    master.load()
variant = master.resize((128, 96)).convert("L")
buf = io.BytesIO()
variant.save(buf, "PNG")
print(blobs.put_stream(io.BytesIO(buf.getvalue())))
"""


def test_worker_in_another_process_shares_blobs(s3_server: SeaweedS3Server, tmp_path: Path) -> None:
    prefix = f"worker-{uuid.uuid4().hex[:8]}"
    here = S3BlobStore(BUCKET, prefix, client=s3_server.client())
    buf = io.BytesIO()
    Image.fromarray(skdata.astronaut()).save(buf, "PNG")
    master_key = here.put_bytes(buf.getvalue())

    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "KEYART_"))}
    env.update(s3_server.env(), KEYART_BLOB_URL=f"s3://{BUCKET}/{prefix}",
               KEYART_DATA_DIR=str(tmp_path / "worker-data"), PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, "-c", WORKER, master_key], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    result_key = done.stdout.strip().splitlines()[-1]

    # The result is only in object storage: the worker's own data dir holds no blob.
    assert not (tmp_path / "worker-data" / "blobs").exists()
    variant = Image.open(io.BytesIO(here.read_bytes(result_key)))
    assert variant.size == (128, 96) and variant.mode == "L"
    assert sorted(objects(here)) == sorted(here.object_key(k) for k in (master_key, result_key))
