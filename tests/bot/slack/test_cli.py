"""`keyart slack`: Socket Mode when SLACK_APP_TOKEN is set, HTTP otherwise or with --http."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import bot.server
from bot.cli import app


class StubBot:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def serve_socket_mode(self) -> None:
        self.calls.append(("socket", None))

    def serve_http(self, host: str, port: int) -> None:
        self.calls.append(("http", (host, port)))

    def stop(self) -> None:
        self.calls.append(("stop", None))


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> StubBot:
    bot_stub = StubBot()
    monkeypatch.setattr(bot.server, "start_bot", lambda settings: bot_stub)
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in ("SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "KEYART_SLACK_PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-x")
    monkeypatch.setenv("KEYART_DATA_DIR", str(tmp_path))
    return bot_stub


def test_socket_mode_when_an_app_token_is_set(stub: StubBot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-x")
    result = CliRunner().invoke(app, ["slack"])
    assert result.exit_code == 0, result.output
    assert stub.calls == [("socket", None), ("stop", None)]


def test_http_mode_with_flag_or_without_app_token(stub: StubBot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-x")
    assert CliRunner().invoke(app, ["slack", "--http", "--port", "4123"]).exit_code == 0
    monkeypatch.delenv("SLACK_APP_TOKEN")
    monkeypatch.setenv("KEYART_SLACK_PORT", "4555")
    assert CliRunner().invoke(app, ["slack"]).exit_code == 0
    served = [args for name, args in stub.calls if name == "http"]
    assert served == [("0.0.0.0", 4123), ("0.0.0.0", 4555)]


def test_http_mode_needs_the_signing_secret(stub: StubBot) -> None:
    result = CliRunner().invoke(app, ["slack", "--http"])
    assert result.exit_code == 2 and "SLACK_SIGNING_SECRET" in result.output
    assert stub.calls == []
