"""People's own daily GPU-seconds budgets (admins set them; everyone else has the default)."""

from __future__ import annotations

from sqlmodel import Session

from storage.models import UserBudget, utcnow


def get_budget(session: Session, user_id: str) -> UserBudget | None:
    return session.get(UserBudget, user_id)


def set_budget(session: Session, user_id: str, gpu_seconds: float | None, *, by: str) -> None:
    """Set ``user_id``'s daily budget; ``None`` returns them to the default."""
    row = session.get(UserBudget, user_id)
    if gpu_seconds is None:
        if row is not None:
            session.delete(row)
        return
    if row is None:
        row = UserBudget(user_id=user_id, gpu_seconds_per_day=gpu_seconds, set_by=by)
    else:
        row.gpu_seconds_per_day, row.set_by, row.updated_at = gpu_seconds, by, utcnow()
    session.add(row)
