"""Small shared wording for the report, contact sheet and chart."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipeline.credentials.manifest import DEVELOPMENT_NOTE


def status_label(passed: bool | None) -> str:
    return {True: "pass", False: "FAIL", None: "n/a"}[passed]


def headline(report: Mapping[str, Any]) -> str:
    assets = report["assets"]
    failed = sum(1 for a in assets if a["passed"] is False)
    return f"{len(assets) - failed}/{len(assets)} pass" + (f", {failed} fail" if failed else "")


def failing_checks(asset: Mapping[str, Any]) -> list[str]:
    return [name for name, check in asset["checks"].items() if check.get("passed") is False]


def credentials_line(report: Mapping[str, Any]) -> str:
    """"Content Credentials: 13/14 valid, 1 without · <development note>" ("" when none were read)."""
    counts = (report.get("summary") or {}).get("credentials")
    if not counts:
        return ""
    total = counts["valid"] + counts["invalid"] + counts["none"]
    text = f"Content Credentials: {counts['valid']}/{total} valid"
    text += f", {counts['invalid']} invalid" if counts["invalid"] else ""
    text += f", {counts['none']} without" if counts["none"] else ""
    return text + (f" · {DEVELOPMENT_NOTE}" if counts.get("development") else "")
