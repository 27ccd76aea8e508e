"""Read a lossy WebP's VP8 quantiser indices from its frame header (RFC 6386 §9, §19.2).

WebP files do not store the encoder's quality setting; the quantiser indices they do store let
the audit find the quality that reproduces them on the reference (see encoding.py).
"""

from __future__ import annotations

import struct


class _BoolDecoder:
    """The VP8 boolean entropy decoder (RFC 6386 §7.3), enough for header fields."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 2
        self.value = (data[0] << 8) | data[1]
        self.range = 255
        self.bit_count = 0

    def bit(self, prob: int = 128) -> int:
        split = 1 + (((self.range - 1) * prob) >> 8)
        big_split = split << 8
        if self.value >= big_split:
            bit, self.range, self.value = 1, self.range - split, self.value - big_split
        else:
            bit, self.range = 0, split
        while self.range < 128:
            self.value <<= 1
            self.range <<= 1
            self.bit_count += 1
            if self.bit_count == 8:
                self.bit_count = 0
                if self.pos < len(self.data):
                    self.value |= self.data[self.pos]
                self.pos += 1
        return bit

    def literal(self, bits: int) -> int:
        value = 0
        for _ in range(bits):
            value = (value << 1) | self.bit()
        return value

    def signed(self, bits: int) -> int:
        magnitude = self.literal(bits)
        return -magnitude if self.bit() else magnitude

    def optional_signed(self, bits: int) -> int:
        return self.signed(bits) if self.bit() else 0


def _vp8_chunk(data: bytes) -> bytes | None:
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return None
    pos = 12
    while pos + 8 <= len(data):
        tag, size = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        if tag == b"VP8 ":
            return data[pos + 8 : pos + 8 + size]
        pos += 8 + size + (size & 1)
    return None  # VP8L (lossless) or animated


def segment_quantizers(data: bytes) -> tuple[int, ...] | None:
    """Per-segment luma AC quantiser indices (0–127) of a lossy WebP, or None if not lossy VP8."""
    chunk = _vp8_chunk(data)
    if chunk is None or len(chunk) < 12 or chunk[0] & 1 or chunk[3:6] != b"\x9d\x01\x2a":
        return None
    d = _BoolDecoder(chunk[10:])
    d.literal(2)  # colour space, clamping type
    absolute, segment_q = False, None
    if d.bit():  # segmentation enabled
        update_map = d.bit()
        if d.bit():  # update segment feature data
            absolute = bool(d.bit())
            segment_q = [d.optional_signed(7) for _ in range(4)]
            for _ in range(4):
                d.optional_signed(6)  # loop-filter levels
        if update_map:
            for _ in range(3):
                if d.bit():
                    d.literal(8)
    d.literal(1 + 6 + 3)  # filter type, level, sharpness
    if d.bit() and d.bit():  # loop-filter deltas enabled and updated
        for _ in range(8):
            d.optional_signed(6)
    d.literal(2)  # log2 number of DCT partitions
    base = d.literal(7)
    if segment_q is None:
        return (base,)
    return tuple(q if absolute else max(0, min(127, base + q)) for q in segment_q)
