"""Record an audit report: one AuditRun (with the whole report) and one AuditCheck per asset and check."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine

from storage.db import session_scope
from storage.models import AuditCheck, AuditRun
from storage.repos.audits import save_audit_run

_VERDICT_KEYS = ("passed", "reason")


def rows_of(
    report: dict[str, Any],
    *,
    campaign_id: int | None = None,
    master_asset_id: int | None = None,
    batch_key: str | None = None,
    asset_ids: dict[str, int] | None = None,
) -> tuple[AuditRun, list[AuditCheck]]:
    """The rows for ``report`` (audit.json shape), not yet stored."""
    assets = report["assets"]
    run = AuditRun(
        campaign_id=campaign_id,
        master_asset_id=master_asset_id,
        master_sha256=report["master"]["sha256"],
        batch_key=batch_key,
        passed=bool(report["passed"]),
        asset_count=len(assets),
        failed_count=sum(1 for a in assets if a["passed"] is False),
        report=report,
    )
    checks = []
    for asset in assets:
        for name, result in asset["checks"].items():
            checks.append(
                AuditCheck(
                    audit_run_id=0,  # set by save_audit_run
                    asset_id=(asset_ids or {}).get(asset["path"]),
                    asset_path=asset["path"],
                    spec=asset.get("spec"),
                    check_name=name,
                    passed=result.get("passed"),
                    reason=result.get("reason", ""),
                    measured={k: v for k, v in result.items() if k not in _VERDICT_KEYS},
                )
            )
    return run, checks


def save_audit(
    engine: Engine,
    report: dict[str, Any],
    *,
    campaign_id: int | None = None,
    master_asset_id: int | None = None,
    batch_key: str | None = None,
    asset_ids: dict[str, int] | None = None,
) -> int:
    """Store ``report`` in one transaction; returns the AuditRun id."""
    run, checks = rows_of(
        report,
        campaign_id=campaign_id,
        master_asset_id=master_asset_id,
        batch_key=batch_key,
        asset_ids=asset_ids,
    )
    with session_scope(engine) as session:
        saved = save_audit_run(session, run, checks)
        assert saved.id is not None
        return saved.id
