"""The ``keyart`` command line (also ``python -m bot``). Only wiring: commands live in bot/commands/."""

from __future__ import annotations

import typer

from bot.commands import audit, db, demo, generate, plan, run, slack, specs, verify, worker

app = typer.Typer(
    name="keyart",
    help="keyart: one approved master image → every channel variant, audited.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
for module in (run, generate, demo, plan, audit, verify, specs, db, slack, worker):
    module.register(app)


def main() -> None:
    app()
