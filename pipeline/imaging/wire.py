"""The decoding child's pipe protocol: one message = a JSON header and an optional byte payload.

Framing: ``u32`` header length, the JSON header, ``u64`` payload length, the payload. JSON, never
pickle, comes back from the child: a decoder exploited by a hostile file must not be able to run
code in the parent by what it writes. Reads and writes take a deadline (``time.monotonic``) so a
stuck child cannot hang the parent; ``None`` blocks (the child's side).
"""

from __future__ import annotations

import json
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


def send(
    fd: int, header: dict[str, Any], payload: bytes | memoryview = b"", deadline: float | None = None
) -> None:
    head = json.dumps(header).encode()
    _write_all(fd, struct.pack(">I", len(head)) + head + struct.pack(">Q", len(payload)), deadline)
    _write_all(fd, payload, deadline)


def recv(
    fd: int, deadline: float | None = None, *, max_payload: int | None = None
) -> tuple[dict[str, Any], bytearray]:
    """One message; ``max_payload`` bounds what a (possibly compromised) peer can make us allocate."""
    (size,) = struct.unpack(">I", _read_exact(fd, 4, deadline))
    if size > MAX_HEADER:
        raise PeerGone(f"header of {size} bytes")
    header = json.loads(_read_exact(fd, size, deadline))
    (length,) = struct.unpack(">Q", _read_exact(fd, 8, deadline))
    if max_payload is not None and length > max_payload:
        raise PeerGone(f"payload of {length} bytes, expected at most {max_payload}")
    if not isinstance(header, dict):
        raise PeerGone("header is not an object")
    return header, _read_exact(fd, length, deadline)


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
