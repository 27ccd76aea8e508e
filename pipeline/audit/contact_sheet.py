"""``contact_sheet.png``: every variant as a thumbnail with its spec, a PASS/FAIL badge and the
failing checks — the picture the Slack digest attaches. A failing asset's cell is framed in red."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from pipeline.audit.summary import failing_checks, headline

CELL = 260  # thumbnail box
PAD = 16
LABEL_H = 64
COLOURS = {True: (22, 130, 60), False: (200, 30, 30), None: (120, 120, 120)}


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    # DejaVu Sans ships with matplotlib (a dependency) and has "×" and "—"; Pillow's default lacks them.
    import matplotlib

    try:
        return ImageFont.truetype(str(Path(matplotlib.get_data_path()) / "fonts/ttf/DejaVuSans.ttf"), size)
    except OSError:
        return ImageFont.load_default(size=size)


def render(report: Mapping[str, Any], images: Mapping[str, Image.Image], columns: int = 5) -> Image.Image:
    assets = report["assets"]
    columns = max(1, min(columns, len(assets)))
    rows = max(1, -(-len(assets) // columns))
    header = 56
    width = PAD + columns * (CELL + PAD)
    height = header + rows * (CELL + LABEL_H + PAD) + PAD
    sheet = Image.new("RGB", (width, height), (250, 250, 250))
    draw = ImageDraw.Draw(sheet)
    title = "PASS" if report["passed"] else "FAIL"
    draw.text((PAD, 14), f"keyart audit — {headline(report)}", fill=(20, 20, 20), font=_font(24))
    draw.text((width - PAD - 90, 14), title, fill=COLOURS[bool(report["passed"])], font=_font(24))
    small, tiny = _font(15), _font(13)
    for index, asset in enumerate(assets):
        x = PAD + (index % columns) * (CELL + PAD)
        y = header + (index // columns) * (CELL + LABEL_H + PAD)
        draw.rectangle((x, y, x + CELL, y + CELL), fill=(230, 230, 230))
        image = images.get(asset["path"])
        if image is not None:
            thumb = image.convert("RGB").copy()
            thumb.thumbnail((CELL, CELL), Image.Resampling.LANCZOS)
            sheet.paste(thumb, (x + (CELL - thumb.width) // 2, y + (CELL - thumb.height) // 2))
        passed = asset["passed"]
        if passed is False:  # framed in red: failures stand out at thumbnail size
            draw.rectangle((x - 4, y - 4, x + CELL + 4, y + CELL + LABEL_H), outline=COLOURS[False], width=4)
        badge = "PASS" if passed else "FAIL"
        draw.rounded_rectangle((x + 6, y + 6, x + 70, y + 30), radius=8, fill=COLOURS[bool(passed)])
        draw.text((x + 14, y + 9), badge, fill=(255, 255, 255), font=small)
        draw.text(
            (x, y + CELL + 6),
            str(asset.get("spec") or Path(asset["path"]).name)[:34],
            fill=(20, 20, 20),
            font=small,
        )
        size = "×".join(str(v) for v in asset.get("size", []))
        failing = failing_checks(asset)
        if asset.get("error"):
            failing, detail = ["error"], "not registered to the master"
        else:
            detail = ("fails: " + ", ".join(failing)) if failing else f"{size} · all checks pass"
        draw.text(
            (x, y + CELL + 26), detail[:40], fill=COLOURS[False] if failing else (90, 90, 90), font=tiny
        )
        draw.text((x, y + CELL + 44), Path(asset["path"]).name[:40], fill=(110, 110, 110), font=tiny)
    return sheet


def write(report: Mapping[str, Any], images: Mapping[str, Image.Image], path: Path) -> None:
    render(report, images).save(path, "PNG", optimize=True)
