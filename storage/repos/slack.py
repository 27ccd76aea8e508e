"""Slack bookkeeping: seen deliveries, message ↔ asset map, and the outbox."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import Outbox, SlackEvent, SlackMessage, utcnow


def first_delivery(session: Session, event_id: str, event_type: str = "") -> bool:
    """Record ``event_id``; ``False`` if it was seen before (a Slack retry)."""
    try:
        with session.begin_nested():
            session.add(SlackEvent(event_id=event_id, event_type=event_type))
            session.flush()
    except IntegrityError:
        return False
    return True


def map_message(session: Session, message: SlackMessage) -> SlackMessage:
    existing = message_at(session, message.channel, message.ts)
    if existing is not None:
        return existing
    session.add(message)
    session.flush()
    return message


def message_at(session: Session, channel: str, ts: str) -> SlackMessage | None:
    stmt = select(SlackMessage).where(SlackMessage.channel == channel, SlackMessage.ts == ts)
    return session.exec(stmt).first()


def enqueue_outbox(
    session: Session,
    dedupe_key: str,
    kind: str,
    channel: str,
    payload: dict[str, Any],
    thread_ts: str | None = None,
) -> Outbox:
    """Queue a Slack side effect once; a second call with the same key returns the first row."""
    existing = session.exec(select(Outbox).where(Outbox.dedupe_key == dedupe_key)).first()
    if existing is not None:
        return existing
    row = Outbox(dedupe_key=dedupe_key, kind=kind, channel=channel, thread_ts=thread_ts, payload=payload)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        found = session.exec(select(Outbox).where(Outbox.dedupe_key == dedupe_key)).first()
        assert found is not None
        return found
    return row


def pending_outbox(session: Session, limit: int = 50) -> list[Outbox]:
    stmt = select(Outbox).where(Outbox.status == "pending").order_by(col(Outbox.id)).limit(limit)
    return list(session.exec(stmt))


def mark_sent(session: Session, outbox_id: int, result_ts: str | None) -> None:
    row = session.get(Outbox, outbox_id)
    if row is None:
        return
    row.status = "sent"
    row.result_ts = result_ts
    row.sent_at = utcnow()
    session.add(row)


def mark_attempt_failed(session: Session, outbox_id: int, error: str, *, final: bool) -> None:
    row = session.get(Outbox, outbox_id)
    if row is None:
        return
    row.attempts += 1
    row.last_error = error
    if final:
        row.status = "failed"
    session.add(row)
