"""Untrusted images are decoded in warm child processes with hard limits (reference/reliability.md §3).

A decoder bug triggered by a hostile file can loop forever, allocate without bound or crash; in
the bot or a worker that would take down every thread's work. Here each decode runs in a child
(pipeline/imaging/decoder_child.py) with an address-space limit, a CPU-time limit and a
wall-clock timeout. A child that runs past them is killed and replaced; the caller gets a
``BadInput`` ("took too long / too much memory to decode: refused") and nothing is stored.

Children are plain ``subprocess`` processes running a fresh interpreter, never ``fork``: that is
safe from threaded processes (the Slack bot), from daemonic ones (multiprocessing / Celery
children) and under pytest-xdist. They are started on first use and kept warm (the interpreter
start and imports are paid once), at most ``workers`` of them; a child whose parent goes away
reads end-of-file and exits; ``shutdown()`` (also run at exit) stops them.
"""

from __future__ import annotations

import atexit
import logging
import os
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

from PIL import Image

from pipeline.errors import BadInput, OpFailed
from pipeline.imaging import wire
from pipeline.imaging.decode import NOTHING_STORED, Decoded
from pipeline.imaging.decoder_process import DecoderProcess
from storage.settings import Settings

log = logging.getLogger(__name__)
_PLAIN = re.compile(r"[^\w .,:;()=/+'-]")


@dataclass(frozen=True)
class DecodeLimits:
    """Per-decode limits (Settings ``decode_*``); the defaults fit a 90-megapixel master."""

    timeout_s: float = 30.0
    cpu_s: int = 20
    memory_mb: int = 3072
    workers: int = 2

    @classmethod
    def from_settings(cls, settings: Settings) -> DecodeLimits:
        return cls(
            timeout_s=settings.decode_timeout_s,
            cpu_s=settings.decode_cpu_s,
            memory_mb=settings.decode_memory_mb,
            workers=settings.decode_workers,
        )


class DecoderPool:
    """Warm decoding children shared by the threads of one process."""

    def __init__(self, limits: DecodeLimits | None = None) -> None:
        self.limits = limits or DecodeLimits()
        self.pid = os.getpid()
        self._idle: list[DecoderProcess] = []
        self._count = 0
        self._cond = threading.Condition()
        self._closed = False
        self._warming = 0  # children being started by warm(), not yet idle

    def decode(self, data: bytes, kind: str, label: str, limit: int) -> Decoded:
        """Decode ``data`` in a child; ``BadInput`` for refusals, including a killed decode."""
        limits = self.limits
        child = self._acquire()
        header = {
            "kind": kind,
            "label": label,
            "limit": limit,
            "cpu_s": limits.cpu_s,
            "memory_bytes": limits.memory_mb * 1024 * 1024,
        }
        healthy = False
        try:
            try:
                reply, pixels = child.request(
                    header, data, time.monotonic() + limits.timeout_s, max_payload=limit * 4
                )
            except wire.TimedOut:
                child.close(kill=True)
                log.warning("decoding %s took over %g s: child killed", label, limits.timeout_s)
                raise BadInput(_too_long(label, f"over {limits.timeout_s:g} s")) from None
            except wire.PeerGone as exc:
                why = child.death()
                child.close(kill=True)
                log.warning("the decoder stopped on %s (%s; %s)", label, why, exc)
                raise BadInput(_stopped(label, why, limits)) from None
            healthy = not reply.get("memory")
            try:
                return _result(reply, pixels, label, limits, limit)
            finally:
                wire.release(pixels)
                if child.shared is not None:
                    child.shared.shrink()
        finally:
            self._release(child, healthy)

    def warm(self) -> dict[str, bool]:
        """Start one child now (so the first upload doesn't wait); returns the formats it decodes."""
        with self._cond:
            if self._closed:
                raise OpFailed("the image decoder pool is shut down")
            if self._idle:
                return dict(self._idle[-1].formats)
            self._count += 1
            self._warming += 1
        try:
            child = DecoderProcess()
        except BaseException:
            with self._cond:
                self._count -= 1
                self._warming -= 1
                self._cond.notify_all()
            raise
        with self._cond:
            self._warming -= 1
        self._release(child, True)
        return dict(child.formats)

    def pids(self) -> list[int]:
        """Process ids of the idle children (diagnostics and leak checks)."""
        with self._cond:
            return [child.proc.pid for child in self._idle]

    def shutdown(self) -> None:
        """Stop the idle children; busy ones stop when their decode returns."""
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            self._count -= len(idle)
            self._cond.notify_all()
        for child in idle:
            child.close()

    def _acquire(self) -> DecoderProcess:
        with self._cond:
            while True:
                if self._closed:
                    raise OpFailed("the image decoder pool is shut down")
                while self._idle:
                    child = self._idle.pop()
                    if child.proc.poll() is None:
                        return child
                    self._count -= 1  # died while idle (killed from outside): replace it, quietly
                    log.warning("an idle image decoder had stopped (%s); starting another", child.death())
                    child.close()
                # A child being warmed up will be idle in a moment: wait for it rather than
                # start a second interpreter at the same time (a worker's first job does that).
                if not self._warming and self._count < max(self.limits.workers, 1):
                    self._count += 1
                    break
                self._cond.wait()
        try:
            return DecoderProcess()
        except BaseException:
            with self._cond:
                self._count -= 1
                self._cond.notify_all()
            raise

    def _release(self, child: DecoderProcess, healthy: bool) -> None:
        alive = healthy and child.proc.poll() is None
        with self._cond:
            keep = alive and not self._closed
            if keep:
                self._idle.append(child)
            else:
                self._count -= 1
            self._cond.notify_all()
        if not keep:
            child.close(kill=not alive)


def _result(
    reply: dict[str, Any], pixels: bytearray | memoryview, label: str, limits: DecodeLimits, limit: int
) -> Decoded:
    noise = [str(line) for line in reply.get("noise") or []]
    count = int(reply.get("noise_count") or 0)
    if noise:
        log.debug("decoder output for %s (%d lines):\n%s", label, count, "\n".join(noise))
    if reply.get("ok"):
        mode, size = str(reply["mode"]), tuple(int(v) for v in reply["size"])
        if (
            mode not in ("RGB", "RGBA")
            or len(size) != 2
            or size[0] * size[1] > limit
            or len(pixels) != size[0] * size[1] * len(mode)
        ):
            raise OpFailed(f"the image decoder sent back {mode} {size} with {len(pixels)} bytes")
        image = Image.frombytes(mode, (size[0], size[1]), pixels)  # a copy: the mapping is reused
        # The child's words reach people (upload notes): bounded, in case a decoder was subverted.
        notes = [str(note)[:300] for note in (reply.get("notes") or [])[:20]]
        return Decoded(image, str(reply["original_mode"])[:16], notes)
    if reply.get("memory"):
        raise BadInput(
            f"`{label}` needs too much memory to decode (over {limits.memory_mb} MB): refused. "
            f"{NOTHING_STORED}"
        )
    if "refused" in reply:
        raise BadInput(with_noise(str(reply["refused"]), noise, count))
    raise OpFailed(f"the image decoder failed on {label}: {reply.get('error')}")


def with_noise(message: str, noise: list[str], count: int) -> str:
    """The refusal with what the decoder said summed up in one clause (never the raw lines)."""
    if not noise:
        return message
    # Decoder output can echo bytes of the file: keep plain characters only (no Slack markup).
    first = _PLAIN.sub("?", noise[0]).rstrip(".")
    first = first if len(first) <= 90 else first[:89] + "…"
    said = (
        f"the decoder reported {count} problems, first: “{first}”"
        if count > 1
        else f"the decoder said: “{first}”"
    )
    head, dot, tail = message.partition(f" {NOTHING_STORED}")
    return f"{head.rstrip('.')} ({said}).{dot}{tail}" if dot else f"{message.rstrip('.')} ({said})."


def _too_long(label: str, how: str) -> str:
    return f"`{label}` took too long to decode ({how}): refused. {NOTHING_STORED}"


def _stopped(label: str, why: str, limits: DecodeLimits) -> str:
    if "SIGXCPU" in why:
        return _too_long(label, f"over {limits.cpu_s} CPU-seconds")
    return (
        f"`{label}` took too long / too much memory to decode (the decoder stopped): refused. "
        f"{NOTHING_STORED}"
    )


_lock = threading.Lock()
_pool: DecoderPool | None = None
_limits = DecodeLimits()


def configure(limits: DecodeLimits) -> None:
    """Set this process's decode limits (each entry point does, from Settings); applies at once."""
    global _limits
    with _lock:
        _limits = limits
        if _pool is not None and _pool.pid == os.getpid():
            _pool.limits = limits


def pool() -> DecoderPool:
    """This process's pool (a forked child gets its own, never its parent's children)."""
    global _pool
    with _lock:
        if _pool is None or _pool.pid != os.getpid():
            _pool = DecoderPool(_limits)
        return _pool


def warm_in_background() -> None:
    """Start a decoding child now, off the caller's thread (long-lived processes call this at start)."""

    def warm() -> None:
        try:
            pool().warm()
        except Exception:  # the first upload will try again, and say what is wrong
            log.warning("could not start an image decoder ahead of time", exc_info=True)

    threading.Thread(target=warm, name="keyart-decoder-warm", daemon=True).start()


def shutdown() -> None:
    """Stop this process's decoding children (run at exit; tests call it to check for leaks)."""
    global _pool
    with _lock:
        current, _pool = _pool, None
    if current is not None and current.pid == os.getpid():
        current.shutdown()


atexit.register(shutdown)
