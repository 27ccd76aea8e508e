"""Which C2PA actions each op run contributes (pure: geometry, masks, engine and model in, actions out)."""

from __future__ import annotations

from typing import Any

import pytest
from PIL import Image

from pipeline.credentials.actions import step_credentials
from pipeline.ops.base import Geometry

MASTER = Geometry.identity((1000, 800))
SAME = MASTER
CROPPED = Geometry((100.0, 0.0, 900.0, 800.0), (800, 800), (1000, 800))  # same scale, sides cut
SMALLER = Geometry((0.0, 0.0, 1000.0, 800.0), (500, 400), (1000, 800))
LARGER = Geometry((0.0, 0.0, 1000.0, 800.0), (4000, 3200), (1000, 800))


def actions(op: str, after: Geometry = SAME, **kwargs: object) -> list[tuple[str, str | None]]:
    values: dict[str, object] = {"engine": "classical", "model": None, "generated_share": 0.0, **kwargs}
    params = values.pop("params", {})
    made = step_credentials(op, params, before=MASTER, after=after, **values)  # type: ignore[arg-type]
    return [
        (a["action"], (a.get("digitalSourceType") or "").rsplit("/", 1)[-1] or None) for a in made["actions"]
    ]


@pytest.mark.parametrize(
    ("op", "after", "kwargs", "expected"),
    [
        ("reframe", CROPPED, {}, [("c2pa.cropped", None)]),
        ("fit", SMALLER, {}, [("c2pa.resized", None)]),
        (
            "fit",
            CROPPED,
            {"generated_share": 0.2},
            [("c2pa.cropped", None), ("c2pa.edited", "algorithmicMedia")],
        ),
        (
            "fit",
            SAME,
            {"engine": "diffusion", "model": "flux-fill", "generated_share": 0.3},
            [("c2pa.edited", "compositeWithTrainedAlgorithmicMedia")],
        ),
        ("fit", SAME, {"designed_share": 0.6}, [("c2pa.edited", "algorithmicMedia")]),
        ("upscale", LARGER, {}, [("c2pa.resized", None)]),
        (
            "upscale",
            LARGER,
            {"engine": "diffusion", "model": "sd-x4"},
            [("c2pa.resized", "compositeWithTrainedAlgorithmicMedia")],
        ),
        (
            "variant",
            SAME,
            {"engine": "diffusion", "model": "flux"},
            [("c2pa.edited", "trainedAlgorithmicMedia")],
        ),
        ("clean", SAME, {}, [("c2pa.edited", None)]),
        ("swap", SAME, {"generated_share": 0.1}, [("c2pa.edited", "algorithmicMedia")]),
        ("recolor", SAME, {}, [("c2pa.edited", None)]),
        ("harmonize", SAME, {}, [("c2pa.color_adjustments", None)]),
        ("export", SAME, {}, []),
        ("brand", SAME, {"params": {"text": ""}}, []),
        ("a-new-op", SAME, {}, [("c2pa.edited", None)]),
    ],
)
def test_actions_per_op(op: str, after: Geometry, kwargs: dict[str, object], expected: list[object]) -> None:
    assert actions(op, after, **kwargs) == expected


def _brand(
    params: dict[str, object], logo: Image.Image, record: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What brand's step records for Content Credentials, over the whole master, keyed ``k-``."""
    return step_credentials(
        "brand", params, before=MASTER, after=SAME, engine="classical", model=None, generated_share=0.0,
        logo=logo, key="k-", record=record,
    )


def test_brand_places_the_logo_and_the_copy_as_ingredients() -> None:
    logo = Image.new("RGBA", (30, 10), (0, 0, 255, 255))
    made = _brand({"text": "Shop now", "use_logo": True}, logo)
    [placed] = made["actions"]
    assert placed["action"] == "c2pa.placed" and placed["parameters"]["ingredientIds"] == ["k-logo", "k-copy"]
    logo_in, copy_in = made["ingredients"]
    assert logo_in["relationship"] == copy_in["relationship"] == "componentOf"
    assert (
        logo_in["instance_id"].startswith("urn:keyart:rgba-sha256:")
        and "“Shop now”" in copy_in["description"]
    )
    without_logo = _brand({"text": "Shop now", "use_logo": False}, logo)
    assert [i["label"] for i in without_logo["ingredients"]] == ["k-copy"]
    dropped = _brand({"text": "Shop now", "use_logo": True}, logo, record={"placed": ["copy"]})
    assert [i["label"] for i in dropped["ingredients"]] == ["k-copy"]  # brand found no room for the logo
    nothing = _brand({"text": "Shop now"}, logo, record={"placed": []})
    assert nothing["actions"] == []
