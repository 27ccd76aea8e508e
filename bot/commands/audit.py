"""``keyart audit --master IMG FILE... [--json] [--out DIR]``: audit files against a master.

Exit 0 when every file passes, 1 when any fails (or cannot be registered to the master),
2 on bad input (unreadable or refused image), with the message on stderr.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from pipeline.audit.batch import CHECKS, AuditItem, AuditMaster, audit_batch
from pipeline.audit.encoding import probe
from pipeline.audit.report import write_reports
from pipeline.audit.store import save_audit
from pipeline.audit.summary import credentials_line, headline, status_label
from pipeline.errors import UserFacingError
from pipeline.imaging import sandbox
from pipeline.imaging.load import load_image, read_capped
from pipeline.imaging.sandbox import DecodeLimits
from pipeline.runtime import Runtime
from storage.settings import Settings


def audit(
    master: Path = typer.Option(..., "--master", help="The approved master image."),
    files: list[Path] = typer.Argument(..., help="Variant files to audit against the master."),
    as_json: bool = typer.Option(False, "--json", help="Print audit.json to stdout."),
    out: Path | None = typer.Option(
        None, "--out", help="Write audit.json, report.html, contact_sheet.png, chart.png here."
    ),
) -> None:
    """Audit variants against the master: luminance, texture, colour and subject, each vs the master
    warped to the variant's geometry (found by feature registration)."""
    settings = Settings()
    sandbox.configure(DecodeLimits.from_settings(settings))
    err = Console(stderr=True)
    try:
        loaded = load_image(
            master,
            name=master.name,
            max_bytes=settings.max_upload_bytes,
            max_pixels=settings.max_image_pixels,
        )
        items = [_item(path, settings) for path in files]
    except UserFacingError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    with _progress(err, len(items)) as progress:
        report = audit_batch(AuditMaster(str(master), loaded.image, loaded.sha256), items, progress=progress)
    for asset in report["assets"]:
        if asset.get("error"):
            err.print(f"error: {asset['error']}", markup=False, highlight=False, soft_wrap=True)
    _store(report, settings, err)
    if out is not None:
        written = write_reports(out, report, {i.path: i.image for i in items}, loaded.image)
        err.print(f"wrote {', '.join(str(p) for p in written)}", markup=False, highlight=False)
    if as_json:
        typer.echo(json.dumps(report, indent=2, allow_nan=False))
    else:
        _print_table(report, Console())
    raise typer.Exit(0 if report["passed"] else 1)


def _item(path: Path, settings: Settings) -> AuditItem:
    from pipeline.credentials.keys import trust_anchors
    from pipeline.credentials.reader import read_credentials

    # Read once: the bytes give the encoding (JPEG tables, WebP quantisers) that decoding drops.
    data = read_capped(path, path.name, settings.max_upload_bytes)
    loaded = load_image(
        data, name=path.name, max_bytes=settings.max_upload_bytes, max_pixels=settings.max_image_pixels
    )
    credentials = read_credentials(data, anchors_pem=trust_anchors(settings)).to_json()
    return AuditItem(path=str(path), image=loaded.image, encoding=probe(data), credentials=credentials)


@contextmanager
def _progress(console: Console, total: int) -> Iterator[Callable[[int, int, str], None] | None]:
    """A Rich progress bar on stderr for batches, only on a terminal."""
    if total < 3 or not console.is_terminal:
        yield None
        return
    columns = (
        TextColumn("auditing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("", total=total)

        def update(done: int, count: int, name: str) -> None:
            bar.update(task, completed=done, description=name)

        yield update


def _store(report: dict, settings: Settings, err: Console) -> None:
    runtime = Runtime(settings)
    try:
        runtime.migrate()
        run_id = save_audit(runtime.engine, report)
    except (SQLAlchemyError, OSError) as exc:
        # The audit itself is done and printed; say plainly that it was not recorded.
        err.print(f"warning: audit not stored in {settings.resolved_database_url}: {exc}", markup=False)
        return
    finally:
        runtime.engine.dispose()
    err.print(f"audit run #{run_id} stored", markup=False, highlight=False)


def _print_table(report: dict, console: Console) -> None:
    table = Table(title=f"keyart audit — {headline(report)}")
    table.add_column("file (spec)", overflow="fold")
    for name in CHECKS:
        table.add_column(name)
    for asset in report["assets"]:
        checks = asset["checks"]
        name, spec = Path(asset["path"]).name, asset.get("spec")
        label = name if spec is None or Path(name).stem == spec else f"{name} ({spec})"
        table.add_row(label, *(status_label(checks[n]["passed"]) for n in CHECKS))
    console.print(table)
    if line := credentials_line(report):
        console.print(line, soft_wrap=True, markup=False, highlight=False)
    for asset in report["assets"]:  # reasons unwrapped, one line each: readable and greppable
        name = Path(asset["path"]).name
        if (asset.get("credentials") or {}).get("state") in ("invalid", "none"):
            summary = asset["credentials"]["summary"]
            console.print(f"– {name}: Content Credentials {summary}", soft_wrap=True, markup=False,
                          highlight=False)
        if asset.get("error"):
            console.print(f"✗ {name}: {asset['error']}", soft_wrap=True, markup=False, highlight=False)
        for check, result in asset["checks"].items():
            if result["passed"] is False:
                console.print(
                    f"✗ {name}: {check}: {result['reason']}", soft_wrap=True, markup=False, highlight=False
                )


def register(app: typer.Typer) -> None:
    app.command("audit")(audit)
