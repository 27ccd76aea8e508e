"""A brief written the way people write it names its campaign (issue 14), end to end over Slack."""

from __future__ import annotations

from storage.models import Campaign
from tests.bot.slack.conftest import Harness


def test_unquoted_name_after_new_campaign_colon(slack: Harness) -> None:
    ts = slack.mention("new campaign: spring sale, hero is our astronaut portrait")
    slack.message_with("Campaign *spring sale* started", thread_ts=ts)
    [campaign] = slack.rows(Campaign)
    assert (campaign.name, campaign.brief) == ("spring sale", "hero is our astronaut portrait")


def test_for_the_launch(slack: Harness) -> None:
    ts = slack.mention("key art for the Aurora X2 launch: astronaut portrait on black")
    slack.message_with("Campaign *Aurora X2 launch* started", thread_ts=ts)
    [campaign] = slack.rows(Campaign)
    assert campaign.brief == "key art: astronaut portrait on black"
