"""One decoding child process (pipeline/imaging/decoder_child.py) as the parent sees it.

A fresh interpreter started with ``subprocess`` (never ``fork``: safe from threaded and daemonic
processes), its own directory on ``sys.path`` so it runs the same keyart as its parent, one
thread for BLAS/OpenMP, a temporary file as its stderr (what decoders print lands there), and a
shared memory file for payloads where the platform has one.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

from pipeline.errors import OpFailed
from pipeline.imaging import wire

START_TIMEOUT_S = 60.0  # interpreter start + imports on a loaded 2-core machine
_ROOT = str(Path(__file__).resolve().parents[2])  # the folder holding the `pipeline` package
_PASSED_ENV = {"PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ", "PYTHONPATH", "VIRTUAL_ENV"}


class DecoderProcess:
    """One warm decoding process, its pipes and shared memory; used by one thread at a time."""

    def __init__(self) -> None:
        # The child's fd 2 (what decoders print); closed in close(), it outlives this call.
        self.noise: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        # Only what an interpreter needs: no tokens, keys or database URLs for a subverted decoder.
        env = {k: v for k, v in os.environ.items() if k in _PASSED_ENV}
        env |= {
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "PYTHONPATH": os.pathsep.join([_ROOT, os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        }
        self.shared = wire.Shared.create()
        extra = ["--shared", str(self.shared.fd)] if self.shared else []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pipeline.imaging.decoder_child", *extra],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.noise,
            env=env,
            close_fds=True,
            pass_fds=(self.shared.fd,) if self.shared else (),
            cwd=_ROOT,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.to_child, self.from_child = self.proc.stdin.fileno(), self.proc.stdout.fileno()
        try:
            hello, _ = wire.recv(self.from_child, time.monotonic() + START_TIMEOUT_S, max_payload=0)
        except (wire.PeerGone, wire.TimedOut) as exc:
            self.close(kill=True)
            raise OpFailed(
                f"the image decoder did not start: {type(exc).__name__} {self._stderr()}"
            ) from None
        self.formats: dict[str, bool] = dict(hello.get("formats") or {})

    def request(
        self, header: dict[str, Any], data: bytes, deadline: float, max_payload: int
    ) -> tuple[dict[str, Any], bytearray | memoryview]:
        wire.send(self.to_child, header, data, deadline, shared=self.shared)
        return wire.recv(self.from_child, deadline, max_payload=max_payload, shared=self.shared)

    def close(self, *, kill: bool = False) -> None:
        """Stop the child: end-of-file asks it to exit; ``kill`` (or a child that lingers) ends it."""
        if kill and self.proc.poll() is None:
            self.proc.kill()
        for pipe in (self.proc.stdin, self.proc.stdout):
            try:
                if pipe is not None:
                    pipe.close()
            except OSError:
                pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.noise.close()
        if self.shared is not None:
            self.shared.close()
            self.shared = None

    def _stderr(self) -> str:
        self.noise.seek(0)
        return self.noise.read(2000).decode("utf-8", "replace").strip()

    def death(self) -> str:
        """Why the child stopped (after it has): its signal or exit status, and its last output."""
        try:
            code = self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return "still running"
        if code < 0:
            try:
                return f"killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exited with status {code}: {self._stderr()[-300:]}"
