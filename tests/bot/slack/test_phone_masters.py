"""A phone's HEIC photo as the master, all the way through a thread: stored, approved, planned, run."""

from __future__ import annotations

import io

import pillow_heif
from PIL import Image
from skimage import data

from storage.models import Asset
from tests.bot.slack.conftest import APPROVER, Harness
from tests.pipeline.imaging.test_phone_formats import pillow_here_cannot_read_heic  # noqa: F401 (autouse here too)


def heic_photo() -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6  # a portrait photo stored sideways, as phones do
    out = io.BytesIO()
    photo = Image.fromarray(data.astronaut()).resize((320, 240))
    pillow_heif.from_pillow(photo).save(out, quality=90, exif=exif.tobytes())  # Pillow here can't read it
    return out.getvalue()


def test_a_heic_master_runs_a_batch(slack: Harness) -> None:
    thread = slack.campaign("Phone shoot")
    upload = slack.share(thread, "IMG_0042.HEIC", heic_photo())
    ack = slack.message_with("stored as a master candidate", thread_ts=thread)
    assert "240×320 HEIF" in ack["text"]  # upright: the phone's rotation applied
    [asset] = slack.rows(Asset)
    assert (asset.format, asset.width, asset.height) == ("heif", 240, 320)
    slack.react(upload, user=APPROVER)
    slack.message_with("*Master approved*", thread_ts=thread)
    slack.mention("IAB 300x250", thread_ts=thread)
    audit = slack.message_with("🔎 *Audit*", thread_ts=thread, timeout=60)
    assert "1/1 pass" in audit["text"] or "0/1 pass" in audit["text"]
