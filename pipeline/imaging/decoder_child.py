"""The decoding child: decodes one untrusted image at a time behind hard limits.

Started by pipeline/imaging/sandbox.py as ``python -m pipeline.imaging.decoder_child`` and kept
warm. Each request gets its own limits (``resource.setrlimit``): an address-space cap above what
the child uses at rest, and a CPU-time cap counted from what it has used so far (the kernel sends
SIGXCPU, which ends the process). The parent adds a wall-clock timeout and kills the child past it.

What decoders print is captured here, never shown raw: the parent hands this process a temporary
file as fd 2 (libtiff and friends write to C-level stderr), fd 1 is pointed there too, and Python
warnings are recorded; each reply carries that noise for the parent to summarise and log.
"""

from __future__ import annotations

import math
import os
import resource
import sys
import warnings
from typing import Any

from pipeline.imaging import wire

MAX_NOISE_LINES = 50
MAX_NOISE_BYTES = 1 << 20  # read for counting; only the first lines travel


def main() -> None:
    shared = wire.Shared(int(sys.argv[2])) if sys.argv[1:2] == ["--shared"] else None
    # The protocol gets private copies of the pipes; fds 0 and 1 are then taken away from the
    # libraries, so nothing a decoder prints can corrupt a reply.
    proto_in, proto_out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash on a hostile file leaves no core file

    from PIL import features

    from pipeline.errors import BadInput
    from pipeline.imaging.decode import decode

    formats = {"AVIF": bool(features.check("avif"))}
    try:
        from pillow_heif import register_heif_opener
    except ImportError:
        formats["HEIF"] = False
    else:
        register_heif_opener()
        formats["HEIF"] = True
    wire.send(proto_out, {"ready": True, "pid": os.getpid(), "formats": formats})
    while True:
        try:
            request, payload_in = wire.recv(proto_in, shared=shared)
        except wire.PeerGone:
            return  # the parent closed the pipe (or died): nothing more to do
        data = bytes(payload_in)
        wire.release(payload_in)
        _limit(int(request["cpu_s"]), int(request["memory_bytes"]))
        _clear_noise()
        reply: dict[str, Any]
        payload = b""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                out = decode(data, request["kind"], request["label"], int(request["limit"]))
            except BadInput as exc:
                reply = {"ok": False, "refused": str(exc)}
            except MemoryError:
                reply = {"ok": False, "memory": True}
            except Exception as exc:  # a decoder bug keyart doesn't know yet: the parent reports it
                reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:500]}
            else:
                image = out.image
                reply = {
                    "ok": True,
                    "mode": image.mode,
                    "size": list(image.size),
                    "original_mode": out.original_mode,
                    "notes": out.notes,
                }
                payload = image.tobytes()
                del out, image
        del data
        reply["noise"], reply["noise_count"] = _noise(caught)
        wire.send(proto_out, reply, payload, shared=shared)
        if reply.get("memory"):
            return  # after a MemoryError the heap may be in any state: the parent starts a fresh child


def _limit(cpu_s: int, memory_bytes: int) -> None:
    """CPU seconds from now on and address space above what is mapped now, for one request."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = math.ceil(usage.ru_utime + usage.ru_stime)
    _, cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = used + max(cpu_s, 1)
    resource.setrlimit(
        resource.RLIMIT_CPU, (soft if cpu_hard == resource.RLIM_INFINITY else min(soft, cpu_hard), cpu_hard)
    )
    mapped = _mapped_bytes()
    if mapped is not None:
        _, as_hard = resource.getrlimit(resource.RLIMIT_AS)
        wanted = mapped + memory_bytes
        resource.setrlimit(
            resource.RLIMIT_AS,
            (wanted if as_hard == resource.RLIM_INFINITY else min(wanted, as_hard), as_hard),
        )


def _mapped_bytes() -> int | None:
    """The process's virtual size (Linux); elsewhere None, and only the CPU limit applies."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _clear_noise() -> None:
    os.ftruncate(2, 0)
    os.lseek(2, 0, os.SEEK_SET)


def _noise(caught: list[warnings.WarningMessage]) -> tuple[list[str], int]:
    """What the decoders printed and warned during this request: the first lines, and how many."""
    text = os.pread(2, MAX_NOISE_BYTES, 0).decode("utf-8", "replace")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    lines += [f"{w.category.__name__}: {w.message}" for w in caught]
    return [line[:300] for line in lines[:MAX_NOISE_LINES]], len(lines)


if __name__ == "__main__":
    main()
