"""``keyart verify FILE...``: read and validate the Content Credentials (C2PA) of delivered files.

Prints, per file, the verdict, the chain of actions and the people on record. Exit 0 when every
file's credentials are valid, 1 when any file's are invalid (tampered or broken), else 2 when any
file has none (re-encoded, stripped) or cannot be read.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console

from pipeline.errors import UserFacingError
from pipeline.imaging.load import read_capped
from storage.settings import Settings


def verify(
    files: list[Path] = typer.Argument(..., help="Delivered files (JPEG, PNG, WebP, TIFF …)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object per file, as a list."),
) -> None:
    """Read and validate the Content Credentials (C2PA) of delivered files: who made them, how, and
    who approved them. Exit 0 valid, 1 invalid or tampered, 2 no credentials."""
    from pipeline.credentials.keys import trust_anchors
    from pipeline.credentials.reader import EXIT_CODES, describe, read_credentials

    settings = Settings()
    out, err = Console(highlight=False), Console(stderr=True, highlight=False)
    anchors = trust_anchors(settings)
    codes: list[int] = []
    reports = []
    for path in files:
        try:
            data = read_capped(path, path.name, settings.max_upload_bytes)
        except UserFacingError as exc:
            err.print(f"{path}: {exc}", markup=False, soft_wrap=True)
            codes.append(EXIT_CODES["none"])
            reports.append({"path": str(path), "state": "unreadable", "error": str(exc)})
            continue
        creds = read_credentials(data, anchors_pem=anchors)
        codes.append(creds.exit_code)
        reports.append({"path": str(path), **creds.to_json()})
        if not as_json:
            mark = {"trusted": "✓", "valid": "✓", "invalid": "✗", "none": "–"}[creds.state]
            first, *rest = describe(creds)
            out.print(f"{mark} {path}: Content Credentials {first}", markup=False, soft_wrap=True)
            for line in rest:
                out.print(f"    {line}", markup=False, soft_wrap=True)
    if as_json:
        typer.echo(json.dumps(reports, indent=2))
    raise typer.Exit(1 if 1 in codes else 2 if 2 in codes else 0)


def register(app: typer.Typer) -> None:
    app.command("verify")(verify)
