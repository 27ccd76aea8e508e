"""What keyart says in a thread: plain functions from data to Slack mrkdwn (no I/O).

Wording follows ../shared/slack-storyboard.md; reactions are named from settings, so a team
that renames them sees its own emoji in every hint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.audit.summary import credentials_line
from pipeline.credentials.manifest import DEVELOPMENT_NOTE
from pipeline.imaging.formats import accepted_names
from pipeline.plan import MASTER, Plan
from pipeline.questions import Question
from storage.models import Asset
from storage.settings import Settings

RUN_ACTION, CANCEL_ACTION = "keyart_run", "keyart_cancel"
# Ask-back buttons: one per option (Slack wants action ids unique within a block), and Cancel.
ANSWER_PREFIX, ANSWER_CANCEL = "keyart_answer_", "keyart_answer_cancel"
MAX_LINES = 15


@dataclass(frozen=True)
class Vocabulary:
    approve: str = "white_check_mark"
    reject: str = "x"
    rerun: str = "repeat"
    harmonize: str = "sparkles"

    @classmethod
    def from_settings(cls, settings: Settings) -> Vocabulary:
        return cls(settings.slack_approve_reaction, settings.slack_reject_reaction,
                   settings.slack_rerun_reaction, settings.slack_harmonize_reaction)

    def emoji(self, name: str) -> str:
        return f":{getattr(self, name)}:"


def engine_label(settings: Settings) -> str:
    if settings.engine == "classical":
        return "classical (CPU, no models)"
    model = f", {settings.model_generate}" if settings.model_generate else ""
    return f"diffusion ({settings.model_family}{model})"


def campaign_started(name: str, settings: Settings, v: Vocabulary) -> str:
    head = f"🎬 Campaign *{name}* started. Engine: {engine_label(settings)}."
    if settings.engine == "diffusion":
        count = settings.slack_candidates
        return f"{head}\n⏳ Generating {count} master candidates… 0/{count}"
    limit = settings.max_image_pixels / 1e6
    names = accepted_names()
    kinds = f"{', '.join(names[:-1])} or {names[-1]}"
    return (f"{head}\nUpload the master in this thread — {kinds} up to {limit:g} MP. "
            f"React {v.emoji('approve')} on it to approve.")


def size_label(asset: Asset) -> str:
    return f"{asset.width}×{asset.height} {asset.format.upper()}"


def candidate_label(asset: Asset, *, seed: bool = True) -> str:
    """How people name a candidate: its file name, or "Candidate B · seed 1102"."""
    if asset.kind == "candidate":
        index = int((asset.params or {}).get("index", 0))
        return f"Candidate {chr(ord('A') + index % 26)}" + (f" · seed {asset.seed}" if seed else "")
    return f"`{asset.filename or f'upload {asset.id}'}`"


def candidate_caption(asset: Asset, v: Vocabulary) -> str:
    return (f"{candidate_label(asset)} · {size_label(asset)} · {v.emoji('approve')} approve as master · "
            f"{v.emoji('rerun')} re-roll")


def upload_ack(asset: Asset, v: Vocabulary) -> str:
    notes = "".join(f"\n• {note}" for note in asset.notes)
    return (f"📥 {candidate_label(asset)} stored as a master candidate · {size_label(asset)}. React "
            f"{v.emoji('approve')} on your upload or on this preview to approve it as master.{notes}")


def master_details(asset: Asset) -> str:
    parts = [f"seed {asset.seed}"] if asset.seed is not None else []
    parts += [asset.model or asset.engine or ""] if asset.kind == "candidate" else ["upload"]
    parts.append(f"{asset.width}×{asset.height}")
    return ", ".join(p for p in parts if p)


def master_decision(decision: str, user: str, asset: Asset, master: Asset | None) -> str:
    label = candidate_label(asset, seed=False)
    if decision == "approve":
        return f"✅ *Master approved* by <@{user}> — {label} ({master_details(asset)})."
    now = f"The master is now {candidate_label(master, seed=False)}." if master else \
        "This thread has no approved master now."
    if decision == "reject":
        return f"❌ {label} rejected by <@{user}>." + ("" if master else f" {now}")
    if decision == "unreject":
        return f"↩️ <@{user}> took back the rejection of {label}."
    return f"↩️ Master approval of {label} revoked by <@{user}>. {now}"


def _brief_params(params: dict[str, Any]) -> str:
    shown = [f"{k}={v!r}" if isinstance(v, str) else f"{k}={v}" for k, v in params.items()
             if k != "spec" and v not in (None, "", [], {})]
    return ", ".join(shown)[:120]


def plan_text(plan: Plan, settings: Settings, seconds: float) -> str:
    variants = plan.variants()
    minutes = f"about {max(1, round(seconds / 60))} min" if seconds >= 90 else \
        f"about {max(1, round(seconds))} s"
    lines = [f"📋 *Plan* · {len(variants)} variant{'s' if len(variants) != 1 else ''} · {minutes} on the "
             f"{settings.engine} engine"]
    for step in plan.steps:
        if step.variant is None:
            lines.append(f"• {step.op} (shared, `{step.id}`): {_brief_params(step.params) or 'defaults'}")
    chains: dict[str, list[str]] = {}
    for variant in variants:
        steps = [s for s in plan.steps if s.variant == variant]
        chain = " → ".join(s.op for s in steps if s.op != "export") or "export"
        if steps[0].input != MASTER and steps[0].input not in {s.id for s in steps}:
            chain = f"on `{steps[0].input}`: {chain}"
        chains.setdefault(chain, []).append(variant)
    for chain, names in chains.items():
        lines.append(f"• {chain}: {', '.join(names)}")
    lines.append("• export: exact size, format and byte cap of each spec · audit: all")
    lines += [f"_{note}_" for note in plan.notes]
    return "\n".join(lines)[:2900]


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}


def plan_blocks(text: str, plan_id: int) -> list[dict[str, Any]]:
    button = lambda label, action, style=None: {  # noqa: E731
        "type": "button", "action_id": action, "value": str(plan_id),
        "text": {"type": "plain_text", "text": label}, **({"style": style} if style else {})}
    return [section(text),
            {"type": "actions", "block_id": "keyart_plan",
             "elements": [button("Run", RUN_ACTION, "primary"), button("Cancel", CANCEL_ACTION)]}]


def progress_text(states: dict[str, str], *, label: str = "") -> str:
    """``⏳ 3/6 · story ✓ · feed ✗ …`` from unit → status (running | done | reused | failed)."""
    finished = [u for u, s in states.items() if s in ("done", "reused", "failed")]
    marks = {"done": "✓", "reused": "✓", "failed": "✗"}
    shown = " · ".join(f"{u} {marks[states[u]]}" for u in finished[-6:])
    icon = "✅" if len(finished) == len(states) else "⏳"
    return f"{icon} {label}{len(finished)}/{len(states)}" + (f" · {shown}" if shown else "") + (
        " …" if len(finished) < len(states) else "")


def result_comment(unit: str, asset: Asset, v: Vocabulary) -> str:
    kb = asset.size_bytes / 1000
    size = f"{kb / 1000:.1f} MB" if kb >= 1000 else f"{kb:.0f} KB"
    warnings = "".join(f"\n{note}" for note in asset.notes if note.startswith("⚠️"))  # low resolution …
    return (f"`{unit}` · {size_label(asset)} · {size} · seed {asset.seed} · {v.emoji('approve')} approve · "
            f"{v.emoji('reject')} reject · {v.emoji('rerun')} re-run{warnings}")


def approved_comment(unit: str, user: str, *, development: bool) -> str:
    """Caption of the approved copy: the file to ship, with the approval in its Content Credentials."""
    text = (f"✅ `{unit}` approved by <@{user}>. This copy is the one to ship: its Content Credentials "
            "record the approval on top of the delivered file's (check with `keyart verify` or the "
            "*Verify Content Credentials* message shortcut).")
    return text + (f"\n🔏 {DEVELOPMENT_NOTE}." if development else "")


def failure_text(error: str, v: Vocabulary) -> str:
    return f"⚠️ {error.removeprefix('⚠️ ')} {v.emoji('rerun')} on this message retries it."


def audit_text(report: dict[str, Any], names: dict[str, str], v: Vocabulary) -> str:
    """The audit summary: pass count, each failing variant with its failing checks and reasons."""
    assets = report.get("assets", [])
    passed = sum(1 for a in assets if a.get("passed") is not False)
    lines = [f"🔎 *Audit*: {passed}/{len(assets)} pass."]
    failing = [a for a in assets if a.get("passed") is False]
    for item in failing[:MAX_LINES]:
        name = names.get(str(item.get("path")), item.get("spec") or "?")
        reasons = [f"{check}: {result.get('reason') or 'outside tolerance'}"
                   for check, result in (item.get("checks") or {}).items() if result.get("passed") is False]
        lines.append(f"❌ `{name}` — {'; '.join(reasons) or 'failed'}")
    if len(failing) > MAX_LINES:
        lines.append(f"… and {len(failing) - MAX_LINES} more (see the contact sheet).")
    if credentials := credentials_line(report):
        lines.append(f"🔏 {credentials}.")
    if failing:
        them = "it" if len(failing) == 1 else "them"
        lines.append(f"React {v.emoji('harmonize')} to harmonize {them} to the master, {v.emoji('rerun')} "
                     f"to re-run, {v.emoji('approve')} to approve the batch.")
    else:
        lines.append(f"React {v.emoji('approve')} to approve the batch.")
    return "\n".join(lines)


def harmonized_text(unit: str, report: dict[str, Any]) -> str:
    item = (report.get("assets") or [{}])[0]
    if item.get("passed") is not False:
        return f"✨ `{unit}` harmonized to the master — ✅ now within tolerance."
    reasons = [f"{c}: {r.get('reason') or 'outside tolerance'}" for c, r in (item.get("checks") or {}).items()
               if r.get("passed") is False]
    return f"✨ `{unit}` harmonized, but still outside tolerance — {'; '.join(reasons)}."


def question_text(plan_text_: str, question: Question) -> str:
    return f"{plan_text_}\n❓ *{question.text}* The plan above is made with *{question.default.label}*; " \
        "pick one to run it."


def question_blocks(text: str, plan_id: int, question: Question) -> list[dict[str, Any]]:
    """The plan and its question, one button per reading (the planned one first and marked) and Cancel."""
    def button(label: str, action: str, value: str, style: str | None = None) -> dict[str, Any]:
        return {"type": "button", "action_id": action, "value": value,
                "text": {"type": "plain_text", "text": label[:75]}, **({"style": style} if style else {})}

    order = [question.chosen, *(i for i in range(len(question.options)) if i != question.chosen)]
    elements = [button(("▶ " if i == question.chosen else "") + question.options[i].label,
                       f"{ANSWER_PREFIX}{i}", f"{plan_id}:{question.id}:{i}",
                       "primary" if i == question.chosen else None) for i in order]
    elements.append(button("Cancel", ANSWER_CANCEL, f"{plan_id}:{question.id}:cancel"))
    return [section(text), {"type": "actions", "block_id": "keyart_question", "elements": elements}]
