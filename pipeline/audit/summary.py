"""Small shared wording for the report, contact sheet and chart."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def status_label(passed: bool | None) -> str:
    return {True: "pass", False: "FAIL", None: "n/a"}[passed]


def headline(report: Mapping[str, Any]) -> str:
    assets = report["assets"]
    failed = sum(1 for a in assets if a["passed"] is False)
    return f"{len(assets) - failed}/{len(assets)} pass" + (f", {failed} fail" if failed else "")


def failing_checks(asset: Mapping[str, Any]) -> list[str]:
    return [name for name, check in asset["checks"].items() if check.get("passed") is False]
