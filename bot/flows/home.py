"""The App Home tab: the user's campaigns, what waits for approval, and the queue."""

from __future__ import annotations

from typing import Any

from bot.deps import Deps
from bot.flows.commands import status
from bot.messages import section
from pipeline import campaigns
from storage.models import Campaign


def thread_link(campaign: Campaign) -> str:
    if not campaign.slack_channel or not campaign.slack_thread_ts:
        return f"*{campaign.name}*"
    ts = campaign.slack_thread_ts.replace(".", "")
    return f"<https://slack.com/archives/{campaign.slack_channel}/p{ts}|{campaign.name}>"


def home_view(deps: Deps, user: str) -> dict[str, Any]:
    mine = campaigns.campaigns_of_user(deps.runtime, user)
    lines = [f"• {thread_link(c)} — {'master approved' if c.master_asset_id else 'waiting for a master'}"
             for c in mine] or ["• none yet — mention @keyart in a channel with a brief"]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "keyart"}},
        section("*Your campaigns*\n" + "\n".join(lines)),
    ]
    if deps.approvers.allows(user):
        open_campaigns, runs = campaigns.awaiting_approval(deps.runtime)
        by_id = {c.id: c for c in open_campaigns}
        waiting = [f"• {thread_link(c)}: pick a master candidate" for c in open_campaigns]
        for run in runs:
            campaign = by_id.get(run.campaign_id) or (
                campaigns.get_campaign(deps.runtime, run.campaign_id) if run.campaign_id else None)
            name = thread_link(campaign) if campaign else f"campaign {run.campaign_id}"
            passed = run.asset_count - run.failed_count
            waiting.append(f"• {name}: batch of {run.asset_count} ({passed} pass the audit)")
        blocks.append(section("*Waiting for your approval*\n" + ("\n".join(waiting) or "• nothing")))
    blocks.append(section(status(deps)))
    return {"type": "home", "blocks": blocks}


def publish_home(deps: Deps, user: str) -> None:
    deps.client.views_publish(user_id=user, view=home_view(deps, user))
