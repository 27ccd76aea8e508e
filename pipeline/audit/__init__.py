"""Batch audit: every variant against the master warped to its geometry (design §5).

``audit_batch(master, items)`` returns the public audit.json dict; ``report.write_reports`` writes
audit.json, report.html, contact_sheet.png and chart.png; ``store.save_audit`` records the run.
Checks: luminance.py, texture.py, color.py, subject.py on the master's pixels; generated.py
(with fills.py: ``judge_fill``) for expanded / swapped pixels, judged against the photo they
touch; design.py, the fifth check, for designed pixels (layout panels, brand's copy). tolerances.py
holds the calibrated limits; calibration*.py and bench/audit_confusion.py the numbers behind them.
"""

from pipeline.audit.batch import AuditItem, AuditMaster, audit_batch
from pipeline.audit.encoding import Encoding, probe

__all__ = ["AuditItem", "AuditMaster", "Encoding", "audit_batch", "probe"]
