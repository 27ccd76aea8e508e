"""A minimal Socket Mode endpoint: one WebSocket (RFC 6455, stdlib only) that sends envelopes
and collects the bot's acknowledgements, the way Slack's Socket Mode servers do."""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import struct
import threading
import time
from typing import Any

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class FakeSocketMode:
    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.acks: list[dict[str, Any]] = []
        self._conn: socket.socket | None = None
        self._connected = threading.Event()
        self._lock = threading.Condition()
        self._stop = False
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.listener.getsockname()[1]}/link/?ticket=t"

    def send(self, envelope: dict[str, Any], timeout: float = 20.0) -> dict[str, Any]:
        """Send one envelope once the bot is connected; returns the bot's ack for it."""
        assert self._connected.wait(timeout), "the bot never connected"
        assert self._conn is not None
        self._conn.sendall(_frame(json.dumps(envelope).encode(), opcode=1))
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [a for a in self.acks if a.get("envelope_id") == envelope["envelope_id"]]
                if found:
                    return found[0]
                assert time.monotonic() < deadline, "no ack"
                self._lock.wait(0.05)

    def close(self) -> None:
        self._stop = True
        if self._conn is not None:
            self._conn.close()
        self.listener.close()

    def _serve(self) -> None:
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return
        request = b""
        while b"\r\n\r\n" not in request:
            request += conn.recv(4096)
        key = next(line.split(":", 1)[1].strip() for line in request.decode().split("\r\n")
                   if line.lower().startswith("sec-websocket-key:"))
        accept = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()
        conn.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      f"Sec-WebSocket-Accept: {accept}\r\n\r\n").encode())
        conn.sendall(_frame(json.dumps({"type": "hello", "num_connections": 1,
                                        "connection_info": {"app_id": "A111"}}).encode(), opcode=1))
        self._conn = conn
        self._connected.set()
        self._read(conn)

    def _read(self, conn: socket.socket) -> None:
        buffer = b""
        while not self._stop:
            try:
                chunk = conn.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            while (parsed := _parse(buffer)) is not None:
                opcode, payload, buffer = parsed
                if opcode == 9:  # ping → pong
                    conn.sendall(_frame(payload, opcode=10))
                elif opcode == 1:
                    with self._lock:
                        self.acks.append(json.loads(payload))
                        self._lock.notify_all()
                elif opcode == 8:
                    return


def _frame(payload: bytes, *, opcode: int) -> bytes:
    """A server frame: final, unmasked."""
    head = bytes([0x80 | opcode])
    if len(payload) < 126:
        return head + bytes([len(payload)]) + payload
    if len(payload) < 65536:
        return head + bytes([126]) + struct.pack(">H", len(payload)) + payload
    return head + bytes([127]) + struct.pack(">Q", len(payload)) + payload


def _parse(data: bytes) -> tuple[int, bytes, bytes] | None:
    """One client frame (masked) from ``data``: (opcode, payload, rest), or None if incomplete."""
    if len(data) < 2:
        return None
    opcode, length, at = data[0] & 0x0F, data[1] & 0x7F, 2
    if length == 126:
        if len(data) < 4:
            return None
        length, at = struct.unpack(">H", data[2:4])[0], 4
    elif length == 127:
        if len(data) < 10:
            return None
        length, at = struct.unpack(">Q", data[2:10])[0], 10
    masked = data[1] & 0x80
    mask = data[at:at + 4] if masked else b""
    at += 4 if masked else 0
    if len(data) < at + length:
        return None
    payload = data[at:at + length]
    if masked:
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return opcode, payload, data[at + length:]
