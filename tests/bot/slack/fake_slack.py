"""A local stand-in for the Slack Web API (loopback only), the way bolt-python tests itself.

It records every call, keeps the messages it was asked to post (so ``conversations.replies``
and ``chat.update`` behave), runs the three-step file upload, serves ``url_private`` downloads
to the bot token only, answers ``usergroups.users.list``, and can answer 429 + ``Retry-After``.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"
BOT_USER = "UBOT"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float
    status: int = 200


@dataclass
class Download:
    body: bytes
    content_type: str = "image/png"
    declared_length: int | None = None  # None: the real length; -1: no Content-Length (streamed)


@dataclass
class FakeSlack:
    calls: list[Call] = field(default_factory=list)
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)  # ts → message
    uploads: dict[str, bytes] = field(default_factory=dict)  # file id → bytes
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # file id → file object
    downloads: dict[str, Download] = field(default_factory=dict)
    groups: dict[str, list[str]] = field(default_factory=dict)
    rate_limits: dict[str, list[int]] = field(default_factory=dict)  # method → [times left, retry-after]
    socket_url: str = ""  # what apps.connections.open hands out (Socket Mode)

    def __post_init__(self) -> None:
        self._lock = threading.Condition()
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    # -- test helpers -------------------------------------------------------------------------
    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def base_url(self) -> str:
        return f"{self.root}/api/"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def serve_file(self, name: str, body: bytes, **kwargs: Any) -> dict[str, Any]:
        """Make ``body`` downloadable and return the file object an event would carry."""
        file_id = f"FU{next(self._ids):06d}"
        self.downloads[file_id] = Download(body, **kwargs)
        url = f"{self.root}/files-pri/{file_id}/{name}"
        obj = {"id": file_id, "name": name, "size": len(body), "mimetype": "image/png",
               "url_private": url, "url_private_download": url + "?download=1"}
        self.files[file_id] = obj
        return obj

    def ratelimit(self, method: str, *, times: int = 1, retry_after: int = 1) -> None:
        self.rate_limits[method] = [times, retry_after]

    def of(self, method: str, **match: Any) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method and c.status == 200
                    and all(c.params.get(k) == v for k, v in match.items())]

    def posts(self, channel: str | None = None, thread_ts: str | None = None) -> list[dict[str, Any]]:
        """Messages (posts and file shares) in order, optionally of one thread."""
        with self._lock:
            found = list(self.messages.values())
        return [m for m in found if (channel is None or m["channel"] == channel)
                and (thread_ts is None or m.get("thread_ts") == thread_ts)]

    def texts(self, thread_ts: str | None = None) -> list[str]:
        return [m.get("text") or "" for m in self.posts(thread_ts=thread_ts)]

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 20.0, what: str = "") -> Any:
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                value = predicate()
                if value:
                    return value
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out waiting for {what or predicate}; calls: "
                                         f"{[c.method for c in self.calls][-30:]}")
                self._lock.wait(min(left, 0.1))

    # -- the API ------------------------------------------------------------------------------
    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)
            self._lock.notify_all()

    def _next_ts(self) -> str:
        return f"1700000000.{next(self._ts):06d}"

    def api(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
        limit = self.rate_limits.get(method)
        if limit and limit[0] > 0:
            limit[0] -= 1
            self._record(Call(method, params, time.monotonic(), 429))
            return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(limit[1])}
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        body = handler(params) if handler else {"ok": True}
        with self._lock:
            self.calls.append(Call(method, params, time.monotonic()))
            self._lock.notify_all()
        return 200, body, {}

    def _auth_test(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": "https://fake.slack/", "team": "T", "user": "keyart", "team_id": "T111",
                "user_id": BOT_USER, "bot_id": "BBOT", "is_enterprise_install": False}

    def _apps_connections_open(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": self.socket_url}

    def _chat_postMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        ts = self._next_ts()
        blocks = p.get("blocks")
        message = {"ts": ts, "channel": p["channel"], "thread_ts": p.get("thread_ts"), "text": p.get("text"),
                   "blocks": json.loads(blocks) if isinstance(blocks, str) else blocks, "user": BOT_USER}
        with self._lock:
            self.messages[ts] = message
        return {"ok": True, "channel": p["channel"], "ts": ts, "message": message}

    def _chat_update(self, p: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            message = self.messages.get(p["ts"])
            if message is None:
                return {"ok": False, "error": "message_not_found"}
            blocks = p.get("blocks")
            message.update(text=p.get("text"), blocks=_json(blocks))
            message.setdefault("edits", 0)
            message["edits"] += 1
        return {"ok": True, "channel": p["channel"], "ts": p["ts"]}

    def _chat_postEphemeral(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "message_ts": self._next_ts()}

    def _files_getUploadURLExternal(self, p: dict[str, Any]) -> dict[str, Any]:
        file_id = f"FB{next(self._ids):06d}"
        with self._lock:
            length = int(p.get("length") or 0)
            self.files[file_id] = {"id": file_id, "name": p.get("filename"), "length": length}
        return {"ok": True, "upload_url": f"{self.root}/upload/{file_id}", "file_id": file_id}

    def _files_completeUploadExternal(self, p: dict[str, Any]) -> dict[str, Any]:
        files = json.loads(p["files"]) if isinstance(p.get("files"), str) else p.get("files") or []
        shared = []
        for f in files:
            with self._lock:
                if f["id"] not in self.uploads:
                    return {"ok": False, "error": "file_not_found"}
                self.files[f["id"]]["title"] = f.get("title")
            shared.append({"id": f["id"], "title": f.get("title"), "name": self.files[f["id"]]["name"]})
        ts = self._next_ts()  # the share message; like Slack, its ts is not in the response
        with self._lock:
            self.messages[ts] = {"ts": ts, "channel": p.get("channel_id"), "thread_ts": p.get("thread_ts"),
                                 "text": p.get("initial_comment") or "", "files": shared, "user": BOT_USER}
        return {"ok": True, "files": [{"id": f["id"], "title": f["title"]} for f in shared]}

    def _files_info(self, p: dict[str, Any]) -> dict[str, Any]:
        found = self.files.get(p.get("file", ""))
        return {"ok": True, "file": found} if found else {"ok": False, "error": "file_not_found"}

    def _conversations_replies(self, p: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            message = self.messages.get(p["ts"])
        return {"ok": True, "messages": [message] if message else [], "has_more": False}

    def _usergroups_users_list(self, p: dict[str, Any]) -> dict[str, Any]:
        if p.get("usergroup") not in self.groups:
            return {"ok": False, "error": "no_such_subteam"}
        return {"ok": True, "users": self.groups[p["usergroup"]]}

    def _views_publish(self, p: dict[str, Any]) -> dict[str, Any]:
        view = json.loads(p["view"]) if isinstance(p.get("view"), str) else p.get("view")
        return {"ok": True, "view": {"id": "V1", **(view or {})}}


def _json(value: Any) -> Any:
    """Form-encoded Web API calls carry blocks and views as JSON strings."""
    return json.loads(value) if isinstance(value, str) else value


def _handler(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            if not self.path.startswith("/files-pri/"):
                return self._send(404, b"not found", "text/plain")
            if self.headers.get("Authorization") != f"Bearer {BOT_TOKEN}":
                return self._send(200, b"<html>sign in</html>", "text/html")  # what Slack does
            file_id = self.path.split("/")[2]
            download = fake.downloads.get(file_id)
            if download is None:
                return self._send(404, b"not found", "text/plain")
            fake._record(Call("GET " + file_id, {}, time.monotonic()))
            if download.declared_length == -1:  # stream it, no length: the reader must stop itself
                self.send_response(200)
                self.send_header("Content-Type", download.content_type)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                try:
                    for start in range(0, len(download.body), 65536):
                        chunk = download.body[start:start + 65536]
                        self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                    self.wfile.write(b"0\r\n\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    pass
                return None
            return self._send(200, download.body, download.content_type, download.declared_length)

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            path = self.path.split("?")[0]
            if path.startswith("/upload/"):
                with fake._lock:
                    fake.uploads[path.rsplit("/", 1)[-1]] = raw
                fake._record(Call("UPLOAD", {"file": path.rsplit("/", 1)[-1], "bytes": len(raw)},
                                  time.monotonic()))
                return self._send(200, b"OK - 1", "text/plain")
            if not path.startswith("/api/"):
                return self._send(404, b"not found", "text/plain")
            token = APP_TOKEN if path == "/api/apps.connections.open" else BOT_TOKEN
            if self.headers.get("Authorization") != f"Bearer {token}":
                return self._json(200, {"ok": False, "error": "invalid_auth"}, {})
            ctype = self.headers.get("Content-Type", "")
            if "json" in ctype:
                params = json.loads(raw or b"{}")
            else:
                params = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
            status, body, headers = fake.api(path.removeprefix("/api/"), params)
            return self._json(status, body, headers)

        def _json(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
            self._send(status, json.dumps(body).encode(), "application/json", None, headers)

        def _send(self, status: int, body: bytes, ctype: str, length: int | None = None,
                  headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body) if length is None else length))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up: fine
                self.wfile.write(body)

    return Handler
