"""Start the bot: database, notifier, task queue, Bolt app; then serve HTTP or Socket Mode.

HTTP mode serves events, slash commands and interactivity on one path, ``/slack/events``, from a
small threaded WSGI server (one thread per request, so a slow client never delays another's
acknowledgement); Bolt checks every request's signature and its 5-minute timestamp window.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.app import build_app
from bot.deps import Deps, build_deps
from bot.flows.tasks import make_queue
from pipeline.imaging import sandbox
from storage.settings import Settings

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
MAX_BODY = 1_000_000  # Slack payloads are a few KB; refuse big bodies before reading them


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 128  # bursts of events arrive together


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        log.debug("http: " + format, *args)


def wsgi_app(app: App) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    handler = SlackRequestHandler(app, path=EVENTS_PATH)

    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok"]
        length = environ.get("CONTENT_LENGTH") or "0"
        if not length.isdigit() or int(length) > MAX_BODY:
            start_response("413 Payload Too Large", [("Content-Type", "text/plain")])
            return [b"too large"]
        return handler(environ, start_response)

    return serve


@dataclass
class Bot:
    deps: Deps
    app: App
    server: WSGIServer | None = None
    socket: Any = None  # the Socket Mode handler, when connected that way
    _threads: list[threading.Thread] = field(default_factory=list)

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.server_address[1])

    def serve_http(self, host: str = "0.0.0.0", port: int = 3000, *, block: bool = True) -> Bot:
        self.server = make_server(host, port, wsgi_app(self.app), server_class=_ThreadingWSGIServer,
                                  handler_class=_QuietHandler)
        log.info("keyart listening on http://%s:%s%s", host, self.port, EVENTS_PATH)
        if block:
            self.server.serve_forever()
        else:
            thread = threading.Thread(target=self.server.serve_forever, name="keyart-http", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def serve_socket_mode(self, *, block: bool = True) -> Bot:
        """Connect to Slack over a WebSocket (no public URL needed); ``block`` waits forever."""
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        # Our client: KEYART_SLACK_API_URL and the 429 handling apply to apps.connections.open too.
        token = self.deps.settings.slack_app_token
        self.socket = SocketModeHandler(self.app, token, web_client=self.deps.client)
        if block:
            self.socket.start()
        else:
            self.socket.connect()
        return self

    def stop(self) -> None:
        if self.socket is not None:
            self.socket.close()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
        if self.deps.queue is not None:
            self.deps.queue.stop()
        self.deps.digests.scheduler.stop()
        self.deps.notifier.stop()


def start_bot(settings: Settings, *, client: WebClient | None = None, verify_token: bool = True) -> Bot:
    """Build everything; start the notifier, the queue (which resumes unfinished tasks) and digests."""
    if not settings.slack_bot_token:
        raise SystemExit("SLACK_BOT_TOKEN is not set: see README, 'Create the Slack app'.")
    deps = build_deps(settings, client=client)
    sandbox.warm_in_background()  # the first upload doesn't wait for a decoder to start
    app = build_app(deps, verify_token=verify_token)
    make_queue(deps)
    deps.notifier.start()
    deps.tasks.start()
    deps.digests.scheduler.start()  # runs digests only while it holds the scheduler lock
    return Bot(deps, app)
