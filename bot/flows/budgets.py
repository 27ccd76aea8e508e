"""``/keyart budget``: GPU-seconds used and left today; admins see and set anyone's daily budget.

    /keyart budget                 your use today and your budget
    /keyart budget @person         theirs (admins)
    /keyart budget @person 20000   give them 20,000 GPU-seconds a day (admins)
    /keyart budget @person default back to KEYART_GPU_SECONDS_PER_USER_DAY (admins)
"""

from __future__ import annotations

import re

from bot import budget
from bot.deps import Deps
from pipeline.errors import BadRequest

USAGE = "`/keyart budget [@person [GPU-seconds | default]]`"
_PERSON = re.compile(r"^<@([UW][A-Z0-9]+)(\|[^>]*)?>$|^([UW][A-Z0-9]{2,})$")


def budget_command(deps: Deps, *, user: str, text: str) -> str:
    words = text.split()
    if not words:
        return describe(deps, user, yours=True)
    match = _PERSON.match(words[0])
    if match is None or len(words) > 2:
        raise BadRequest(f"name a person as @mention, e.g. {USAGE}")
    person = match.group(1) or match.group(3)
    if not deps.roles.admins.allows(user) and person != user:
        raise BadRequest("only admins (`KEYART_ADMINS`) can see or change someone else's budget")
    if len(words) == 1:
        return describe(deps, person, yours=person == user)
    if not deps.roles.admins.allows(user):
        raise BadRequest("only admins (`KEYART_ADMINS`) can change budgets")
    value = words[1].replace(",", "").replace("_", "")
    if value.lower() == "default":
        budget.set_daily_budget(deps, person, None, by=user)
    else:
        try:
            seconds = float(value)
        except ValueError:
            raise BadRequest(f"`{words[1]}` is not a number of GPU-seconds; {USAGE}") from None
        if not 0 <= seconds <= 10_000_000:
            raise BadRequest("a daily budget is between 0 and 10,000,000 GPU-seconds")
        budget.set_daily_budget(deps, person, seconds, by=user)
    return f"💳 Set by <@{user}>. " + describe(deps, person, yours=False)


def describe(deps: Deps, person: str, *, yours: bool) -> str:
    daily, own = budget.daily_budget(deps, person)
    spent = budget.spent_today(deps, person)
    whose = "You have" if yours else f"<@{person}> has"
    kind = "their own budget" if own else "the default budget"
    return (f"💳 {whose} used {spent:,.0f} of {daily:,.0f} GPU-seconds today ({kind}); "
            f"{max(daily - spent, 0):,.0f} left until 00:00 UTC.")
