"""A campaign thread: a brief starts it, uploads become master candidates, requests become plans."""

from __future__ import annotations

import io
import logging
import re
from typing import Any

from bot import budget, messages
from bot.access import may_run, refuse
from bot.briefs import read_brief
from bot.deps import Deps
from bot.downloads import download, too_big
from bot.flows.plans import propose
from bot.replies import user_message
from pipeline import campaigns
from pipeline.costs import step_cost
from pipeline.errors import UserFacingError
from pipeline.imaging.load import LoadedImage
from storage.db import session_scope
from storage.models import Asset, Campaign, SlackMessage
from storage.repos import slack as slack_repo

log = logging.getLogger(__name__)

_MENTION = re.compile(r"<@[A-Z0-9]+(\|[^>]*)?>")
PREVIEW_SIDE = 512


def strip_mentions(text: str) -> str:
    return _MENTION.sub("", text or "").strip()


def on_mention(deps: Deps, *, channel: str, ts: str, thread_ts: str | None, user: str, text: str,
               files: list[dict[str, Any]] | None = None) -> None:
    """``@keyart …``: a brief outside a campaign thread, a request inside one; files become candidates."""
    request = strip_mentions(text)
    root = thread_ts or ts
    campaign = campaigns.campaign_for(deps.runtime, channel, root)
    if not _may_brief(deps, user=user, campaign=campaign, channel=channel, ts=ts, thread_ts=thread_ts):
        return
    if campaign is None:
        campaign = start(deps, channel=channel, thread_ts=root, user=user, brief=request)
        if files:
            add_uploads(deps, campaign, channel=channel, ts=ts, thread_ts=root, files=files)
        return
    if files:
        # The same upload may also arrive as a `file_share` message; whichever comes first adds it.
        add_uploads(deps, campaign, channel=channel, ts=ts, thread_ts=root, files=files)
        if campaign.master_asset_id is None or len(request.split()) < 4:
            return  # "@keyart here's the master" + a file: the upload's own reply says what comes next
    propose(deps, campaign, channel=channel, thread_ts=root, ts=ts, user=user, request=request)


def _may_brief(deps: Deps, *, user: str, campaign: Campaign | None, channel: str, ts: str,
               thread_ts: str | None) -> bool:
    """The requester role (bot/access.py), and the budget for the candidates a new campaign
    generates; a refusal is told to the person only, once per message."""
    gpu_seconds = candidates_cost(deps) if campaign is None else 0.0
    verdict = may_run(deps, user=user, action="brief", campaign=campaign, gpu_seconds=gpu_seconds)
    if not verdict.allowed:
        refuse(deps, verdict, key=f"brief:{channel}:{ts}:refused", channel=channel, user=user,
               thread_ts=thread_ts)
    return verdict.allowed


def start(deps: Deps, *, channel: str, thread_ts: str, user: str, brief: str) -> Campaign:
    """Bind a campaign to the thread; say how to give it a master (or start generating candidates)."""
    name, brief = read_brief(brief)  # "new campaign: spring sale, hero is …": the name, then the brief
    campaign, created = campaigns.start_campaign(deps.runtime, channel=channel, thread_ts=thread_ts,
                                                 name=name, brief=brief, user=user)
    assert campaign.id is not None
    if not created:
        return campaign
    key = started_key(campaign.id)
    text = messages.campaign_started(campaign.name, deps.settings, deps.vocab)
    deps.outbox.post(key, channel, thread_ts, text, mapping={"kind": "campaign", "campaign_id": campaign.id})
    if deps.settings.engine == "diffusion":
        params = {"campaign_id": campaign.id, "prompt": brief or campaign.name,
                  "count": deps.settings.slack_candidates, "first_index": 0}
        _, queued = deps.tasks.submit("generate", f"{campaign.id}:0", params, campaign_id=campaign.id,
                                      reply_channel=channel, reply_thread_ts=thread_ts)
        if queued:
            budget.charge(deps, user, candidates_cost(deps), what="candidates", campaign_id=campaign.id,
                          note=f"{deps.settings.slack_candidates} master candidates for {campaign.name}")
    return campaign


def candidates_cost(deps: Deps) -> float:
    """GPU-seconds of the master candidates a new campaign generates (none on the classical engine)."""
    if deps.settings.engine != "diffusion":
        return 0.0
    params = {"count": deps.settings.slack_candidates}
    return step_cost("generate", params, deps.settings.engine, input_mp=0).gpu_seconds


def started_key(campaign_id: int) -> str:
    return f"campaign:{campaign_id}:started"


def on_file_share(deps: Deps, *, channel: str, ts: str, thread_ts: str | None, user: str, text: str,
                  files: list[dict[str, Any]]) -> None:
    """Files posted in a campaign thread (or with a brief that mentions the bot) become candidates."""
    root = thread_ts or ts
    campaign = campaigns.campaign_for(deps.runtime, channel, root)
    if campaign is None and (thread_ts is not None or not _MENTION.search(text or "")):
        return  # someone else's thread: not ours to read
    if not _may_brief(deps, user=user, campaign=campaign, channel=channel, ts=ts, thread_ts=thread_ts):
        return
    if campaign is None:
        campaign = start(deps, channel=channel, thread_ts=root, user=user, brief=strip_mentions(text))
    add_uploads(deps, campaign, channel=channel, ts=ts, thread_ts=root, files=files)


def add_uploads(deps: Deps, campaign: Campaign, *, channel: str, ts: str, thread_ts: str,
                files: list[dict[str, Any]]) -> None:
    """Each file of the message at ``ts`` becomes a candidate once, whichever event brought it.

    A file shared with a mention arrives twice (``message``/``file_share`` and ``app_mention``,
    in either order, or only one of them): the first to claim ``(channel, ts, file id)`` adds it.
    """
    for index, file in enumerate(files):
        with session_scope(deps.runtime.engine) as s:
            claimed = slack_repo.first_delivery(s, upload_key(channel, ts, file), "upload")
        if not claimed:
            continue
        # With one file, ✅ on the person's own upload message approves it too.
        ingest(deps, campaign, channel=channel, thread_ts=thread_ts, ts=ts, file=file,
               map_own_message=index == 0 and len(files) == 1)


def upload_key(channel: str, ts: str, file: dict[str, Any]) -> str:
    return f"upload:{channel}:{ts}:{file.get('id')}"


def ingest(deps: Deps, campaign: Campaign, *, channel: str, thread_ts: str, ts: str,
           file: dict[str, Any], map_own_message: bool = False) -> Asset | None:
    """Download, validate and store one uploaded file; a readable thread message on any refusal."""
    assert campaign.id is not None
    key = upload_key(channel, ts, file)
    settings = deps.settings
    try:
        info = file if file.get("url_private_download") or file.get("url_private") else \
            deps.client.files_info(file=file["id"])["file"]
        name = str(info.get("name") or info.get("title") or file.get("id") or "upload")
        size = info.get("size")
        if isinstance(size, int) and size > settings.max_upload_bytes:
            raise too_big(name, size, settings.max_upload_bytes)
        url = str(info.get("url_private_download") or info.get("url_private") or "")
        data = download(url, token=settings.slack_bot_token, name=name, max_bytes=settings.max_upload_bytes,
                        api_url=settings.slack_api_url)
        asset, loaded = campaigns.add_candidate(deps.runtime, campaign.id, data, filename=name)
    except UserFacingError as exc:
        deps.outbox.post(f"{key}:refused", channel, thread_ts, user_message(exc))
        return None
    except Exception as exc:  # the person gets a ref, the log gets the trace
        deps.outbox.post(f"{key}:error", channel, thread_ts, user_message(exc, "reading your upload"))
        return None
    if map_own_message:  # before the reply goes out: whoever reads the reply can react at once
        with session_scope(deps.runtime.engine) as s:
            slack_repo.map_message(s, SlackMessage(channel=channel, ts=ts, thread_ts=thread_ts, kind="upload",
                                                   campaign_id=campaign.id, asset_id=asset.id))
    preview = deps.runtime.blobs.put_bytes(preview_jpeg(loaded))
    deps.outbox.upload(f"{key}:ack", channel, thread_ts, blob=preview, filename=f"preview-{asset.id}.jpg",
                       title=f"Preview · {name}", comment=messages.upload_ack(asset, deps.vocab),
                       mapping={"kind": "upload", "campaign_id": campaign.id, "asset_id": asset.id})
    return asset


def preview_jpeg(loaded: LoadedImage, side: int = PREVIEW_SIDE) -> bytes:
    image = loaded.image.convert("RGB")
    image.thumbnail((side, side))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()
