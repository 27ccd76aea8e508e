"""The generated/designed calibration set (issue 13) on one real photo: every good variant passes,
every injected defect fails on its own check. bench/audit_confusion.py runs all six photos and
prints the confusion matrices."""

from __future__ import annotations

from typing import Any

from PIL import Image

from pipeline.audit import calibration_regions as cr
from pipeline.audit.batch import AuditItem, AuditMaster, audit_batch


def test_the_astronaut_set_meets_its_targets() -> None:
    cache: dict[str, Any] = {}

    def audit(item: AuditItem, master: Image.Image, name: str) -> dict[str, Any]:
        return audit_batch(AuditMaster(name, master, "0" * 64), [item], cache=cache)["assets"][0]

    cases = cr.cases(["astronaut"])
    groups = {c.group for c in cases}
    assert groups == {"crop", "layout", "continuation", "panel", "fill defect", "smear", "design defect"}
    outcomes = cr.run(cases, audit)
    wrong = [(o.case.label, sorted(o.failed), o.reasons) for o in outcomes if not o.ok]
    assert not wrong, wrong
    text, met = cr.targets(outcomes)
    assert met, text
    table = cr.confusion(outcomes)
    assert "texture" in table and "design" in table
