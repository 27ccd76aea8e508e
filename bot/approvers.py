"""Who may approve: ``KEYART_APPROVERS`` (user and user-group ids, see bot/members.py).

An empty setting means nobody approves, and the explanation says which setting to fill in.
"""

from __future__ import annotations

from bot.members import Members


class Approvers(Members):
    def refusal(self, what: str) -> str:
        """The ephemeral explanation for someone who may not approve."""
        if not self.configured:
            return (f"Only approvers can {what}, and none are set up yet: an admin lists Slack user or "
                    "user-group ids in `KEYART_APPROVERS`.")
        return f"Only approvers can {what} in this channel."
