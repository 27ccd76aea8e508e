"""Start real PostgreSQL / Redis servers on loopback for the tests (Debian binaries).

When a binary is missing the fixture skips, unless ``KEYART_TEST_REQUIRE_SERVICES=1`` (set by
``.ci/run``), where a missing server is a failure: CI must not pass by skipping.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def missing(what: str) -> None:
    if os.environ.get("KEYART_TEST_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{what} is required (KEYART_TEST_REQUIRE_SERVICES=1) but not installed")
    pytest.skip(f"{what} not installed")


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


class PostgresServer:
    """A throwaway PostgreSQL cluster in ``root`` listening on 127.0.0.1:``port``."""

    def __init__(self, root: Path) -> None:
        initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
        if not initdb or not pg_ctl:
            missing("PostgreSQL (initdb/pg_ctl)")
        self.initdb, self.pg_ctl = str(initdb), str(pg_ctl)
        self.root = root
        self.data = root / "data"
        self.port = free_port()
        # PostgreSQL refuses to run as root: run it as the 'postgres' system user then.
        self.prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://keyart@127.0.0.1:{self.port}/keyart"

    def start(self) -> PostgresServer:
        self.root.mkdir(parents=True, exist_ok=True)
        if self.prefix:
            shutil.chown(self.root, "postgres", "postgres")
        run = lambda *args: subprocess.run([*self.prefix, *args], check=True, capture_output=True)  # noqa: E731
        run(self.initdb, "-D", str(self.data), "-U", "keyart", "-A", "trust", "--no-sync", "-E", "UTF8")
        opts = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off"
        run(self.pg_ctl, "-D", str(self.data), "-o", opts, "-l", str(self.root / "log"), "-w", "start")
        self._wait()
        self.create_database("keyart")
        return self

    def create_database(self, name: str) -> None:
        import psycopg

        dsn = f"host=127.0.0.1 port={self.port} user=keyart dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

    def _wait(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("PostgreSQL did not start")

    def stop(self) -> None:
        subprocess.run(
            [*self.prefix, self.pg_ctl, "-D", str(self.data), "-m", "immediate", "stop"], capture_output=True
        )


class RedisServer:
    """A throwaway Redis on 127.0.0.1:``port`` with no persistence (the tests' Celery broker)."""

    def __init__(self, root: Path) -> None:
        binary = shutil.which("redis-server")
        if not binary:
            missing("Redis (redis-server)")
        self.binary = str(binary)
        self.root = root
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.root.mkdir(parents=True, exist_ok=True)
        args = [
            self.binary,
            "--save",
            "",
            "--appendonly",
            "no",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.root),
            "--maxmemory-policy",
            "noeviction",
        ]
        with open(self.root / "redis.log", "wb") as log:
            self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited: {(self.root / 'redis.log').read_text()[-500:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("Redis did not start")

    def flush(self) -> None:
        """Drop every key (queued and unacknowledged messages too): a clean broker per test."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as conn:
            conn.sendall(b"FLUSHALL\r\n")
            if not conn.recv(16).startswith(b"+OK"):
                raise RuntimeError("Redis FLUSHALL failed")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
