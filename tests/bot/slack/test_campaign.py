"""Flows 1–3: a brief starts a campaign thread, an upload becomes a candidate, ✅ makes it the master."""

from __future__ import annotations

import io

from PIL import Image

from storage.models import Approval, Asset, Campaign, SlackMessage
from tests.bot.slack.conftest import APPROVER, CHANNEL, GROUP_MEMBER, OUTSIDER, Harness, png
from tests.bot.slack.fake_slack import BOT_USER


def test_brief_starts_a_campaign_bound_to_its_thread(slack: Harness) -> None:
    ts = slack.mention('new campaign "Spring Sale". Hero: a runner in a yellow raincoat.')
    reply = slack.message_with("Campaign *Spring Sale* started", thread_ts=ts)
    assert "Upload the master in this thread" in reply["text"]
    [campaign] = slack.rows(Campaign)
    assert (campaign.name, campaign.slack_channel, campaign.slack_thread_ts) == ("Spring Sale", CHANNEL, ts)
    assert "yellow raincoat" in campaign.brief


def test_upload_is_stored_as_candidate_with_a_preview_mapped_to_it(slack: Harness) -> None:
    thread = slack.campaign("Uploads")
    upload_ts = slack.share(thread, "hero.png", png())
    ack = slack.message_with("stored as a master candidate", thread_ts=thread)
    assert ack["files"][0]["name"].startswith("preview-") and "256×256 PNG" in ack["text"]
    [asset] = slack.rows(Asset)
    assert (asset.kind, asset.filename, asset.width) == ("upload", "hero.png", 256)
    # The person's own message and the preview (via its file) both point at the asset.
    [own] = slack.rows(SlackMessage, SlackMessage.ts == upload_ts)
    assert own.asset_id == asset.id


def test_approver_reaction_on_the_upload_approves_the_master_and_removal_revokes_it(slack: Harness) -> None:
    thread = slack.campaign("Approvals")
    upload_ts = slack.share(thread, "hero.png", png())
    slack.message_with("stored as a master candidate", thread_ts=thread)
    slack.react(upload_ts, user=APPROVER)
    slack.message_with("*Master approved* by <@ULENA>", thread_ts=thread)
    [campaign] = slack.rows(Campaign)
    [asset] = slack.rows(Asset)
    assert campaign.master_asset_id == asset.id and asset.status == "master"

    slack.react(upload_ts, user=APPROVER, added=False)
    slack.message_with("revoked by <@ULENA>", thread_ts=thread)
    [campaign] = slack.rows(Campaign)
    assert campaign.master_asset_id is None
    log = [(a.decision, a.user_id, a.effective) for a in slack.rows(Approval)]
    assert log == [("approve", APPROVER, True), ("revoke", APPROVER, True)]


def test_reaction_on_the_bots_preview_works_and_a_later_approval_supersedes(slack: Harness) -> None:
    thread = slack.campaign("Two candidates")
    slack.share(thread, "a.png", png(picture="astronaut"))
    slack.message_with("`a.png` stored", thread_ts=thread)
    slack.share(thread, "b.png", png(picture="chelsea"))
    preview_b = slack.message_with("`b.png` stored", thread_ts=thread)
    a_id, b_id = (x.id for x in slack.rows(Asset))
    slack.react(slack.fake.posts(thread_ts=thread)[1]["ts"], user=GROUP_MEMBER)  # preview of a (group member)
    slack.message_with("approved* by <@UGROUPIE> — `a.png`", thread_ts=thread)
    slack.react(preview_b["ts"], user=APPROVER)
    slack.message_with("approved* by <@ULENA> — `b.png`", thread_ts=thread)
    [campaign] = slack.rows(Campaign)
    statuses = {a.id: a.status for a in slack.rows(Asset)}
    assert campaign.master_asset_id == b_id and statuses == {a_id: "superseded", b_id: "master"}
    assert slack.fake.of("conversations.replies")  # the preview's ts was found through its file


def test_non_approver_gets_an_ephemeral_and_nothing_changes(slack: Harness) -> None:
    thread = slack.campaign("Outsider")
    upload_ts = slack.share(thread, "hero.png", png())
    slack.message_with("stored as a master candidate", thread_ts=thread)
    slack.react(upload_ts, user=OUTSIDER)
    [ephemeral] = slack.fake.wait_for(lambda: slack.fake.of("chat.postEphemeral"), what="ephemeral")
    assert ephemeral.params["user"] == OUTSIDER and "Only approvers" in ephemeral.params["text"]
    [campaign] = slack.rows(Campaign)
    assert campaign.master_asset_id is None
    [attempt] = slack.rows(Approval)
    assert (attempt.user_id, attempt.effective) == (OUTSIDER, False)


def test_the_bots_own_reactions_are_ignored(slack: Harness) -> None:
    thread = slack.campaign("Self")
    upload_ts = slack.share(thread, "hero.png", png())
    slack.message_with("stored as a master candidate", thread_ts=thread)
    slack.react(upload_ts, user=BOT_USER)
    slack.react(upload_ts, user=OUTSIDER)  # a later event, to know the first was processed
    slack.fake.wait_for(lambda: slack.fake.of("chat.postEphemeral"), what="ephemeral")
    assert [a.user_id for a in slack.rows(Approval)] == [OUTSIDER]


def test_corrupt_upload_gets_a_thread_message_and_nothing_is_stored(slack: Harness) -> None:
    thread = slack.campaign("Corrupt")
    slack.share(thread, "banner.png", b"<!DOCTYPE html><html><body>not an image</body></html>")
    reply = slack.message_with("banner.png", thread_ts=thread)
    assert "isn't an image I can use" in reply["text"] and "Nothing was stored" in reply["text"]
    truncated = png()[:2000]
    slack.share(thread, "cut.png", truncated)
    reply = slack.message_with("cut.png", thread_ts=thread)
    assert "truncated or corrupt" in reply["text"]
    assert slack.rows(Asset) == []


def test_oversized_uploads_are_refused_before_or_while_downloading(slack: Harness) -> None:
    limit = slack.settings.max_upload_bytes
    thread = slack.campaign("Big")
    big = png() + b"\0" * limit
    # 1. Slack says how big it is: not even downloaded.
    slack.share(thread, "big.png", big)
    assert "the limit is 2 MB" in slack.message_with("`big.png`", thread_ts=thread)["text"]
    assert not [c for c in slack.fake.calls if c.method.startswith("GET ")]
    # 2. The event under-reports, the stream has no length: reading stops at the limit.
    file_share = slack.fake.serve_file("stream.png", big, declared_length=-1)
    file_share["size"] = 10
    ts = slack.next_ts()
    event = {"type": "message", "subtype": "file_share", "user": "UMAYA", "text": "", "ts": ts,
             "thread_ts": thread, "channel": CHANNEL, "event_ts": ts, "files": [file_share]}
    assert slack.event(event) == 200
    assert "is over 2 MB" in slack.message_with("`stream.png`", thread_ts=thread)["text"]
    # 3. Few bytes, too many pixels: refused from the header, before decoding.
    out = io.BytesIO()
    Image.new("RGB", (3000, 2000), (200, 40, 40)).save(out, "PNG")
    slack.share(thread, "huge.png", out.getvalue())
    refused = slack.message_with("`huge.png`", thread_ts=thread)["text"]
    assert "6.0 megapixels; the limit is 4.0" in refused and "Nothing was stored" in refused
    assert slack.rows(Asset) == []
