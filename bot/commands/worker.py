"""``keyart worker [--queues gpu,cpu]``: run a Celery worker for this project (``scale`` extra)."""

from __future__ import annotations

import logging

import typer

from pipeline.errors import UserFacingError
from pipeline.runtime import Runtime
from storage.settings import Settings


def worker(
    queues: str = typer.Option(
        "gpu,cpu", "--queues", "-Q", help="Comma-separated queues to take jobs from: gpu (diffusion), cpu."
    ),
    concurrency: int = typer.Option(
        1, "--concurrency", "-c", help="Jobs at once; the solo pool runs 1 (start more workers instead)."
    ),
    name: str = typer.Option("", "--name", "-n", help="Worker name (default: celery@<host>)."),
) -> None:
    """Run jobs sent by the bot (KEYART_QUEUE=celery) from Redis (KEYART_BROKER_URL) until stopped."""
    try:
        from pipeline.workers.celery_app import start_worker  # Celery loads only for this command
    except ImportError as exc:
        raise typer.BadParameter(f"keyart worker needs the 'scale' extra ({exc.name} is missing)") from exc

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    wanted = [q.strip() for q in queues.split(",") if q.strip()]
    settings = Settings()
    try:
        # Content Credentials keys are loaded (the development CA made) before the first job: unusable
        # keys stop the worker here with their reason, and no job pays for loading the signer.
        _ = Runtime(settings).signer
    except UserFacingError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    try:
        start_worker(settings, queues=wanted, concurrency=concurrency, name=name)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
