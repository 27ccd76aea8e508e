"""Audit runs and their per-asset checks."""

from __future__ import annotations

from sqlmodel import Session, col, select

from storage.models import AuditCheck, AuditRun


def save_audit_run(session: Session, run: AuditRun, checks: list[AuditCheck]) -> AuditRun:
    session.add(run)
    session.flush()
    assert run.id is not None
    for check in checks:
        check.audit_run_id = run.id
        session.add(check)
    session.flush()
    return run


def checks_of(session: Session, audit_run_id: int) -> list[AuditCheck]:
    stmt = select(AuditCheck).where(AuditCheck.audit_run_id == audit_run_id).order_by(col(AuditCheck.id))
    return list(session.exec(stmt))


def runs_since(session: Session, after_id: int = 0) -> list[AuditRun]:
    stmt = select(AuditRun).where(col(AuditRun.id) > after_id).order_by(col(AuditRun.id))
    return list(session.exec(stmt))
