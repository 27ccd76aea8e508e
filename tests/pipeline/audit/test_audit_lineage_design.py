"""The designed mask, `fit`'s layout record and brand's copy record travel through the executor's
lineage to the `design` check of the delivered file (``audit_delivery``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from skimage import data

from pipeline.audit_service import audit_delivery
from pipeline.brandkit import load_brand_kit
from pipeline.ops import registry
from pipeline.ops.base import OpResult
from pipeline.plan import Plan, Step
from pipeline.runtime import Runtime
from pipeline.service import deliver_files, ingest_master, run_plan
from storage.settings import Settings

KIT = Path(__file__).resolve().parents[3] / "examples" / "brand" / "brand.json"
ACCENT = "#FF5A1F"  # the kit's accent: the colour of a billboard's layout panel
SPEC = "iab-billboard"


@pytest.fixture
def runtime(settings: Settings) -> Runtime:
    runtime = Runtime(settings)
    runtime.migrate()
    return runtime


@pytest.fixture
def repainted_panel() -> Iterator[None]:
    """`fit` as if its panel drawing went wrong: the panel painted another orange, the record unchanged."""
    spec = registry.get_op("fit")

    def fit(inputs: Any, params: Any, ctx: Any) -> OpResult:
        result = spec.fn(inputs, params, ctx)
        assert result.layout is not None
        image = result.image.convert("RGB").copy()
        image.paste("#E8501A", tuple(result.layout["panel_box"]))
        return dataclasses.replace(result, image=image)

    registry._OPS["fit"] = dataclasses.replace(spec, fn=fit)
    yield
    registry._OPS["fit"] = spec


def deliver_and_audit(runtime: Runtime, tmp_path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    path = tmp_path / "hero.png"
    Image.fromarray(data.astronaut()).save(path)
    master = ingest_master(runtime, path, campaign_name="layouts", user="test")
    steps = [
        Step(id="b.fit", op="fit", params={"spec": SPEC}, variant=SPEC),
        Step(
            id="b.brand",
            op="brand",
            params={"spec": SPEC, "text": "Shop the sale"},
            input="b.fit",
            variant=SPEC,
        ),
        Step(id="b.export", op="export", params={"spec": SPEC}, input="b.brand", variant=SPEC),
    ]
    plan = Plan(steps=steps).validate_plan(engine="classical", max_variants=5)
    delivery = run_plan(runtime, plan, master, engine="classical", brand=load_brand_kit(KIT))
    [outcome] = delivery.outcomes
    assert outcome.asset is not None, outcome.error
    deliver_files(runtime, delivery, tmp_path / "variants")
    [asset] = audit_delivery(runtime, master, delivery)["assets"]
    return outcome.asset.geometry, asset


def test_a_layout_with_copy_is_judged_by_design_from_lineage(runtime: Runtime, tmp_path: Path) -> None:
    geometry, asset = deliver_and_audit(runtime, tmp_path)
    assert geometry["layout"]["fill"] == {"kind": "brand", "colours": [ACCENT]}
    assert asset["designed_fraction"] == pytest.approx(geometry["designed_fraction"], abs=0.01)
    assert asset["generated_fraction"] == 0.0  # the panel is designed, never taken for generated
    design = asset["checks"]["design"]
    assert design["passed"] is True, design["reason"]
    assert design["brand_colour"]["target"] == ACCENT and design["brand_delta_e"] < 1.0
    [copy] = design["copy"]
    assert copy["contrast"] >= 4.5 and copy["rendering"]["font"] and copy["rendering"]["missing"] == []


def test_a_panel_drawn_off_brand_fails_design(
    runtime: Runtime, tmp_path: Path, repainted_panel: None
) -> None:
    _, asset = deliver_and_audit(runtime, tmp_path)
    design = asset["checks"]["design"]
    assert design["passed"] is False and asset["passed"] is False
    assert f"from the brand colour {ACCENT} (tolerance 1)" in design["reason"]
    assert {name for name, c in asset["checks"].items() if c["passed"] is False} == {"design"}
