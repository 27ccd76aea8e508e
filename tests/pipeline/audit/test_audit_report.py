"""audit.json contract shape, the report files, and the AuditRun / AuditCheck rows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from sqlmodel import Session, select

from pipeline.audit.calibration_set import Context
from pipeline.audit.report import write_reports
from pipeline.audit.store import save_audit
from storage import migrate
from storage.db import make_engine
from storage.models import AuditRun
from storage.repos.audits import checks_of
from tests.pipeline.audit.conftest import REPORT_CASES as CASES


def test_audit_json_has_the_contract_shape(
    report_bundle: tuple[dict[str, Any], dict[str, Image.Image]],
) -> None:
    report, _ = report_bundle
    json.dumps(report, allow_nan=False)  # plain JSON: no NaN, no numpy scalars
    assert report["master"] == {**report["master"], "path": "master.png", "sha256": "ab" * 32}
    assert report["passed"] is False
    assert [a["spec"] for a in report["assets"]] == [spec for spec, _ in CASES]
    for asset, (_, perturbation) in zip(report["assets"], CASES, strict=True):
        assert set(asset) >= {"path", "spec", "passed", "checks"}
        assert list(asset["checks"]) == ["luminance", "texture", "color", "subject", "design"]
        assert asset["generated_fraction"] == 0.0 and asset["designed_fraction"] == 0.0
        assert asset["checks"]["design"] == {
            **asset["checks"]["design"],
            "passed": None,
            "reason": "no designed pixels in this variant",
        }
        for check in asset["checks"].values():
            assert check["passed"] in (True, False, None) and isinstance(check["reason"], str)
        assert asset["passed"] is (perturbation is None)
    lifted = report["assets"][1]["checks"]["luminance"]
    assert lifted["passed"] is False and lifted["reason"].startswith("black point +")
    assert report["summary"] == {
        "assets": 4,
        "failed": 2,
        "failed_checks": {"luminance": 1, "texture": 0, "color": 1, "subject": 0, "design": 0},
        "not_audited": 0,
    }


def test_report_files(
    report_bundle: tuple[dict[str, Any], dict[str, Image.Image]], calibration: Context, tmp_path: Path
) -> None:
    report, images = report_bundle
    paths = write_reports(tmp_path, report, images, calibration.master)
    assert [p.name for p in paths] == ["audit.json", "report.html", "contact_sheet.png", "chart.png"]
    assert json.loads(paths[0].read_text()) == report
    page = paths[1].read_text()
    assert page.count('src="data:image/') == len(CASES) + 1  # thumbnails + master, all inline
    assert page.count('<tr class="failing"') == 2 and "http" not in page.split("<body", 1)[1]
    assert "black point +" in page and "lineage: fit → export" in page
    sheet = Image.open(paths[2])
    assert sheet.width >= 4 * 260 and sheet.height > 300
    chart = Image.open(paths[3])
    assert chart.width >= 1200 and chart.height >= 1200


def test_rows_are_stored(
    report_bundle: tuple[dict[str, Any], dict[str, Image.Image]], tmp_path: Path
) -> None:
    report, _ = report_bundle
    engine = make_engine(f"sqlite:///{tmp_path / 'keyart.db'}")
    migrate.upgrade(engine)
    run_id = save_audit(engine, report, batch_key="b1")
    with Session(engine) as session:
        run = session.exec(select(AuditRun)).one()
        assert (run.id, run.passed, run.asset_count, run.failed_count, run.batch_key) == (
            run_id,
            False,
            4,
            2,
            "b1",
        )
        assert run.report == report
        checks = checks_of(session, run_id)
        assert len(checks) == 20  # 5 checks × 4 assets
        by_key = {(c.spec, c.check_name): c for c in checks}
        lifted = by_key[("iab-medium-rectangle", "luminance")]
        assert lifted.passed is False and lifted.reason.startswith("black point +")
        assert "passed" not in lifted.measured and lifted.measured["delta"]["p0.5"] > 1.5
        assert by_key[("iab-half-page", "subject")].passed is True
        assert by_key[("iab-half-page", "subject")].measured["identity_distance"] < 0.6
    engine.dispose()


def test_the_chart_and_the_sheet_show_what_failed(
    report_bundle: tuple[dict[str, Any], dict[str, Image.Image]], tmp_path: Path
) -> None:
    from pipeline.audit import chart, contact_sheet

    report, images = report_bundle
    assets = report["assets"]
    rows = dict(chart.verdict_rows(assets))
    # Every check is a row of the verdict matrix: a failure can never be off the chart.
    assert list(rows)[:5] == ["luminance", "texture", "color", "subject", "design"]
    assert rows["luminance"] == [a["checks"]["luminance"]["passed"] for a in assets]
    assert [v is False for v in rows["color"]] == [spec == "iab-wide-skyscraper" for spec, _ in CASES]
    chart.write(report, tmp_path / "chart.png")
    assert Image.open(tmp_path / "chart.png").width > 1000

    sheet = contact_sheet.render(report, images).convert("RGB")
    red = np.array(contact_sheet.COLOURS[False])
    for index, asset in enumerate(assets):  # the cell's frame, just left of its thumbnail box
        x = contact_sheet.PAD + index * (contact_sheet.CELL + contact_sheet.PAD) - 3
        y = 56 + contact_sheet.CELL // 2
        framed = bool((np.asarray(sheet)[y, x] == red).all())
        assert framed is (asset["passed"] is False), asset["spec"]
