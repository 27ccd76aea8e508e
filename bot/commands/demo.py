"""``keyart demo``: the whole flow offline on the CPU, on a master that an installed package ships."""

from __future__ import annotations

from pathlib import Path

import typer
from PIL import Image
from rich.console import Console
from skimage import data

from bot.production import RunRequest, produce
from storage.settings import Settings

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DEMO_REQUEST = "the full set with our logo and the CTA 'Shop the Spring Sale'"


def demo(out: Path = typer.Option(Path("keyart-out/demo"), "--out", help="Output folder.")) -> None:
    """Run keyart end to end on the public-domain NASA astronaut portrait with the demo brand kit."""
    out.mkdir(parents=True, exist_ok=True)
    master = out / "master.png"
    Image.fromarray(data.astronaut()).save(master)
    brand = EXAMPLES / "brand" / "brand.json"
    settings = Settings()
    if not settings.database_url and settings.data_dir == Path("./keyart-data"):
        # Keep the demo self-contained: its database and blobs live next to its outputs.
        settings = settings.model_copy(update={"data_dir": out / "data"})
    console = Console()
    console.print(f"🎬 keyart demo · master {master} · request: “{DEMO_REQUEST}”")
    code = produce(
        settings,
        RunRequest(
            master,
            DEMO_REQUEST,
            out,
            brand if brand.exists() else None,
            "classical",
            campaign="demo",
            audit_failure_is_error=False,
        ),
        console=console,
        errors=Console(stderr=True),
    )
    raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
