"""Content-addressed blobs on S3-compatible object storage (AWS S3, SeaweedFS, MinIO, Ceph …).

Same keys as the local store (``<prefix>/ab/cd/<sha256>``), so workers on other machines share
blobs. A PUT of a single object is atomic on S3: readers see the whole object or none. Streams
are hashed while they are spooled to an anonymous temp file, and only then uploaded under their
final key, so a failed reader or upload never leaves a partial object under a real key. Reads
stream the ``get_object`` body; whole-blob reads are checked against the key.

Endpoint, credentials and region come from boto3's own resolution (``AWS_ENDPOINT_URL``,
``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_DEFAULT_REGION``, config files, roles).
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, cast

from botocore.exceptions import ClientError

from storage.blobs import CHUNK, BlobError, check_key

# Above this, upload in parts (S3 refuses a single PUT over 5 GiB); the object still only
# appears under its key when the multipart upload completes.
MULTIPART_THRESHOLD = 256 * 1024 * 1024
_MISSING = {"404", "NoSuchKey", "NotFound"}


def _code(err: ClientError) -> str:
    return str(err.response.get("Error", {}).get("Code", ""))


class _BodyReader(io.RawIOBase):
    """Adapts a botocore ``StreamingBody`` to a file object (for ``io.BufferedReader``)."""

    def __init__(self, body: Any) -> None:
        self._body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._body.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._body.close()
        super().close()


class S3BlobStore:
    """Blobs as objects ``s3://<bucket>/<prefix>/ab/cd/<sha256>``."""

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        client: Any = None,
        multipart_threshold: int = MULTIPART_THRESHOLD,
    ) -> None:
        if not bucket:
            raise BlobError("s3 blob store: the URL names no bucket (expected s3://bucket/prefix)")
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.multipart_threshold = multipart_threshold
        if client is None:
            import boto3

            client = boto3.client("s3")
        self.client = client

    @classmethod
    def from_url(cls, url: str) -> S3BlobStore:
        """``s3://bucket/prefix`` → store; boto3 resolves endpoint and credentials."""
        bucket, _, prefix = url.removeprefix("s3://").partition("/")
        return cls(bucket, prefix)

    def object_key(self, key: str) -> str:
        check_key(key)
        name = f"{key[:2]}/{key[2:4]}/{key}"
        return f"{self.prefix}/{name}" if self.prefix else name

    def _where(self, key: str) -> str:
        return f"s3://{self.bucket}/{self.object_key(key)}"

    # -- writing ---------------------------------------------------------------------------

    def put_bytes(self, data: bytes) -> str:
        key = hashlib.sha256(data).hexdigest()
        if not self.exists(key):
            self._upload(key, io.BytesIO(data), len(data))
        return key

    def put_file(self, path: Path) -> str:
        with open(path, "rb") as f:
            return self.put_stream(f)

    def put_stream(self, stream: BinaryIO) -> str:
        digest = hashlib.sha256()
        # An unlinked temp file: nothing to sweep if this process dies mid-spool.
        with tempfile.TemporaryFile(prefix="keyart-s3-") as spool:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                spool.write(chunk)
            key = digest.hexdigest()
            if not self.exists(key):
                size = spool.tell()
                spool.seek(0)
                self._upload(key, cast(BinaryIO, spool), size)
        return key

    def _upload(self, key: str, body: BinaryIO, size: int) -> None:
        target = self.object_key(key)
        try:
            if size > self.multipart_threshold:
                from boto3.s3.transfer import TransferConfig

                config = TransferConfig(multipart_threshold=self.multipart_threshold)
                self.client.upload_fileobj(body, self.bucket, target, Config=config)
            else:
                # The server checks the body against the key's own digest: a corrupted or short
                # body is refused rather than stored under a key it does not match.
                sha = base64.b64encode(bytes.fromhex(key)).decode()
                self.client.put_object(
                    Bucket=self.bucket, Key=target, Body=body, ContentLength=size, ChecksumSHA256=sha
                )
        except ClientError as err:
            raise BlobError(f"could not store blob {key} at {self._where(key)}: {err}") from err

    # -- reading ---------------------------------------------------------------------------

    def _head(self, key: str) -> dict[str, Any] | None:
        try:
            return cast(dict[str, Any], self.client.head_object(Bucket=self.bucket, Key=self.object_key(key)))
        except ClientError as err:
            if _code(err) in _MISSING:
                return None
            raise BlobError(f"could not look up blob {key} at {self._where(key)}: {err}") from err

    def exists(self, key: str) -> bool:
        return self._head(key) is not None

    def size(self, key: str) -> int:
        head = self._head(key)
        if head is None:
            raise BlobError(f"no blob {key} (at {self._where(key)})")
        return int(head["ContentLength"])

    def _body(self, key: str) -> Any:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self.object_key(key))["Body"]
        except ClientError as err:
            if _code(err) in _MISSING:
                raise BlobError(f"no blob {key} (at {self._where(key)})") from err
            raise BlobError(f"could not read blob {key} at {self._where(key)}: {err}") from err

    def open(self, key: str) -> BinaryIO:
        """A streaming file object over the blob; close it when done."""
        return cast(BinaryIO, io.BufferedReader(_BodyReader(self._body(key)), CHUNK))

    def iter_chunks(self, key: str) -> Iterator[bytes]:
        """Stream the blob; raises ``BlobError`` at the end if the bytes do not match the key."""
        body = self._body(key)
        digest = hashlib.sha256()
        try:
            for chunk in body.iter_chunks(CHUNK):
                digest.update(chunk)
                yield chunk
        finally:
            body.close()
        if digest.hexdigest() != key:
            raise BlobError(f"blob {key} at {self._where(key)} is corrupt (content digest differs)")

    def read_bytes(self, key: str) -> bytes:
        return b"".join(self.iter_chunks(key))

    def export(self, key: str, dest: Path) -> Path:
        """Copy a blob to ``dest`` (atomically), e.g. into a ``--out`` folder."""
        dest = Path(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.part")
        try:
            with open(tmp, "wb") as out:
                for chunk in self.iter_chunks(key):
                    out.write(chunk)
            os.replace(tmp, dest)
        finally:
            tmp.unlink(missing_ok=True)
        return dest
