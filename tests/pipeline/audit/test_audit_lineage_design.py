"""The designed mask and the layout record travel from an op through the executor's lineage to the
audit of the delivered file (``audit_delivery``), as the layouts of `fit` will make them."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from skimage import data

from pipeline.audit_service import audit_delivery
from pipeline.ops import registry
from pipeline.ops.base import OpResult
from pipeline.plan import Plan, Step
from pipeline.runtime import Runtime
from pipeline.service import deliver_files, ingest_master, run_plan
from storage.settings import Settings

BRAND = "#1F4E8C"


@pytest.fixture
def runtime(settings: Settings) -> Runtime:
    runtime = Runtime(settings)
    runtime.migrate()
    return runtime


def layout_fit(painted: str) -> Any:
    """`fit` as a layout: the photo on the left, a panel painted ``painted`` (recorded as BRAND) right."""
    spec = registry.get_op("fit")

    def fit(inputs: Any, params: Any, ctx: Any) -> OpResult:
        result = spec.fn(inputs, params, ctx)
        width, height = result.image.size
        panel = round(0.4 * width)
        image = result.image.convert("RGB").copy()
        image.paste(painted, (width - panel, 0, width, height))
        designed = np.zeros((height, width), np.float32)
        designed[:, width - panel :] = 1
        layout = {
            "panel_box": [width - panel, 0, width, height],
            "photo_box": [0, 0, width - panel, height],
            "side": "right",
            "fill": {"kind": "brand", "colours": [BRAND]},
        }
        return dataclasses.replace(result, image=image, designed_mask=designed, layout=layout)

    return dataclasses.replace(spec, fn=fit)


@pytest.fixture
def painted(request: pytest.FixtureRequest) -> Iterator[str]:
    original = registry.get_op("fit")
    registry._OPS["fit"] = layout_fit(request.param)
    yield request.param
    registry._OPS["fit"] = original


@pytest.mark.parametrize("painted", [BRAND, "#2A5A9A"], indirect=True)
def test_a_layout_panel_is_audited_by_design_from_lineage(
    runtime: Runtime, painted: str, tmp_path: Path
) -> None:
    path = tmp_path / "hero.png"
    Image.fromarray(data.astronaut()).save(path)
    master = ingest_master(runtime, path, campaign_name="layouts", user="test")
    plan = Plan(
        steps=[
            Step(id="b.fit", op="fit", params={"spec": "iab-billboard"}, variant="iab-billboard"),
            Step(
                id="b.export",
                op="export",
                params={"spec": "iab-billboard"},
                input="b.fit",
                variant="iab-billboard",
            ),
        ]
    ).validate_plan(engine="classical", max_variants=5)
    delivery = run_plan(runtime, plan, master, engine="classical")
    [outcome] = delivery.outcomes
    assert outcome.asset is not None and outcome.asset.geometry["layout"]["fill"]["kind"] == "brand"
    assert outcome.asset.geometry["designed_fraction"] == pytest.approx(0.4, abs=0.01)
    deliver_files(runtime, delivery, tmp_path / "variants")

    [asset] = audit_delivery(runtime, master, delivery)["assets"]
    assert asset["designed_fraction"] == pytest.approx(0.4, abs=0.01)
    design = asset["checks"]["design"]
    assert design["brand_colour"]["target"] == BRAND
    if painted == BRAND:
        assert design["passed"] is True and design["brand_delta_e"] < 1.0
    else:
        assert design["passed"] is False
        assert f"from the brand colour {BRAND} (tolerance 1)" in design["reason"]
    # The panel's pixels count as designed, not as generated (nor as photo).
    assert asset["generated_fraction"] < outcome.asset.geometry["generated_fraction"] - 0.15
