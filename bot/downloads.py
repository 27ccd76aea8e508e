"""Download a Slack file (``url_private``) with the bot token, capped in bytes before and while reading.

The token is only ever sent to Slack's own hosts (or the configured Web API host, which tests
point at loopback), redirects are not followed (a redirect could carry the token elsewhere),
and the size is checked three times: the size Slack reports in the event, ``Content-Length``,
and the bytes actually read. Nothing is decoded here — :func:`pipeline.imaging.load_image` does that.
"""

from __future__ import annotations

import urllib.request
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit

from pipeline.errors import BadInput
from pipeline.imaging.load import NOTHING_STORED

CHUNK = 256 * 1024


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # urllib then raises HTTPError for the 3xx


_OPENER = urllib.request.build_opener(_NoRedirect)


def too_big(name: str, size: int | None, limit: int) -> BadInput:
    """``size`` None: the stream ran past the limit before its end."""
    what = f"is {size / 1e6:.1f} MB" if size is not None else f"is over {limit / 1e6:g} MB"
    return BadInput(f"`{name}` {what}; the limit is {limit / 1e6:g} MB. "
                    f"Export it smaller and upload again. {NOTHING_STORED}")


def allowed_host(url: str, api_url: str) -> bool:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme == "https" and (host == "slack.com" or host.endswith(".slack.com")):
        return True
    return host == (urlsplit(api_url).hostname or "") and parts.scheme in ("http", "https")


def download(url: str, *, token: str, name: str, max_bytes: int, api_url: str,
             timeout: float = 30.0) -> bytes:
    """The file's bytes; ``BadInput`` (written for the thread) when it is too big or unreachable."""
    if not allowed_host(url, api_url):
        raise BadInput(f"`{name}` does not come from Slack's file servers; I only download from there. "
                       f"{NOTHING_STORED}")
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            if "text/html" in (response.headers.get("Content-Type") or ""):
                # Slack answers a token without files:read with its sign-in page, not an error.
                raise BadInput(f"I couldn't download `{name}`: Slack sent a web page instead of the file "
                               f"(the app may lack the `files:read` scope). {NOTHING_STORED}")
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise too_big(name, int(declared), max_bytes)
            chunks: list[bytes] = []
            read = 0
            while chunk := response.read(CHUNK):
                read += len(chunk)
                if read > max_bytes:
                    raise too_big(name, None, max_bytes)
                chunks.append(chunk)
    except HTTPError as exc:
        message = f"I couldn't download `{name}` from Slack (HTTP {exc.code}). {NOTHING_STORED}"
        raise BadInput(message) from None
    except (URLError, OSError) as exc:
        raise BadInput(f"I couldn't download `{name}` from Slack ({exc}). {NOTHING_STORED}") from None
    return b"".join(chunks)
