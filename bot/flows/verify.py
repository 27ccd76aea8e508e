"""Content Credentials in Slack: ``/keyart verify`` (the newest file keyart posted in the channel)
and the *Verify Content Credentials* message shortcut (any file on any message: a client's copy,
a file downloaded from a platform). Answers go only to the person who asked."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from bot.deps import Deps
from bot.downloads import download
from pipeline.errors import BadInput
from storage.db import read_session
from storage.models import Asset, SlackMessage
from storage.repos import campaigns

MAX_FILES = 5
_ICONS = {"trusted": "✅", "valid": "✅", "invalid": "❌", "none": "⚪"}


def latest(deps: Deps, channel: str) -> str:
    """The report for the newest result or approved copy keyart posted in ``channel``."""
    with read_session(deps.runtime.engine) as s:
        row = s.exec(
            select(SlackMessage)
            .where(
                SlackMessage.channel == channel,
                col(SlackMessage.kind).in_(("result", "approved")),
                col(SlackMessage.asset_id).is_not(None),
            )
            .order_by(col(SlackMessage.id).desc())
        ).first()
        asset: Asset | None = campaigns.get_asset(s, row.asset_id) if row and row.asset_id else None
    if asset is None:
        return (
            "🔏 keyart has posted no file in this channel yet. To check any file, use the *Verify "
            "Content Credentials* shortcut on its message (⋯ → More message shortcuts)."
        )
    name = asset.filename or f"asset {asset.id}"
    return report(
        deps,
        name + (" (approved copy)" if asset.kind == "approved" else ""),
        deps.runtime.blobs.read_bytes(asset.sha256),
    )


def on_shortcut(deps: Deps, *, user: str, channel: str, message: dict[str, Any], trigger: str) -> None:
    """Download each file on ``message`` (capped, from Slack only) and report its credentials."""
    thread_ts = message.get("thread_ts") or message.get("ts")
    files = [f for f in message.get("files") or [] if f.get("url_private")]
    if not files:
        deps.outbox.ephemeral(
            f"verify:{trigger}", channel, user, "🔏 That message has no file to verify.", thread_ts
        )
        return
    settings = deps.settings
    for index, file in enumerate(files[:MAX_FILES]):
        name = str(file.get("name") or file.get("title") or "file")
        try:
            data = download(
                str(file["url_private"]),
                token=settings.slack_bot_token,
                name=name,
                max_bytes=settings.max_upload_bytes,
                api_url=settings.slack_api_url,
            )
        except BadInput as exc:
            text = f"🔏 {exc}"
        else:
            text = report(deps, name, data)
        deps.outbox.ephemeral(f"verify:{trigger}:{index}", channel, user, text, thread_ts)


def report(deps: Deps, name: str, data: bytes) -> str:
    from pipeline.credentials.keys import trust_anchors
    from pipeline.credentials.reader import describe, read_credentials

    creds = read_credentials(data, anchors_pem=trust_anchors(deps.settings))
    first, *rest = describe(creds, who=_mention)
    head = f"🔏 {_ICONS[creds.state]} `{name}`: Content Credentials {first}"
    return "\n".join([head, *(f"• {line}" for line in rest)])


def _mention(person: dict[str, Any]) -> str:
    user = str(person.get("user") or "?")
    name = f"<@{user}>" if person.get("via") == "slack" else f"`{user}`"
    return f"{name} ({person.get('via', '?')}, {person.get('at', '?')})"
