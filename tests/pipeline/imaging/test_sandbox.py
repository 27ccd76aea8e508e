"""Decoding behind hard limits: a decode that runs long, eats memory or crashes is refused, nothing
leaks, and the pool keeps serving (threads, a forked process)."""

from __future__ import annotations

import io
import multiprocessing
import os
import signal
import struct
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline.errors import BadInput
from pipeline.imaging import load_image, sandbox
from pipeline.imaging.sandbox import DecodeLimits, DecoderPool

MB = 1_000_000


def rle8_bmp(width: int, height: int) -> bytes:
    """A legal run-length BMP of one-pixel runs: Pillow decodes RLE in Python, ~0.3 s per megapixel."""
    pixels = (bytes([1, 7]) * width + b"\0\0") * height + b"\0\1"
    palette = b"".join(bytes([i, i, i, 0]) for i in range(256))
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 8, 1, len(pixels), 2835, 2835, 256, 0)
    offset = 14 + len(info) + len(palette)
    return b"BM" + struct.pack("<IHHI", offset + len(pixels), 0, 0, offset) + info + palette + pixels


def png(width: int, height: int, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), (10, 20, 30, 40)[: len(mode)]).save(out, "PNG")
    return out.getvalue()


MakePool = Callable[..., DecoderPool]


@pytest.fixture
def make_pool() -> Iterator[MakePool]:
    pools: list[DecoderPool] = []

    def build(limits: DecodeLimits | None = None) -> DecoderPool:
        pools.append(DecoderPool(limits))
        return pools[-1]

    yield build
    for pool in pools:
        pool.shutdown()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purposes only once reaped; /proc tells us which.
    status = Path(f"/proc/{pid}/status")
    return not status.exists() or "State:\tZ" not in status.read_text()


def test_decode_past_the_wall_clock_is_killed_and_the_pool_recovers(make_pool: MakePool) -> None:
    pool = make_pool(DecodeLimits(timeout_s=0.2, cpu_s=60))
    pool.warm()
    [before] = pool.pids()
    with pytest.raises(
        BadInput,
        match=r"^`slow.bmp` took too long to decode \(over 0\.2 s\): refused\. "
        r"Nothing was stored\.$",
    ):
        pool.decode(rle8_bmp(1500, 1500), "BMP", "slow.bmp", 10 * MB)
    assert not alive(before)
    decoded = pool.decode(png(8, 8), "PNG", "ok.png", MB)  # a fresh child takes over
    assert decoded.image.size == (8, 8) and pool.pids() != [before]


def test_cpu_limit_ends_the_decode(make_pool: MakePool) -> None:
    pool = make_pool(DecodeLimits(timeout_s=120, cpu_s=1))
    with pytest.raises(
        BadInput, match=r"^`cpu.bmp` took too long to decode \(over 1 CPU-seconds\): refused\."
    ):
        pool.decode(rle8_bmp(3000, 3000), "BMP", "cpu.bmp", 10 * MB)


def test_memory_limit_refuses_without_storing(make_pool: MakePool) -> None:
    pool = make_pool(DecodeLimits(memory_mb=24))
    with pytest.raises(
        BadInput,
        match=r"^`big.png` needs too much memory to decode \(over 24 MB\): refused\. "
        r"Nothing was stored\.$",
    ):
        pool.decode(png(4000, 4000, "RGBA"), "PNG", "big.png", 20 * MB)  # 64 MB of pixels
    assert pool.decode(png(16, 16), "PNG", "small.png", MB).image.size == (16, 16)


def test_limits_are_set_in_the_child(make_pool: MakePool) -> None:
    pool = make_pool(DecodeLimits(cpu_s=7, memory_mb=500))
    pool.decode(png(8, 8), "PNG", "a.png", MB)
    [pid] = pool.pids()
    limits = {
        line[:26].strip(): line[26:].split() for line in Path(f"/proc/{pid}/limits").read_text().splitlines()
    }
    assert limits["Max cpu time"][0] != "unlimited"
    assert 500 * 2**20 < int(limits["Max address space"][0]) < 4 * 2**30
    assert limits["Max core file size"][0] == "0"


def test_a_decoder_crash_is_a_refusal(make_pool: MakePool) -> None:
    pool = make_pool(DecodeLimits(timeout_s=60, cpu_s=60))
    pool.warm()
    [pid] = pool.pids()
    errors: list[BaseException] = []

    def decode() -> None:
        try:
            pool.decode(rle8_bmp(2000, 2000), "BMP", "crash.bmp", 10 * MB)
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=decode)
    idle_ticks = _cpu_ticks(pid)
    worker.start()
    # The child is busy with the slow file once its CPU clock moves; then it "crashes".
    deadline = time.monotonic() + 30
    while _cpu_ticks(pid) < idle_ticks + 10 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(pid, signal.SIGSEGV)
    worker.join(60)
    assert len(errors) == 1 and isinstance(errors[0], BadInput)
    assert str(errors[0]) == (
        "`crash.bmp` took too long / too much memory to decode (the decoder stopped): "
        "refused. Nothing was stored."
    )


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def test_an_idle_child_that_died_is_replaced_quietly(make_pool: MakePool) -> None:
    pool = make_pool()
    pool.warm()
    [pid] = pool.pids()
    os.kill(pid, signal.SIGKILL)
    while alive(pid) and _reap_pending(pid):
        time.sleep(0.01)
    assert pool.decode(png(8, 8), "PNG", "a.png", MB).image.size == (8, 8)


def _reap_pending(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists() and "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()


def test_threads_share_the_pool_and_get_their_own_pixels(make_pool: MakePool) -> None:
    pool = make_pool(DecodeLimits(workers=2))
    results: dict[int, tuple[int, int, int]] = {}

    def decode(i: int) -> None:
        out = io.BytesIO()
        Image.new("RGB", (20 + i, 10), (i, 2 * i, 3 * i)).save(out, "PNG")
        image = pool.decode(out.getvalue(), "PNG", f"{i}.png", MB).image
        results[i] = (image.width, *image.getpixel((3, 3))[:2])  # type: ignore[index]

    threads = [threading.Thread(target=decode, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert results == {i: (20 + i, i, 2 * i) for i in range(8)}
    assert len(pool.pids()) <= 2


def _decode_in_fork(conn: multiprocessing.connection.Connection) -> None:
    image = load_image(png(5, 7), name="forked.png", max_bytes=MB).image
    conn.send((image.size, os.getpid()))
    sandbox.shutdown()


def test_a_forked_process_gets_its_own_children() -> None:
    load_image(png(4, 4), name="warm.png", max_bytes=MB)
    parent_children = set(sandbox.pool().pids())
    context = multiprocessing.get_context("fork")
    here, there = context.Pipe()
    proc = context.Process(target=_decode_in_fork, args=(there,))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # Python ≥ 3.12 frowns on fork with threads
        proc.start()
    assert here.poll(60), "the forked process did not answer"
    size, pid = here.recv()
    proc.join(30)
    assert size == (5, 7) and pid != os.getpid() and proc.exitcode == 0
    assert set(sandbox.pool().pids()) == parent_children  # the parent's children were not touched
    assert load_image(png(3, 3), name="after.png", max_bytes=MB).image.size == (3, 3)


def test_shutdown_leaves_no_process_behind() -> None:
    pool = DecoderPool(DecodeLimits(workers=2))
    barrier = threading.Barrier(2)

    def decode() -> None:
        barrier.wait()
        pool.decode(png(300, 300), "PNG", "x.png", MB)

    threads = [threading.Thread(target=decode) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    pids = pool.pids()
    assert pids
    pool.shutdown()
    assert [pid for pid in pids if alive(pid)] == []
    with pytest.raises(Exception, match="shut down"):
        pool.decode(png(3, 3), "PNG", "late.png", MB)


def test_child_exits_when_its_parent_dies(tmp_path: Path) -> None:
    import subprocess
    import sys

    script = (
        "import sys, os\n"
        "from pipeline.imaging import sandbox\n"
        "pool = sandbox.pool(); pool.warm()\n"
        "print(pool.pids()[0], flush=True)\n"
        "os._exit(0)\n"  # no atexit, no cleanup: as if killed
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[3],
    )
    pid = int(result.stdout.strip())
    deadline = time.monotonic() + 30
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(pid)


def test_noise_is_one_clause_in_the_refusal(make_pool: MakePool) -> None:
    pool = make_pool()
    with pytest.raises(BadInput) as err:
        pool.decode(noisy_corrupt_tiff(), "TIFF", "scan.tif", MB)
    message = str(err.value)
    assert message.startswith(
        "`scan.tif` is truncated or corrupt: it says it is a TIFF but could not be "
        "decoded (the decoder reported "
    )
    assert message.endswith("). Nothing was stored.") and "\n" not in message
    assert int(message.split("reported ")[1].split()[0]) > 200


def noisy_corrupt_tiff() -> bytes:
    """A deflate TIFF with 200 tags of an unknown type (libtiff warns for each) and broken data."""
    from PIL import TiffImagePlugin

    info = TiffImagePlugin.ImageFileDirectory_v2()
    for tag in range(40000, 40200):
        info[tag] = 7
        info.tagtype[tag] = 3
    out = io.BytesIO()
    pixels = np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(out, "TIFF", compression="tiff_adobe_deflate", tiffinfo=info)
    raw = bytearray(out.getvalue())
    (ifd,) = struct.unpack("<I", raw[4:8])
    (count,) = struct.unpack("<H", raw[ifd : ifd + 2])
    strip = 0
    for k in range(count):
        entry = ifd + 2 + 12 * k
        tag = struct.unpack("<H", raw[entry : entry + 2])[0]
        if 40000 <= tag < 40200:
            raw[entry + 2 : entry + 4] = struct.pack("<H", 77)  # no such TIFF field type
        if tag == 273:  # StripOffsets
            (strip,) = struct.unpack("<I", raw[entry + 8 : entry + 12])
    raw[strip + 2 : strip + 40] = bytes(38)
    return bytes(raw)


def test_the_child_gets_no_secrets(make_pool: MakePool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-not-for-decoders")
    monkeypatch.setenv("KEYART_DATABASE_URL", "postgresql://keyart:secret@db/keyart")
    pool = make_pool()
    pool.warm()
    [pid] = pool.pids()
    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    names = {entry.split(b"=", 1)[0].decode() for entry in environ if entry}
    assert "SLACK_BOT_TOKEN" not in names and "KEYART_DATABASE_URL" not in names
    assert {"PYTHONPATH", "OPENBLAS_NUM_THREADS"} <= names
