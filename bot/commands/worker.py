"""``keyart worker [--queues gpu,cpu]``: run a Celery worker for this project (``scale`` extra)."""

from __future__ import annotations

import logging

import typer

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
    try:
        start_worker(Settings(), queues=wanted, concurrency=concurrency, name=name)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
