"""``keyart db upgrade``: apply the database migrations."""

from __future__ import annotations

import typer

from pipeline.runtime import Runtime
from storage.settings import Settings

db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    runtime = Runtime(Settings())
    runtime.migrate(revision)
    typer.echo(f"database at {revision}: {runtime.engine.url.render_as_string(hide_password=True)}")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
