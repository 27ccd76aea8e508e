"""Audit report files: ``audit.json`` and a self-contained ``report.html`` (thumbnails inlined as
data URIs, so the page can be mailed, attached to Slack or opened offline)."""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PIL import Image

from pipeline.audit.batch import CHECKS
from pipeline.audit.summary import credentials_line, headline, status_label

THUMB = 240

_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d1d1f;background:#fafafa}
h1{font-size:22px;margin:0 0 4px} .muted{color:#666}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border:1px solid #ddd;padding:6px 8px;vertical-align:top;text-align:left}
th{background:#f0f0f0} img.thumb{max-width:240px;max-height:240px;display:block}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-weight:600;font-size:12px}
.pass{background:#d6f5dd;color:#11652a} .fail{background:#fddcdc;color:#9b1010}
.na{background:#e8e8e8;color:#555}
tr.failing{background:#fff4f4} td.check-fail{background:#ffe3e3}
.kv{font:12px ui-monospace,monospace;color:#333}
.summary{display:flex;gap:24px;align-items:center;margin-bottom:16px} details{margin-top:4px}
.cc{font-size:12px;margin-top:4px} .cc-invalid,.cc-none{color:#9b1010}
"""

# Per check: (label, key in the check dict, tolerance key) shown as "measured vs tolerance".
_HEADLINE_VALUES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "luminance": (
        ("ΔL* black", "delta.p0.5", "black"),
        ("ΔL* white", "delta.p99.5", "white"),
        ("ΔL* median", "delta.median", "median"),
    ),
    "texture": (
        ("sharpness", "sharpness_ratio", "sharpness"),
        ("gradient", "gradient_ratio", "gradient"),
        ("grain", "grain_ratio", "grain"),
    ),
    "color": (
        ("ΔCCT K", "cct_delta_k", "cct_k"),
        ("ΔDuv", "tint_delta_duv", "tint_duv"),
        ("ΔE00 mean", "delta_e_mean", "delta_e_mean"),
    ),
    "subject": (
        ("identity", "identity_distance", "identity"),
        ("face aniso", "face_anisotropy", "face_anisotropy"),
        ("frame aniso", "frame_anisotropy", "frame_anisotropy"),
        ("eye ΔE00", "eye_delta_e", "eye_delta_e"),
    ),
    "design": (
        ("brand ΔE00", "brand_delta_e", "brand_delta_e"),
        ("copy contrast", "copy_contrast", "copy_contrast"),
    ),
}
# Generated regions, shown under their check: (label, key in check["generated"], its tolerance key).
_GENERATED_VALUES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "luminance": (("fill seam ΔL*", "seam_lightness_step", "seam_lightness"),),
    "texture": (
        ("fill detail", "detail_ratio", "detail"),
        ("fill grain", "grain_ratio", "grain"),
        ("fill mirror", "mirror_correlation", "mirror"),
        ("fill repeat", "repeat_correlation", "repeat"),
    ),
    "color": (("fill seam ΔE00", "seam_delta_e", "seam_delta_e"),),
}


def write_json(report: Mapping[str, Any], path: Path) -> None:
    path.write_text(json.dumps(report, indent=2, allow_nan=False) + "\n", encoding="utf-8")


def data_uri(image: Image.Image, side: int = THUMB) -> str:
    thumb = image.copy()
    thumb.thumbnail((side, side), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    if thumb.mode in ("RGBA", "LA", "P"):
        thumb.convert("RGBA").save(buffer, "PNG", optimize=True)
        mime = "image/png"
    else:
        thumb.convert("RGB").save(buffer, "JPEG", quality=82)
        mime = "image/jpeg"
    return f"data:{mime};base64,{base64.b64encode(buffer.getvalue()).decode('ascii')}"


def _lookup(check: Mapping[str, Any], dotted: str) -> Any:
    value: Any = check
    for part in dotted.split(".", 1) if dotted.startswith("delta.") else [dotted]:
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list):
        return "–".join(_fmt(v) for v in value)
    return html.escape(str(value))


def _check_cell(name: str, check: Mapping[str, Any]) -> str:
    status = check.get("passed")
    cls = {True: "pass", False: "fail", None: "na"}[status]
    tolerance = check.get("tolerance") or {}
    rows = []
    generated = check.get("generated") or {}
    values = [
        (label, _lookup(check, key), tolerance.get(tol_key))
        for label, key, tol_key in _HEADLINE_VALUES.get(name, ())
    ]
    values += [
        (label, generated.get(key), (generated.get("tolerance") or {}).get(tol_key))
        for label, key, tol_key in _GENERATED_VALUES.get(name, ())
    ]
    for label, value, tol in values:
        if value is not None:
            rows.append(
                f"{html.escape(label)} {_fmt(value)}"
                + (f" <span class=muted>(tol {_fmt(tol)})</span>" if tol is not None else "")
            )
    reason = html.escape(str(check.get("reason", "")))
    td_cls = ' class="check-fail"' if status is False else ""
    return (
        f'<td{td_cls} data-check="{name}" data-passed="{str(status).lower()}">'
        f'<span class="badge {cls}">{status_label(status)}</span> <div>{reason}</div>'
        f'<div class="kv">{"<br>".join(rows)}</div></td>'
    )


def _lineage(asset: Mapping[str, Any]) -> str:
    parts = []
    if asset.get("lineage"):
        ops = asset["lineage"].get("ops") or []
        chain = " → ".join(html.escape(str(o.get("op"))) for o in ops) or "—"
        parts.append(
            f"<details><summary>lineage: {chain}</summary><pre class=kv>"
            f"{html.escape(json.dumps(asset['lineage'], indent=1))}</pre></details>"
        )
    geometry = asset.get("geometry")
    if geometry:
        box = ", ".join(f"{v:.1f}" for v in geometry["source_box"])
        parts.append(f"<div class=kv>geometry ({html.escape(geometry.get('source', ''))}): box {box}</div>")
    shares = [
        f"{k.split('_')[0]} {asset[k]:.0%}"
        for k in ("generated_fraction", "designed_fraction")
        if asset.get(k)
    ]
    if shares:
        parts.append(f"<div class=kv>pixels: {', '.join(shares)}</div>")
    if asset.get("registration"):
        reg = asset["registration"]
        parts.append(
            f"<div class=kv>registration: {reg['inliers']} inliers, scale "
            f"{_fmt(reg['scale'])}, anisotropy {reg['anisotropy']:.4f}</div>"
        )
    return "".join(parts)


def _credentials_line(asset: Mapping[str, Any]) -> str:
    """The asset's "Content Credentials" line (pipeline.credentials.reader summary), if they were read."""
    creds = asset.get("credentials")
    if not creds:
        return ""
    state = html.escape(str(creds.get("state")))
    mark = {"trusted": "✓", "valid": "✓", "invalid": "✗", "none": "–"}.get(str(creds.get("state")), "?")
    return (f'<div class="cc cc-{state}" data-credentials="{state}">Content Credentials {mark} '
            f"{html.escape(str(creds.get('summary', '')))}</div>")


def _credentials_total(report: Mapping[str, Any]) -> str:
    line = credentials_line(report)
    return f'<div class="cc-total">{html.escape(line)}</div>' if line else ""


def render_html(
    report: Mapping[str, Any], images: Mapping[str, Image.Image], master: Image.Image | None = None
) -> str:
    """The page. ``images`` maps each asset's ``path`` to its pixels (for the thumbnail)."""
    rows = []
    for asset in report["assets"]:
        image = images.get(asset["path"])
        thumb = (
            f'<img class="thumb" alt="{html.escape(asset["path"])}" src="{data_uri(image)}">' if image else ""
        )
        failing = asset["passed"] is False
        if asset.get("error"):
            cells = (
                f'<td class="check-fail" colspan="{len(CHECKS)}" data-check="all" data-passed="null">'
                f'<span class="badge fail">not audited</span> {html.escape(asset["error"])}</td>'
            )
        else:
            cells = "".join(_check_cell(name, asset["checks"][name]) for name in CHECKS)
        size = "×".join(str(v) for v in asset.get("size", []))
        rows.append(
            f'<tr class="{"failing" if failing else "passing"}" data-path="{html.escape(asset["path"])}">'
            f"<td>{thumb}</td><td><b>{html.escape(str(asset.get('spec') or '—'))}</b><br>"
            f"<span class=kv>{html.escape(Path(asset['path']).name)}</span><br>"
            f"<span class=muted>{size}</span><br>"
            f'<span class="badge {"fail" if failing else "pass"}">{"FAIL" if failing else "PASS"}</span>'
            f"{_credentials_line(asset)}{_lineage(asset)}</td>{cells}</tr>"
        )
    master_img = f'<img class="thumb" alt="master" src="{data_uri(master)}">' if master is not None else ""
    summary = report.get("summary", {})
    failed_checks = ", ".join(f"{k} {v}" for k, v in summary.get("failed_checks", {}).items() if v) or "none"
    if summary.get("not_audited"):
        failed_checks += f"; not registered to the master: {summary['not_audited']}"
    head = "".join(f"<th>{name}</th>" for name in CHECKS)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>keyart audit</title><style>{_CSS}</style></head>
<body data-passed="{str(report["passed"]).lower()}">
<div class="summary">{master_img}<div><h1>keyart audit — {html.escape(headline(report))}</h1>
<div class=muted>master {html.escape(report["master"]["path"])} ·
sha256 {html.escape(report["master"]["sha256"][:16])}…</div>
<div>failing checks: {html.escape(failed_checks)}</div>{_credentials_total(report)}</div></div>
<table id="assets"><thead><tr><th>variant</th><th>asset</th>{head}</tr></thead><tbody>
{"".join(rows)}
</tbody></table>
<script>
// Records which thumbnails decoded and that failing rows render (read by the headless-browser test).
window.addEventListener("load", function () {{
  var imgs = Array.prototype.slice.call(document.images);
  var ok = imgs.filter(function (i) {{ return i.complete && i.naturalWidth > 0; }}).length;
  var failing = Array.prototype.slice.call(document.querySelectorAll("tr.failing"));
  var shown = failing.filter(function (r) {{ return r.getBoundingClientRect().height > 0 &&
    getComputedStyle(r).visibility !== "hidden"; }}).length;
  document.body.setAttribute("data-images-total", imgs.length);
  document.body.setAttribute("data-images-loaded", ok);
  document.body.setAttribute("data-failing-rows", failing.length);
  document.body.setAttribute("data-failing-rows-visible", shown);
}});
</script>
</body></html>
"""


def write_html(
    report: Mapping[str, Any],
    images: Mapping[str, Image.Image],
    path: Path,
    master: Image.Image | None = None,
) -> None:
    path.write_text(render_html(report, images, master), encoding="utf-8")


def write_reports(
    out_dir: Path,
    report: Mapping[str, Any],
    images: Mapping[str, Image.Image] | None = None,
    master: Image.Image | None = None,
) -> list[Path]:
    """audit.json, report.html, contact_sheet.png and chart.png in ``out_dir``; returns their paths.

    Without ``images`` / ``master`` the pictures are read from the paths the report names.
    """
    from pipeline.audit import chart, contact_sheet

    if images is None:
        images = {a["path"]: im for a in report["assets"] if (im := _open(a["path"])) is not None}
    if master is None:
        master = _open(report["master"]["path"])
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / n for n in ("audit.json", "report.html", "contact_sheet.png", "chart.png")]
    write_json(report, paths[0])
    write_html(report, images, paths[1], master)
    contact_sheet.write(report, images, paths[2])
    chart.write(report, paths[3])
    return paths


def _open(path: str) -> Image.Image | None:
    """A thumbnail source from disk; a file that is gone just has no picture in the report."""
    try:
        with Image.open(path) as image:
            image.draft("RGB", (THUMB * 2, THUMB * 2))  # JPEG: decode at reduced size
            return image.convert("RGB")
    except (OSError, ValueError):
        return None
