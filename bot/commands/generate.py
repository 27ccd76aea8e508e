"""``keyart generate "BRIEF"``: master candidates from a brief, no Slack (diffusion engine).

The candidates are made exactly as the Slack flow makes them (``pipeline.candidates``): one
``generate`` op run per candidate, each stored as an asset with its own seed. The terminal
campaign is found again by its brief, so running the same command again gives the same files
(the stored candidates are reused, nothing is generated twice); a higher ``--count`` only adds
the missing ones.
"""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlmodel import col, select

from pipeline.candidates import candidate_seed, generate_candidate
from pipeline.errors import BadRequest, EngineUnavailable, UserFacingError
from pipeline.ops.generate import GenerateParams
from pipeline.runtime import Runtime
from storage.db import read_session, session_scope
from storage.models import Asset, Campaign, CampaignBase
from storage.repos import campaigns
from storage.settings import Settings

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
LISTING = "candidates.json"
NAME_CHARS = 60


def _limit(field: str, bound: str) -> int:
    """A numeric bound of ``GenerateParams.<field>`` (one source of truth with the op and the planner)."""
    return int(
        next(getattr(m, bound) for m in GenerateParams.model_fields[field].metadata if hasattr(m, bound))
    )


MIN_COUNT, MAX_COUNT = _limit("count", "ge"), _limit("count", "le")
MAX_BRIEF = _limit("prompt", "max_length")


def generate(
    brief: str = typer.Argument(..., help='What the key art shows, e.g. "a runner in a yellow raincoat".'),
    count: int | None = typer.Option(
        None,
        "--count",
        help=f"Candidates to make, {MIN_COUNT}–{MAX_COUNT} (default: KEYART_SLACK_CANDIDATES).",
    ),
    out: Path = typer.Option(Path("keyart-out/candidates"), "--out", help="Output folder."),
    engine: str | None = typer.Option(None, "--engine", help="diffusion (default: KEYART_ENGINE)."),
) -> None:
    """Generate master candidates from BRIEF into --out (candidate-N.png and candidates.json).

    Exit 0 when every candidate was made, 1 when any failed, 2 on bad input.
    """
    code = make_candidates(
        Settings(), brief, count, out, engine, console=Console(), errors=Console(stderr=True)
    )
    raise typer.Exit(code)


def make_candidates(
    settings: Settings,
    brief: str,
    count: int | None,
    out: Path,
    engine: str | None,
    *,
    console: Console,
    errors: Console,
) -> int:
    """Check the input and the engine, then generate and write the candidates; returns the exit code."""
    try:
        brief, count, settings = _checked(settings, brief, count, engine)
        warm = _load_model(settings, console)
        runtime = Runtime(settings)
        runtime.migrate()
        campaign, reused = _campaign_for(runtime, brief)
    except UserFacingError as exc:
        # escape: messages quote commands such as pip install 'keyart[diffusion]' (not rich markup)
        errors.print(f"[red]⚠️  {escape(str(exc))}[/red]", highlight=False, soft_wrap=True)
        return EXIT_BAD_INPUT
    assert campaign.id is not None
    console.print(
        f"🎨 [bold]Campaign #{campaign.id}[/bold] · {escape(campaign.name)} · {count} candidates"
        + (" (candidates made before are reused)" if reused else ""),
        highlight=False,
    )
    for note in warm.notes:
        console.print(f"  • {escape(note)}", highlight=False)
    made = _existing_seeds(runtime, campaign.id)
    assets: list[Asset] = []
    failures: list[str] = []
    with _progress(console) as bar:
        task = bar.add_task("candidates", total=count)
        for index in range(count):
            stored = candidate_seed(campaign.id, brief, index) in made
            bar.update(task, description=f"candidate {index + 1} " + ("reused" if stored else "…"))
            try:
                assets.append(generate_candidate(runtime, campaign.id, brief, index=index))
                status = "reused" if stored else "done"
            except UserFacingError as exc:
                failures.append(f"candidate {index + 1}: {exc}")
                status = "failed"
            bar.update(task, advance=1, description=f"candidate {index + 1} {status}")
    listing = _write(runtime, campaign, brief, assets, out)
    _print_summary(console, listing, out)
    for failure in failures:
        errors.print(f"[red]❌ {escape(failure)}[/red]", highlight=False, soft_wrap=True)
    return EXIT_FAILED if failures else EXIT_OK


def _checked(
    settings: Settings, brief: str, count: int | None, engine: str | None
) -> tuple[str, int, Settings]:
    brief = brief.strip()
    if not brief:
        raise BadRequest(
            'the brief is empty: say what the key art shows, e.g. keyart generate "a runner at dawn"'
        )
    if len(brief) > MAX_BRIEF:
        raise BadRequest(f"the brief is {len(brief)} characters; the most a prompt takes is {MAX_BRIEF}")
    count = settings.slack_candidates if count is None else count
    if not MIN_COUNT <= count <= MAX_COUNT:
        raise BadRequest(f"--count {count}: make between {MIN_COUNT} and {MAX_COUNT} candidates")
    chosen = engine or settings.engine
    if chosen == "classical":
        raise EngineUnavailable(
            "master candidates need the diffusion engine (the classical engine only adapts an existing "
            "master): pip install 'keyart[diffusion]', then pass --engine diffusion or set "
            "KEYART_ENGINE=diffusion. Or start from your own master: keyart run --master FILE …"
        )
    if chosen != "diffusion":
        raise BadRequest(f"unknown engine `{chosen}`: candidates need --engine diffusion")
    return brief, count, settings.model_copy(update={"engine": "diffusion"})


def _load_model(settings: Settings, console: Console) -> Any:
    """The process's warm model set with the generate model loaded (the candidates reuse it)."""
    from pipeline.engines.diffusion import require_backend

    require_backend()
    from pipeline.engines.diffusion.warm import warm_set_for

    warm = warm_set_for(settings)
    with console.status(f"loading {warm.config.generate} …"):
        try:
            warm.text2img()
        except OSError as exc:  # no such folder, or a hub id that is not cached while offline
            raise EngineUnavailable(
                f"could not load the generate model {warm.config.generate!r} "
                f"(KEYART_MODEL_GENERATE / KEYART_MODEL_FAMILY): {exc}"
            ) from exc
    return warm


def _campaign_for(runtime: Runtime, brief: str) -> tuple[Campaign, bool]:
    """This user's terminal campaign for ``brief`` (no Slack thread), created if new; ``(it, reused)``."""
    user = getpass.getuser()
    with session_scope(runtime.engine) as s:
        found = s.exec(
            select(Campaign)
            .where(
                Campaign.brief == brief, Campaign.created_by == user, col(Campaign.slack_channel).is_(None)
            )
            .order_by(col(Campaign.id))
        ).first()
        if found is not None:
            return found, True
        created = campaigns.create_campaign(s, CampaignBase(name=_name(brief), brief=brief, created_by=user))
        return created, False


def _name(brief: str) -> str:
    """The brief's first line, cut at a word boundary to ``NAME_CHARS``."""
    line = brief.splitlines()[0].strip()
    if len(line) <= NAME_CHARS:
        return line
    return line[:NAME_CHARS].rsplit(" ", 1)[0].rstrip(",.;:") + "…"


def _existing_seeds(runtime: Runtime, campaign_id: int) -> set[int | None]:
    with read_session(runtime.engine) as s:
        return {a.seed for a in campaigns.assets_of_campaign(s, campaign_id, kind="candidate")}


def _write(
    runtime: Runtime, campaign: Campaign, brief: str, assets: list[Asset], out: Path
) -> dict[str, Any]:
    """``candidate-N.png`` per asset and the ``candidates.json`` listing; returns the listing."""
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for asset in assets:
        index = int(asset.params.get("index", 0))
        name = f"candidate-{index + 1}.png"
        (out / name).write_bytes(runtime.blobs.read_bytes(asset.sha256))
        rows.append(
            {
                "file": name,
                "index": index + 1,
                "asset_id": asset.id,
                "seed": asset.seed,
                "model": asset.model,
                "engine": asset.engine,
                "prompt": asset.params.get("prompt", brief),
                "width": asset.width,
                "height": asset.height,
                "sha256": asset.sha256,
                "notes": list(asset.notes),
            }
        )
    listing = {"campaign_id": campaign.id, "campaign": campaign.name, "brief": brief, "candidates": rows}
    (out / LISTING).write_text(json.dumps(listing, indent=2, ensure_ascii=False) + "\n")
    return listing


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description:<28}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def _print_summary(console: Console, listing: dict[str, Any], out: Path) -> None:
    table = Table(title="Candidates")
    for column in ("file", "seed", "size", "asset"):
        table.add_column(column)
    for row in listing["candidates"]:
        table.add_row(row["file"], str(row["seed"]), f"{row['width']}×{row['height']}", str(row["asset_id"]))
    console.print(table)
    for note in dict.fromkeys(n for row in listing["candidates"] for n in row["notes"]):
        console.print(f"  • {escape(note)}", highlight=False)
    console.print(
        f"🖼️  {len(listing['candidates'])} candidates and {LISTING} in {escape(str(out))}", highlight=False
    )


def register(app: typer.Typer) -> None:
    app.command("generate")(generate)
