"""``keyart demo``: the whole flow offline on the CPU, on masters that an installed package ships.

Two masters, because "any master" is the promise: the public-domain NASA astronaut portrait (its
results at the top of ``--out``, the contract's layout) and scikit-image's coffee-cup product shot
(the same layout under ``--out/product``).
"""

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
MASTERS = (("portrait", "master.png", data.astronaut, ""), ("product", "master.png", data.coffee, "product"))


def demo(out: Path = typer.Option(Path("keyart-out/demo"), "--out", help="Output folder.")) -> None:
    """Run keyart end to end on a portrait and a product shot with the demo brand kit."""
    brand = EXAMPLES / "brand" / "brand.json"
    settings = Settings()
    if not settings.database_url and settings.data_dir == Path("./keyart-data"):
        # Keep the demo self-contained: its database and blobs live next to its outputs.
        settings = settings.model_copy(update={"data_dir": out / "data"})
    console, errors = Console(), Console(stderr=True)
    codes = []
    for label, filename, picture, sub in MASTERS:
        folder = out / sub if sub else out
        folder.mkdir(parents=True, exist_ok=True)
        master = folder / filename
        Image.fromarray(picture()).save(master)
        console.rule(f"🎬 keyart demo · {label}")
        console.print(f"master {master} · request: “{DEMO_REQUEST}”")
        codes.append(produce(
            settings,
            RunRequest(master, DEMO_REQUEST, folder, brand if brand.exists() else None, "classical",
                       campaign=f"demo {label}", audit_failure_is_error=False),
            console=console,
            errors=errors,
        ))
    raise typer.Exit(max(codes))


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
