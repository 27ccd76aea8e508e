"""Errors keyart shows to people.

    KeyartError
      + UserFacingError        message is safe to post in Slack / print verbatim (exit 2)
      |   - BadInput           an image or file we refuse (format, size, corrupt)
      |   - BadRequest         a request, plan or parameter we cannot honour
      |   - EngineUnavailable  the op needs an engine or extra that is not installed/configured
      + OpFailed               internal failure; people get "something broke (ref …)"
"""

from __future__ import annotations

import secrets


class KeyartError(Exception):
    """Base of keyart's own errors."""


class UserFacingError(KeyartError):
    """An error whose message is written for the person who caused it."""


class BadInput(UserFacingError):
    """An input file keyart refuses; nothing was stored."""


class BadRequest(UserFacingError):
    """A request, plan or parameter keyart cannot honour."""


class EngineUnavailable(UserFacingError):
    """The op needs an engine, model or optional extra that is not available here."""


class OpFailed(KeyartError):
    """An op broke unexpectedly; ``ref`` ties the log line to what the user sees."""

    def __init__(self, message: str, ref: str | None = None) -> None:
        self.ref = ref or new_ref()
        super().__init__(message)


def new_ref() -> str:
    """A short reference id to quote in a user message and find in the logs."""
    return secrets.token_hex(2)
