"""The decoding child's pipe protocol: one message = a JSON header and an optional byte payload.

Framing: ``u32`` header length, the JSON header, ``u64`` payload length, the payload. JSON, never
pickle, comes back from the child: a decoder exploited by a hostile file must not be able to run
code in the parent by what it writes. Reads and writes take a deadline (``time.monotonic``) so a
stuck child cannot hang the parent; ``None`` blocks (the child's side).

Where the platform has ``memfd_create`` (Linux), payloads travel through a :class:`Shared` memory
file instead of the pipe (the header says how many bytes): a 12-megapixel image is 36 MB, and
pushing that through a 64 KB pipe costs more than decoding a JPEG of it.
"""

from __future__ import annotations

import json
import mmap
import os
import select
import struct
import time
from typing import Any

MAX_HEADER = 1 << 20
CHUNK = 1 << 20


class PeerGone(Exception):
    """The other end closed the pipe (the child died, or the parent went away)."""


class TimedOut(Exception):
    """The deadline passed before the message was complete."""


class Shared:
    """A memory file both processes hold (the parent creates it and passes it to the child)."""

    SHRINK_ABOVE = 64 * 1024 * 1024  # give back the memory of an unusually large payload

    def __init__(self, fd: int) -> None:
        self.fd = fd

    @classmethod
    def create(cls) -> Shared | None:
        if not hasattr(os, "memfd_create"):
            return None
        return cls(os.memfd_create("keyart-decode"))

    def put(self, data: bytes | memoryview) -> int:
        view = memoryview(data).cast("B")
        if os.fstat(self.fd).st_size < len(view):
            os.ftruncate(self.fd, len(view))
        done = 0
        while done < len(view):
            done += os.pwrite(self.fd, view[done:], done)
        return len(view)

    def view(self, size: int) -> memoryview:
        """``size`` bytes from the start, mapped read-only; call :func:`release` when done."""
        if size == 0:
            return memoryview(b"")
        if os.fstat(self.fd).st_size < size:
            raise PeerGone(f"shared payload of {size} bytes is not there")
        return memoryview(mmap.mmap(self.fd, size, prot=mmap.PROT_READ))

    def shrink(self) -> None:
        if os.fstat(self.fd).st_size > self.SHRINK_ABOVE:
            os.ftruncate(self.fd, 0)

    def close(self) -> None:
        os.close(self.fd)


def release(payload: bytes | bytearray | memoryview) -> None:
    """Unmap a payload that came through :class:`Shared` (a no-op for pipe payloads)."""
    if isinstance(payload, memoryview):
        mapped = payload.obj
        payload.release()
        if isinstance(mapped, mmap.mmap):
            mapped.close()


def send(
    fd: int,
    header: dict[str, Any],
    payload: bytes | memoryview = b"",
    deadline: float | None = None,
    shared: Shared | None = None,
) -> None:
    if shared is not None and len(payload):
        header = {**header, "shared": shared.put(payload)}
        payload = b""
    head = json.dumps(header).encode()
    _write_all(fd, struct.pack(">I", len(head)) + head + struct.pack(">Q", len(payload)), deadline)
    _write_all(fd, payload, deadline)


def recv(
    fd: int, deadline: float | None = None, *, max_payload: int | None = None, shared: Shared | None = None
) -> tuple[dict[str, Any], bytearray | memoryview]:
    """One message; ``max_payload`` bounds what a (possibly compromised) peer can make us allocate.

    A payload that came through ``shared`` is a read-only mapping: :func:`release` it after use.
    """
    (size,) = struct.unpack(">I", _read_exact(fd, 4, deadline))
    if size > MAX_HEADER:
        raise PeerGone(f"header of {size} bytes")
    header = json.loads(_read_exact(fd, size, deadline))
    (length,) = struct.unpack(">Q", _read_exact(fd, 8, deadline))
    if max_payload is not None and length > max_payload:
        raise PeerGone(f"payload of {length} bytes, expected at most {max_payload}")
    if not isinstance(header, dict):
        raise PeerGone("header is not an object")
    payload = _read_exact(fd, length, deadline)
    in_shared = header.get("shared")
    if isinstance(in_shared, int) and shared is not None:
        if max_payload is not None and in_shared > max_payload:
            raise PeerGone(f"shared payload of {in_shared} bytes, expected at most {max_payload}")
        return header, shared.view(in_shared)
    return header, payload


def _wait(fd: int, deadline: float | None, *, write: bool) -> None:
    if deadline is None:
        return
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimedOut
    ready = select.select([], [fd], [], remaining) if write else select.select([fd], [], [], remaining)
    if not (ready[1] if write else ready[0]):
        raise TimedOut


def _write_all(fd: int, data: bytes | memoryview, deadline: float | None) -> None:
    view = memoryview(data)
    while view:
        _wait(fd, deadline, write=True)
        try:
            written = os.write(fd, view[:CHUNK])
        except (BrokenPipeError, ConnectionResetError):
            raise PeerGone("pipe closed") from None
        view = view[written:]


def _read_exact(fd: int, size: int, deadline: float | None) -> bytearray:
    buf = bytearray(size)
    view = memoryview(buf)
    got = 0
    while got < size:
        _wait(fd, deadline, write=False)
        n = os.readv(fd, [view[got : got + CHUNK]])
        if n == 0:
            raise PeerGone("pipe closed")
        got += n
    return buf
