"""Content Credentials in Slack: a ✅ on a delivered file posts the approved copy with the approval
countersigned; ``/keyart verify`` and the *Verify Content Credentials* shortcut read files back."""

from __future__ import annotations

import io
from functools import cache
from typing import Any

import pytest
from PIL import Image

from pipeline.credentials.reader import read_credentials
from pipeline.specs import get_spec
from storage.models import Asset, SlackMessage
from tests.bot.slack.conftest import APPROVER, CHANNEL, OPERATOR, OUTSIDER, Harness
from tests.bot.slack.test_batches import master_thread, results
from tests.support.certs import SigningChain, key_body, make_chain


@cache
def agency_chain() -> SigningChain:
    return make_chain("es256")


@pytest.fixture
def overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The agency's own signing certificate unless a test asks for the development CA (``{}``)."""
    keys = {"c2pa_cert": agency_chain().chain_pem.decode(), "c2pa_key": agency_chain().key_pem.decode()}
    return dict(getattr(request, "param", keys))


def delivered_batch(slack: Harness, name: str) -> tuple[str, dict[str, dict[str, Any]]]:
    thread = master_thread(slack, name)
    slack.mention("IAB 300x250 and 728x90", thread_ts=thread)
    slack.message_with("🔎 *Audit*", thread_ts=thread, timeout=60)
    return thread, results(slack, thread)


def test_a_variant_approval_is_countersigned_and_the_approved_copy_posted(slack: Harness) -> None:
    thread, files = delivered_batch(slack, "Approvals on record")
    slack.react(files["iab-medium-rectangle"]["ts"], user=OUTSIDER)  # not an approver: nothing signed
    slack.react(files["iab-medium-rectangle"]["ts"], user=APPROVER)
    posted = slack.message_with(f"approved by <@{APPROVER}>", thread_ts=thread)
    assert posted["files"][0]["title"] == "iab-medium-rectangle (approved)"
    assert (
        "This copy is the one to ship" in posted["text"] and "development certificate" not in posted["text"]
    )
    [copy] = slack.rows(Asset, Asset.kind == "approved")
    [variant] = slack.rows(Asset, Asset.id == copy.parent_id)
    sent = slack.fake.uploads[posted["files"][0]["id"]]
    assert sent == slack.bot.deps.runtime.blobs.read_bytes(copy.sha256), "Slack got the countersigned copy"
    cap = get_spec("iab-medium-rectangle").max_bytes
    assert cap is not None and len(sent) <= cap
    creds = read_credentials(sent, anchors_pem=agency_chain().root_pem)
    assert creds.state == "trusted" and creds.signer == "Test Agency signing" and not creds.development
    people = creds.people
    assert (
        people["variant_approved_by"]["user"] == APPROVER and people["variant_approved_by"]["via"] == "slack"
    )
    assert people["master_approved_by"]["user"] == APPROVER
    assert people["briefed_by"]["user"] == OPERATOR and people["requested_by"]["user"] == OPERATOR
    assert [a["action"] for a in creds.actions][-2:] == ["c2pa.opened", "c2pa.published"]
    before = read_credentials(
        slack.bot.deps.runtime.blobs.read_bytes(variant.sha256), anchors_pem=agency_chain().root_pem
    )
    assert "variant_approved_by" not in before.people, "the delivered file itself is unchanged"
    # A re-run someone asked for names them too.
    slack.react(files["iab-leaderboard"]["ts"], "repeat", user=APPROVER)
    rerun = slack.message_with("re-run with a new seed", thread_ts=thread, timeout=60)
    again = read_credentials(slack.fake.uploads[rerun["files"][0]["id"]], anchors_pem=agency_chain().root_pem)
    assert again.state == "trusted" and again.people["rerun_by"]["user"] == APPROVER
    assert again.people["requested_by"]["user"] == OPERATOR
    # Keys never reach Slack or the database.
    secrets = [line.decode() for line in key_body(agency_chain().key_pem)]
    sent_to_slack = repr([c.params for c in slack.fake.calls])
    assert not any(line in sent_to_slack for line in secrets)
    database = (slack.settings.data_dir / "keyart.db").read_bytes()
    assert not any(line.encode() in database for line in secrets)


@pytest.mark.parametrize("overrides", [{}], indirect=True)
def test_verify_command_and_shortcut(slack: Harness) -> None:
    thread, _ = delivered_batch(slack, "Verify")
    status, answer = slack.command("verify")
    assert status == 200 and "Content Credentials valid (trusted signer)" in answer["text"]
    newest = max(slack.rows(SlackMessage, SlackMessage.kind == "result"), key=lambda m: m.id or 0)
    [shown] = slack.rows(Asset, Asset.id == newest.asset_id)
    assert f"`{shown.filename}`" in answer["text"]
    assert "signed with a development certificate: not trusted outside this workspace" in answer["text"]
    assert f"master approved by <@{APPROVER}>" in answer["text"]

    # A client sends a copy back: the shortcut downloads it from Slack and reads it.
    [variant] = slack.rows(Asset, Asset.spec == "iab-medium-rectangle")
    delivered = slack.bot.deps.runtime.blobs.read_bytes(variant.sha256)
    tampered = bytearray(delivered)
    tampered[(tampered.rindex(b"\xff\xda") + tampered.rindex(b"\xff\xd9")) // 2] ^= 0x01
    reencoded = io.BytesIO()
    Image.open(io.BytesIO(delivered)).save(reencoded, "JPEG", quality=95)
    cases = {
        "client-copy.jpg": (delivered, "✅ `client-copy.jpg`: Content Credentials valid"),
        "edited.jpg": (bytes(tampered), "❌ `edited.jpg`: Content Credentials INVALID"),
        "from-a-platform.jpg": (reencoded.getvalue(), "⚪ `from-a-platform.jpg`: Content Credentials none"),
    }
    for name, (body, expected) in cases.items():
        file = slack.fake.serve_file(name, body)
        message = {"ts": slack.next_ts(), "thread_ts": thread, "channel": CHANNEL, "files": [file]}
        assert slack.shortcut("keyart_verify", message, user=OUTSIDER) == 200
        said = slack.fake.wait_for(
            lambda e=expected: [
                c for c in slack.fake.of("chat.postEphemeral") if e in str(c.params.get("text"))
            ],
            what=expected,
        )
        assert said[0].params["user"] == OUTSIDER and said[0].params["thread_ts"] == thread
    assert slack.shortcut("keyart_verify", {"ts": slack.next_ts(), "channel": CHANNEL, "text": "hi"}) == 200
    slack.fake.wait_for(
        lambda: [
            c for c in slack.fake.of("chat.postEphemeral") if "no file to verify" in str(c.params.get("text"))
        ]
    )
