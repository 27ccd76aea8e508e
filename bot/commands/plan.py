"""``keyart plan "TEXT"``: show the validated plan for a request (nothing runs)."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from bot.planner import PlanContext
from bot.planner.factory import make_planner
from pipeline.errors import UserFacingError
from pipeline.plan import Plan, Step
from pipeline.runtime import Runtime
from pipeline.specs import get_spec
from storage.settings import Settings


class EngineChoice(StrEnum):
    classical = "classical"
    diffusion = "diffusion"


def plan(
    request: str = typer.Argument(..., help='The production request, e.g. "story, feed and the IAB set".'),
    as_json: bool = typer.Option(False, "--json", help="Print the plan as contract JSON."),
    engine: EngineChoice | None = typer.Option(
        None, "--engine", help="Plan for this engine (default: settings)."
    ),
    llm: str | None = typer.Option(
        None, "--llm", metavar="PROVIDER:MODEL",
        help="Plan with this LLM, e.g. openai:gpt-4.1-mini (default: KEYART_LLM; '' = the rule planner).",
    ),
) -> None:
    """Plan a request: which variants, which ops, and notes on anything read loosely or left out."""
    settings = Settings()
    ctx = PlanContext.from_settings(settings, **({"engine": engine.value} if engine else {}))
    runtime = Runtime(settings)
    runtime.migrate()  # every plan is logged (bot/planner/planlog.py)
    try:
        result = make_planner(settings, llm_override=llm, engine=runtime.engine).plan(request, ctx)
    except UserFacingError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(result.to_contract_json(), indent=2, ensure_ascii=False))
        return
    print_plan(result, ctx.engine, Console())


def print_plan(result: Plan, engine: str, console: Console) -> None:
    """The readable form: shared edits, a variants × steps table, then the notes."""
    variants = result.variants()
    console.print(
        f"[bold]Plan[/bold] · {len(variants)} variants · {engine} engine · planner: {result.planner}"
    )
    for step in result.steps:
        if step.variant is None:
            console.print(f"  shared edit [cyan]{step.id}[/cyan]: {_describe(step)} (from {step.input})")
    table = Table(show_lines=False)
    for column in ("variant", "size", "from", "steps"):
        table.add_column(column)
    for name in variants:
        steps = [s for s in result.steps if s.variant == name]
        spec = get_spec(str(steps[0].params.get("spec")))
        table.add_row(
            name, f"{spec.width}×{spec.height}", steps[0].input, " → ".join(_describe(s) for s in steps)
        )
    console.print(table)
    asked = {q.note for q in result.questions}
    for note in result.notes:
        if note not in asked:
            console.print(f"  • {note}", markup=False, highlight=False)
    for question in result.questions:  # the CLI goes with the planned reading and shows the others
        console.print(f"  ? {question.summary()}", markup=False, highlight=False)


def _describe(step: Step) -> str:
    params: dict[str, Any] = {k: v for k, v in step.params.items() if k != "spec"}
    if step.op == "swap":
        what = params.get("color") or f"“{params.get('prompt', '')}”"
        return f"swap {params.get('region', 'background')} → {what}"
    if step.op == "recolor":
        return f"recolor {params.get('region', 'subject')} → {params.get('target_color', '')}"
    if step.op == "brand" and params.get("text"):
        params["text"] = f"“{params['text']}”"
    shown = ", ".join(f"{k}={v}" for k, v in params.items())
    return f"{step.op}({shown})" if shown else step.op


def register(app: typer.Typer) -> None:
    app.command("plan")(plan)
