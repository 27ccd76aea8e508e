"""Who may spend compute, and on which campaign: the one gate for Run, Cancel, 🔁, ✨ and briefs.

Every Slack control that starts or stops work calls :func:`may_run` (the plan buttons, the
reactions, the ask-back buttons) and, when it is refused, :func:`refuse` tells only that person
why; nothing runs. The rules:

- ``KEYART_ADMINS`` may do anything, on any campaign (run, re-roll or cancel anyone's work).
- A brief or a request (``@keyart …``, an upload that starts a campaign) needs the requester role:
  ``KEYART_REQUESTERS``, or everyone in the channel when that is empty; approvers and admins too.
- Run, Cancel, 🔁 and ✨ also need the campaign: its requester (who started the thread), the
  person who asked for that piece of work, or an approver.
- Work that costs GPU-seconds must fit the presser's budget for today (bot/budget.py): the
  person who starts it is the one charged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot import budget
from bot.deps import Deps
from storage.models import Campaign

Action = Literal["brief", "run", "cancel", "rerun", "harmonize"]

WHAT: dict[str, str] = {
    "brief": "ask me for work",
    "run": "start this plan",
    "cancel": "cancel this plan",
    "rerun": "re-roll work",
    "harmonize": "harmonize work",
}


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str = ""  # for the person refused, safe to post as is


ALLOWED = Verdict(True)


def may_run(
    deps: Deps,
    *,
    user: str,
    action: Action,
    campaign: Campaign | None,
    owner: str | None = None,
    gpu_seconds: float = 0.0,
) -> Verdict:
    """May ``user`` do ``action`` on ``campaign`` (work asked for by ``owner``) costing ``gpu_seconds``?"""
    roles = deps.roles
    if roles.admins.allows(user):
        return _budget(deps, user, gpu_seconds)
    approver = deps.approvers.allows(user)
    if not approver and roles.requesters.configured and not roles.requesters.allows(user):
        return Verdict(
            False,
            f"Only requesters can {WHAT[action]} here: an admin lists Slack user or "
            "user-group ids in `KEYART_REQUESTERS` (or `KEYART_ADMINS`).",
        )
    if action != "brief" and not approver and campaign is not None and user not in _people(campaign, owner):
        return Verdict(False, _not_yours(campaign, owner, action))
    return _budget(deps, user, gpu_seconds)


def refuse(deps: Deps, verdict: Verdict, *, key: str, channel: str, user: str, thread_ts: str | None) -> None:
    """Tell only ``user`` why nothing ran (an ephemeral message, once per ``key``)."""
    deps.outbox.ephemeral(key, channel, user, f"🚫 {verdict.reason}", thread_ts)


def _people(campaign: Campaign, owner: str | None) -> set[str]:
    return {p for p in (campaign.created_by, owner) if p}


def _not_yours(campaign: Campaign, owner: str | None, action: Action) -> str:
    names = [f"<@{p}>" for p in dict.fromkeys(p for p in (campaign.created_by, owner) if p)]
    who = " or ".join(names) if names else "the person who started it"
    return (
        f"This is {who}'s work: only they, approvers and admins can {WHAT[action]}. "
        'Ask in the thread, or start your own campaign with `@keyart new campaign "Name"`.'
    )


def _budget(deps: Deps, user: str, gpu_seconds: float) -> Verdict:
    reason = budget.refusal(deps, user, gpu_seconds)
    return ALLOWED if reason is None else Verdict(False, reason)
