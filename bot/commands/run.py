"""``keyart run``: one request end to end, no Slack."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from bot.production import RunRequest, produce
from storage.settings import Settings


def run(
    master: Path = typer.Option(
        ..., "--master", help="The approved master image (PNG, JPEG, TIFF, WebP, AVIF, HEIC, GIF or BMP)."
    ),
    request: str = typer.Option(
        ..., "--request", help='What to make, e.g. "Meta set, stories and the IAB set".'
    ),
    brand: Path | None = typer.Option(None, "--brand", help="Brand kit JSON (logo, font, colours, CTA)."),
    out: Path = typer.Option(Path("keyart-out/run"), "--out", help="Output folder."),
    engine: str | None = typer.Option(
        None, "--engine", help="classical | diffusion (default: KEYART_ENGINE)."
    ),
) -> None:
    """Make the variants a request asks for from MASTER, audit them, and write the reports.

    Exit 0 when every variant passes the audit, 1 when any fails, 2 on bad input.
    """
    if engine not in (None, "classical", "diffusion"):
        Console(stderr=True).print(f"⚠️  unknown engine `{engine}`: use classical or diffusion")
        raise typer.Exit(2)
    code = produce(
        Settings(),
        RunRequest(master, request, out, brand, engine),
        console=Console(),
        errors=Console(stderr=True),
    )
    raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    app.command("run")(run)
