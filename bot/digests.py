"""Per-channel audit digest schedules, as set with ``/keyart digest …``.

``daily 09:00 Europe/London`` · ``weekly mon 09:00 [tz]`` · ``off``. The schedules live in the
digest scheduler's job store (``bot/scheduler.py``), so every bot process sees the same ones.
Times are validated here, so a typo gets a precise answer at once.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipeline.errors import BadRequest

if TYPE_CHECKING:
    from bot.scheduler import DigestScheduler

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
USAGE = ("`/keyart digest daily 09:00 Europe/London`, `/keyart digest weekly mon 09:00` or "
         "`/keyart digest off`")
DEFAULT_TZ = "Europe/London"


@dataclass(frozen=True)
class DigestSchedule:
    every: str  # daily | weekly
    time: str  # HH:MM, 24-hour
    tz: str = DEFAULT_TZ
    day: str | None = None  # mon … sun for weekly

    def describe(self) -> str:
        when = f"every {self.day.capitalize()}" if self.day else "every day"
        return f"{when} at {self.time} ({self.tz})"


def parse_digest(text: str) -> DigestSchedule | None:
    """The schedule a ``digest`` command asks for; ``None`` for ``off``; ``BadRequest`` otherwise."""
    words = text.split()
    if words == ["off"]:
        return None
    if not words or words[0] not in ("daily", "weekly"):
        raise BadRequest(f"I read digest schedules like {USAGE}.")
    every, rest = words[0], words[1:]
    day = None
    if every == "weekly":
        if not rest or rest[0].lower()[:3] not in DAYS:
            raise BadRequest(f"which day? e.g. `weekly mon 09:00` (days: {', '.join(DAYS)}).")
        day, rest = rest[0].lower()[:3], rest[1:]
    if not rest or not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", rest[0]):
        raise BadRequest(f"`{rest[0] if rest else ''}` is not a time: use 24-hour HH:MM, e.g. 09:00.")
    hours, minutes = rest[0].split(":")
    tz = rest[1] if len(rest) > 1 else DEFAULT_TZ
    if len(rest) > 2:
        raise BadRequest(f"I read digest schedules like {USAGE}.")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadRequest(f"`{tz}` is not a time zone I know; use an IANA name like Europe/London.") from None
    return DigestSchedule(every, f"{int(hours):02d}:{minutes}", tz, day)


class DigestSettings:
    """The channel → schedule map, kept as jobs in the digest scheduler's job store (the database).

    ``legacy`` is the old ``digests.json``: its schedules are moved into the job store once.
    """

    def __init__(self, scheduler: DigestScheduler, legacy: Path | None = None) -> None:
        self.scheduler = scheduler
        self.legacy = legacy
        self._lock = threading.Lock()

    def _import_legacy(self) -> None:
        with self._lock:
            if self.legacy is None or not self.legacy.exists():
                return
            for channel, value in json.loads(self.legacy.read_text()).items():
                self.scheduler.set(channel, DigestSchedule(**value))
            self.legacy.replace(self.legacy.with_suffix(".json.imported"))
            self.legacy = None

    def all(self) -> dict[str, DigestSchedule]:
        self._import_legacy()
        return self.scheduler.all()

    def get(self, channel: str) -> DigestSchedule | None:
        return self.all().get(channel)

    def set(self, channel: str, schedule: DigestSchedule | None) -> None:
        self._import_legacy()
        self.scheduler.set(channel, schedule)
