"""``keyart specs``: the channel catalogue."""

from __future__ import annotations

import json
import sys

import typer
from rich.console import Console
from rich.table import Table

from pipeline.specs import CONTRACT_SPECS, all_specs


def specs(as_json: bool = typer.Option(False, "--json", help="Print the catalogue as JSON.")) -> None:
    """List the channel specs: pixel size, aspect, format, byte cap, dpi and safe zone."""
    catalogue = all_specs()
    if as_json:
        typer.echo(json.dumps({"specs": [spec.to_json() for spec in catalogue]}, indent=2))
        return
    table = Table(title="keyart channel specs")
    for column in ("name", "size", "aspect", "format", "max size", "dpi", "safe zone (t/b/l/r)", "platform"):
        table.add_column(column)
    for spec in catalogue:
        zone = spec.safe_zone
        table.add_row(
            spec.name + (" *" if spec.name in CONTRACT_SPECS else ""),
            f"{spec.width}×{spec.height}",
            spec.aspect,
            spec.format,
            _bytes(spec.max_bytes),
            str(spec.dpi),
            "/".join(f"{v:.0%}" for v in (zone.top, zone.bottom, zone.left, zone.right)),
            spec.platform,
        )
    # Piped output (scripts, CI logs) gets a wide fixed width instead of 80 wrapped columns.
    console = Console(width=None if sys.stdout.isatty() else 140)
    console.print(table)
    console.print("* in the default channel set")


def _bytes(value: int | None) -> str:
    if value is None:
        return "—"
    return f"{value / 1_000_000:g} MB" if value >= 1_000_000 else f"{value / 1000:g} KB"


def register(app: typer.Typer) -> None:
    app.command("specs")(specs)
