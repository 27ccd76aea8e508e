"""``keyart slack [--http --port N]``: run the Slack bot (Socket Mode when SLACK_APP_TOKEN is set)."""

from __future__ import annotations

import logging

import typer

from storage.settings import Settings


def slack(
    http: bool = typer.Option(False, "--http",
                              help="Serve HTTP on /slack/events even if SLACK_APP_TOKEN is set."),
    port: int = typer.Option(0, "--port", help="HTTP port (default: KEYART_SLACK_PORT, 3000)."),
    host: str = typer.Option("0.0.0.0", "--host", help="HTTP interface to listen on."),
) -> None:
    """Run the bot: Socket Mode when SLACK_APP_TOKEN is set, else HTTP on /slack/events."""
    from bot.server import start_bot  # Bolt and the pipeline load only for this command

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings()
    socket_mode = bool(settings.slack_app_token) and not http
    if not socket_mode and not settings.slack_signing_secret:
        raise typer.BadParameter("HTTP mode needs SLACK_SIGNING_SECRET "
                                 "(or set SLACK_APP_TOKEN for Socket Mode).")
    bot = start_bot(settings)
    try:
        if socket_mode:
            typer.echo("keyart: Socket Mode")
            bot.serve_socket_mode()
        else:
            bot.serve_http(host, port or settings.slack_port)
    except KeyboardInterrupt:
        pass
    finally:
        bot.stop()


def register(app: typer.Typer) -> None:
    app.command("slack")(slack)
