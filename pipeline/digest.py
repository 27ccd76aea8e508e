"""The audit digest of one Slack channel: what was audited there since the last digest.

:func:`build_digest` reads the stored audit runs (of campaigns whose thread is in the channel) and
their per-check rows; :func:`render_digest_pictures` draws the chart and the contact sheet with the
audit's own writers. Nothing here posts: the digest scheduler (``bot/scheduler.py``) does.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image
from sqlmodel import Session, col, select

from pipeline.audit import chart, contact_sheet
from storage.models import AuditRun, Campaign
from storage.repos.audits import checks_of

log = logging.getLogger(__name__)

MAX_OFFENDERS = 5
MAX_SHEET_ASSETS = 40  # a contact sheet of every asset of a busy week would be unreadable


def thread_link(channel: str, ts: str | None) -> str:
    """A permalink-style reference to a thread (Slack resolves ``/archives/<channel>/p<ts>``)."""
    if not ts:
        return f"https://slack.com/archives/{channel}"
    return f"https://slack.com/archives/{channel}/p{ts.replace('.', '')}"


@dataclass(frozen=True)
class BatchLine:
    run_id: int
    campaign: str
    thread: str  # link to the campaign thread
    passed: bool
    assets: int
    failed: int


@dataclass(frozen=True)
class Offender:
    run_id: int
    campaign: str
    asset: str  # spec, or the file name
    thread: str
    reasons: tuple[str, ...]  # "check: reason", failing checks only


@dataclass
class Digest:
    channel: str
    since_run_id: int
    last_run_id: int
    batches: list[BatchLine] = field(default_factory=list)
    checks: dict[str, Counter[str]] = field(default_factory=dict)  # check → {"pass": n, "fail": n, "n/a": n}
    offenders: list[Offender] = field(default_factory=list)
    reports: list[dict[str, Any]] = field(default_factory=list)

    @property
    def assets(self) -> int:
        return sum(b.assets for b in self.batches)

    @property
    def passed_assets(self) -> int:
        return sum(b.assets - b.failed for b in self.batches)

    def text(self) -> str:
        """The Slack summary (mrkdwn)."""
        if not self.batches:
            return "📊 *Audit digest*: no audited batches since the last digest."
        lines = [f"📊 *Audit digest*: {len(self.batches)} batch(es), "
                 f"{self.passed_assets}/{self.assets} assets pass"]
        for b in self.batches:
            mark = "✅" if b.passed else "❌"
            lines.append(f"{mark} <{b.thread}|{b.campaign}> run {b.run_id}: "
                         f"{b.assets - b.failed}/{b.assets} pass")
        per_check = " · ".join(f"{name} {c['pass']}✓ {c['fail']}✗" for name, c in sorted(self.checks.items()))
        lines.append(f"*Checks:* {per_check}")
        if self.offenders:
            lines.append("*Worst offenders:*")
            for o in self.offenders:
                lines.append(f"• <{o.thread}|{o.campaign}> `{o.asset}`: " + "; ".join(o.reasons))
        return "\n".join(lines)


def build_digest(session: Session, channel: str, since_run_id: int) -> Digest:
    """Audit runs after ``since_run_id`` of the campaigns in ``channel``, summarised."""
    stmt = (select(AuditRun, Campaign).join(Campaign, col(AuditRun.campaign_id) == col(Campaign.id))
            .where(Campaign.slack_channel == channel, col(AuditRun.id) > since_run_id)
            .order_by(col(AuditRun.id)))
    digest = Digest(channel, since_run_id, since_run_id)
    failing: list[tuple[int, Offender]] = []
    for run, campaign in session.exec(stmt):
        assert run.id is not None
        link = thread_link(channel, campaign.slack_thread_ts)
        digest.last_run_id = max(digest.last_run_id, run.id)
        digest.batches.append(BatchLine(run.id, campaign.name, link, run.passed, run.asset_count,
                                        run.failed_count))
        digest.reports.append(run.report)
        per_asset: dict[str, list[str]] = {}
        for check in checks_of(session, run.id):
            verdict = {True: "pass", False: "fail", None: "n/a"}[check.passed]
            digest.checks.setdefault(check.check_name, Counter())[verdict] += 1
            if check.passed is False:
                name = check.spec or Path(check.asset_path).name
                per_asset.setdefault(name, []).append(f"{check.check_name}: {check.reason}")
        for name, reasons in per_asset.items():
            failing.append((len(reasons), Offender(run.id, campaign.name, name, link, tuple(reasons))))
    # Most failing checks first; ties: the newest run first (what people look at now).
    failing.sort(key=lambda item: (-item[0], -item[1].run_id))
    digest.offenders = [o for _, o in failing[:MAX_OFFENDERS]]
    return digest


def _combined_report(digest: Digest) -> dict[str, Any]:
    assets = [a for report in digest.reports for a in report.get("assets", []) if "checks" in a]
    assets.sort(key=lambda a: a.get("passed") is not False)  # failing first (stable otherwise)
    return {"assets": assets, "passed": all(a.get("passed") is not False for a in assets)}


def render_digest_pictures(digest: Digest, folder: Path) -> list[Path]:
    """``chart.png`` and ``contact_sheet.png`` in ``folder``; pictures missing on disk are left blank.

    Returns what was written (nothing when there were no assets, or a writer failed: the text
    digest must still go out).
    """
    report = _combined_report(digest)
    if not report["assets"]:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    try:
        chart.write(report, folder / "chart.png")
        written.append(folder / "chart.png")
    except Exception:  # a report of an older shape must not stop the digest
        log.exception("digest chart for %s failed", digest.channel)
    sheet = {**report, "assets": report["assets"][:MAX_SHEET_ASSETS]}
    images: dict[str, Image.Image] = {}
    for asset in sheet["assets"]:
        path = Path(asset["path"])
        if not path.is_file():
            continue  # delivered files may have been cleaned up: a grey cell says so
        try:
            with Image.open(path) as image:
                image.thumbnail((contact_sheet.CELL, contact_sheet.CELL))
                images[asset["path"]] = image.convert("RGB")
        except OSError:
            log.warning("digest: cannot read %s", path)
    try:
        contact_sheet.write(sheet, images, folder / "contact_sheet.png")
        written.append(folder / "contact_sheet.png")
    except Exception:
        log.exception("digest contact sheet for %s failed", digest.channel)
    return written
