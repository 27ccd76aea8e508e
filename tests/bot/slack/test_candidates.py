"""Flow 1 with the diffusion engine: a brief → N candidates, each its own message mapped to its asset.

The `generate` op is replaced by a seeded noise picture: this tests the thread, not the model
(the diffusion engine has its own tests with tiny models).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from PIL import Image

from pipeline.ops import registry
from pipeline.ops.base import Geometry, OpResult
from storage.models import Asset, Campaign, SlackMessage
from tests.bot.slack.conftest import APPROVER, OPERATOR, Harness


@pytest.fixture
def overrides() -> dict[str, Any]:
    return {"engine": "diffusion", "slack_candidates": 2}


@pytest.fixture(autouse=True)
def noise_generator() -> Iterator[None]:
    spec = registry.get_op("generate")

    def generate(inputs: Any, params: Any, ctx: Any) -> OpResult:
        pixels = np.random.default_rng(ctx.seed).integers(0, 256, (48, 64, 3), dtype=np.uint8)
        image = Image.fromarray(pixels)
        return OpResult(image=image, geometry=Geometry.identity(image.size), seed=ctx.seed,
                        engine="diffusion",
                        model="tiny-flux")

    registry._OPS["generate"] = dataclasses.replace(spec, fn=generate)
    yield
    registry._OPS["generate"] = spec


def test_brief_generates_candidates_and_reactions_pick_and_reroll(slack: Harness) -> None:
    thread = slack.mention('new campaign "Spring Sale". Hero: a runner in a yellow raincoat at golden hour.')
    slack.message_with("✅ 2 master candidates below", thread_ts=thread)
    started = slack.fake.posts(thread_ts=thread)[0]
    assert started["text"].startswith("🎬 Campaign *Spring Sale* started. Engine: diffusion")
    assert started["edits"] >= 2  # "Generating 2 master candidates… 0/2", "… 1/2", then done
    a = slack.message_with("Candidate A · seed", thread_ts=thread)
    b = slack.message_with("Candidate B · seed", thread_ts=thread)
    candidates = slack.rows(Asset, Asset.kind == "candidate")
    assert [(c.width, c.height, c.model) for c in candidates] == [(64, 48, "tiny-flux")] * 2
    assert candidates[0].seed != candidates[1].seed
    assert "yellow raincoat" in candidates[0].params["prompt"]
    assert {m.asset_id for m in slack.rows(SlackMessage, SlackMessage.kind == "candidate")} == {
        c.id for c in candidates}

    slack.react(b["ts"], user=APPROVER)
    approved = slack.message_with("*Master approved* by <@ULENA>", thread_ts=thread)
    assert f"— Candidate B (seed {candidates[1].seed}, tiny-flux, 64×48)." in approved["text"]
    assert slack.rows(Campaign)[0].master_asset_id == candidates[1].id

    slack.react(a["ts"], "repeat", user=OPERATOR)
    slack.message_with("Candidate C · seed", thread_ts=thread)
    assert len(slack.rows(Asset, Asset.kind == "candidate")) == 3
