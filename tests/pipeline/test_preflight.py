"""Before anything runs, the plan says how each variant will be framed and which need too much enlarging."""

from __future__ import annotations

from PIL import Image
from skimage import data

from pipeline.plan import Plan, Step
from pipeline.preflight import framing_notes, least_enlargement, resolution_notes


def _plan(*specs: str) -> Plan:
    steps = []
    for spec in specs:
        steps += [
            Step(id=f"{spec}.fit", op="fit", params={"spec": spec}, variant=spec),
            Step(id=f"{spec}.export", op="export", params={"spec": spec}, input=f"{spec}.fit", variant=spec),
        ]
    return Plan(steps=steps)


def test_each_variant_is_said_to_crop_or_lay_out_before_running() -> None:
    master = Image.fromarray(data.astronaut())
    notes = framing_notes(_plan("meta-feed-square", "iab-leaderboard", "iab-billboard"), master, "classical")
    assert notes[0] == "fit · crop (the subject fits): meta-feed-square"
    assert notes[1].startswith("fit · layout") and "iab-leaderboard, iab-billboard" in notes[1]


def test_layouts_the_diffusion_engine_would_outpaint_are_named() -> None:
    master = Image.fromarray(data.stereo_motorcycle()[0])  # a wide product: a square needs ~30 % more frame
    notes = framing_notes(_plan("meta-feed-square"), master, "classical")
    assert any("diffusion engine" in n and "meta-feed-square" in n for n in notes)
    assert not any(
        "diffusion engine" in n for n in framing_notes(_plan("meta-feed-square"), master, "diffusion")
    )


def test_a_small_master_is_flagged_for_print_with_the_upscaler_named() -> None:
    assert least_enlargement((2480, 3508), (425, 250)) > 5
    [note] = resolution_notes(_plan("print-a4-300dpi", "iab-medium-rectangle"), (425, 250), "classical")
    assert "print-a4-300dpi" in note and "×5.8" in note and "upscaler" in note
    assert resolution_notes(_plan("print-a4-300dpi"), (425, 250), "diffusion") == []
