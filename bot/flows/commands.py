"""``/keyart help | status | specs | digest …``: answered in the command's own response (ephemeral).

Help is generated from the op registry, so a new op documents itself here too.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import func, select

from bot.deps import Deps
from bot.digests import USAGE, parse_digest
from bot.flows import verify
from bot.flows.budgets import USAGE as BUDGET_USAGE
from bot.flows.budgets import budget_command
from bot.messages import engine_label
from pipeline.errors import UserFacingError
from pipeline.ops.registry import all_ops
from pipeline.specs import all_specs
from storage.db import read_session
from storage.models import Outbox, utcnow
from storage.repos import jobs as job_repo


def handle(deps: Deps, *, user: str, channel: str, text: str) -> str:
    words = text.split()
    verb, rest = (words[0].lower(), " ".join(words[1:])) if words else ("help", "")
    try:
        if verb == "status":
            return status(deps)
        if verb == "specs":
            return specs()
        if verb == "digest":
            return digest(deps, channel, rest)
        if verb == "budget":
            return budget_command(deps, user=user, text=rest)
        if verb == "verify":
            return verify.latest(deps, channel)
        if verb == "help":
            return help_text(deps)
    except UserFacingError as exc:
        return f"⚠️ {exc}"
    return f"⚠️ I don't know `/keyart {verb}`.\n\n{help_text(deps)}"


def help_text(deps: Deps) -> str:
    v = deps.vocab
    ops = "\n".join(f"• `{op.name}` — {op.summary}" for op in all_ops())
    return (
        "*keyart* turns one approved master into every channel variant, audited.\n"
        "*In a channel:* `@keyart new campaign \"Name\". <brief>` starts a campaign thread. In the thread: "
        "upload the master, then ask e.g. `@keyart Meta set, stories and the IAB set`.\n"
        f"*Reactions:* {v.emoji('approve')} approve (master, variant, batch) · {v.emoji('reject')} reject · "
        f"{v.emoji('rerun')} re-run with a new seed · {v.emoji('harmonize')} harmonize an audit failure · "
        "remove a reaction to take it back.\n"
        f"*Operations:*\n{ops}\n"
        f"*Commands:* `/keyart status` · `/keyart specs` · {USAGE} · {BUDGET_USAGE} · `/keyart verify` "
        "(Content Credentials of the newest file here; the *Verify Content Credentials* message shortcut "
        "checks any file) · `/keyart help`"
    )


def status(deps: Deps) -> str:
    queue = deps.queue
    tasks = queue.pending() if queue is not None else []
    running = [t for t in tasks if t.status == "running"]
    with read_session(deps.runtime.engine) as s:
        jobs = job_repo.count_by_status(s, since=utcnow() - timedelta(days=1))
        outbox = s.exec(select(func.count()).select_from(Outbox).where(Outbox.status == "pending")).one()
    worker = "running" if queue is not None and queue.alive else "stopped"
    counts = ", ".join(f"{n} {state}" for state, n in sorted(jobs.items())) or "none"
    return (f"*Engine:* {engine_label(deps.settings)} · *planner:* {getattr(deps.planner, 'name', '?')}\n"
            f"*Queue:* local, worker {worker} · {len(running)} task running, "
            f"{len(tasks) - len(running)} waiting\n"
            f"*Jobs (24 h):* {counts}\n*Slack posts waiting:* {outbox}")


def specs() -> str:
    lines = []
    for spec in all_specs():
        cap = f" ≤ {spec.max_bytes // 1000} KB" if spec.max_bytes else ""
        lines.append(f"• `{spec.name}` {spec.width}×{spec.height} {spec.format}{cap}")
    return "*Channel specs*\n" + "\n".join(lines)


def digest(deps: Deps, channel: str, text: str) -> str:
    if not text.strip():
        current = deps.digests.get(channel)
        return (f"📊 Digest here: {current.describe()}." if current else "📊 No digest in this channel.") + \
            f"\nSet it with {USAGE}."
    schedule = parse_digest(text)
    deps.digests.set(channel, schedule)
    if schedule is None:
        return "📊 Digest turned off for this channel."
    return f"📊 Audit digest for this channel: {schedule.describe()}."
