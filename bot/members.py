"""A set of Slack users named by user ids (``U…``/``W…``) and user-group ids (``S…``).

``KEYART_APPROVERS``, ``KEYART_REQUESTERS`` and ``KEYART_ADMINS`` are each one of these. Group
members come from ``usergroups.users.list`` and are cached for ``ttl`` seconds, so a burst of
reactions costs one call. If Slack cannot be asked, the last known members are used, and with
none known the group simply grants nothing (never everyone).
"""

from __future__ import annotations

import logging
import threading
import time

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError

log = logging.getLogger(__name__)


class Members:
    def __init__(self, ids: list[str], client: WebClient, *, ttl: float = 300.0) -> None:
        self.users = {i for i in ids if not i.startswith("S")}
        self.groups = [i for i in ids if i.startswith("S")]
        self.client = client
        self.ttl = ttl
        self._members: dict[str, tuple[float, frozenset[str]]] = {}
        self._lock = threading.Lock()

    @property
    def configured(self) -> bool:
        return bool(self.users or self.groups)

    def allows(self, user: str) -> bool:
        if user in self.users:
            return True
        return any(user in self._group(group) for group in self.groups)

    def _group(self, group: str) -> frozenset[str]:
        with self._lock:
            cached = self._members.get(group)
        if cached is not None and time.monotonic() - cached[0] < self.ttl:
            return cached[1]
        try:
            response = self.client.usergroups_users_list(usergroup=group)
            members = frozenset(str(u) for u in response.get("users") or [])
        except (SlackApiError, SlackRequestError, OSError) as exc:
            log.warning("could not list the members of user group %s: %s", group, exc)
            return cached[1] if cached is not None else frozenset()
        with self._lock:
            self._members[group] = (time.monotonic(), members)
        return members
