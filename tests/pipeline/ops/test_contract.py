"""Contract suite over every registered op (in the spirit of diffusers' PipelineTesterMixin):
deterministic for a seed, input untouched, declared size returned, provenance recorded."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from PIL import Image
from skimage import data

from pipeline.errors import EngineUnavailable
from pipeline.ops.base import Geometry, OpContext, OpInputs, OpResult
from pipeline.ops.registry import OpSpec, all_ops
from pipeline.specs import get_spec

SMALL = "iab-medium-rectangle"  # 300×250: small enough to keep the suite fast

# Example params per op, and the size each must return for the input it gets.
EXAMPLES: dict[str, dict[str, Any]] = {
    "reframe": {"spec": SMALL},
    "expand": {"spec": "iab-leaderboard"},
    "fit": {"spec": SMALL},
    "clean": {"mode": "auto"},
    "swap": {"region": "box", "box": {"left": 0, "top": 0, "right": 0.3, "bottom": 0.3}, "color": "#336699"},
    "recolor": {
        "region": "box",
        "box": {"left": 0.2, "top": 0.2, "right": 0.8, "bottom": 0.8},
        "hue_shift": 40,
    },
    "harmonize": {},
    "upscale": {"scale": 1.5, "tile": 256},
    "brand": {"spec": SMALL, "text": "Shop now"},
    "export": {"spec": SMALL},
}
DIFFUSION_ONLY = {"generate", "variant"}
AT_SPEC_SIZE = {"brand", "export"}  # these take an image already at the spec's size


def _master() -> Image.Image:
    return Image.fromarray(data.astronaut()).resize((256, 256), Image.Resampling.LANCZOS)


def _inputs(op_name: str) -> OpInputs:
    master = _master()
    image = (
        master.resize(get_spec(SMALL).size, Image.Resampling.LANCZOS) if op_name in AT_SPEC_SIZE else master
    )
    geometry = Geometry((0.0, 0.0, 256.0, 256.0), image.size, master.size)
    logo = Image.fromarray(data.logo()).convert("RGBA")
    return OpInputs(image=image, master=master, geometry=geometry, extras={"logo": logo})


def _expected_size(op_name: str, inputs: OpInputs) -> tuple[int, int]:
    params = EXAMPLES[op_name]
    if "spec" in params:
        return get_spec(params["spec"]).size
    if op_name == "upscale":
        return (round(inputs.image.width * 1.5), round(inputs.image.height * 1.5))
    return inputs.image.size


def _run(spec: OpSpec, seed: int = 7) -> tuple[OpInputs, OpResult, bytes]:
    inputs = _inputs(spec.name)
    before = inputs.image.tobytes() + inputs.master.tobytes()
    params = spec.parse_params(EXAMPLES[spec.name])
    spec_obj = get_spec(EXAMPLES[spec.name]["spec"]) if "spec" in EXAMPLES[spec.name] else None
    result = spec.fn(inputs, params, OpContext(seed=seed, spec=spec_obj))
    return inputs, result, before


def _classical_ops() -> list[OpSpec]:
    return [s for s in all_ops() if s.name not in DIFFUSION_ONLY]


def test_every_op_has_an_example() -> None:
    assert {s.name for s in _classical_ops()} == set(EXAMPLES)


@pytest.mark.parametrize("spec", _classical_ops(), ids=lambda s: s.name)
def test_op_contract(spec: OpSpec) -> None:
    inputs, first, before = _run(spec)
    assert inputs.image.tobytes() + inputs.master.tobytes() == before, "op modified its input"
    assert first.image.size == _expected_size(spec.name, inputs)
    assert isinstance(first.geometry, Geometry) and first.geometry.output_size == first.image.size
    assert first.geometry.master_size == inputs.master.size
    assert first.engine == "classical"
    assert first.seed == 7
    assert isinstance(first.record, dict) and first.record, "op records nothing about what it did"
    _, second, _ = _run(spec)
    assert np.array_equal(np.asarray(first.image), np.asarray(second.image)), "not deterministic for a seed"
    if first.encoded is not None:
        assert first.encoded == second.encoded


@pytest.mark.parametrize("name", sorted(DIFFUSION_ONLY))
def test_diffusion_only_ops_refuse_the_classical_engine(name: str) -> None:
    spec = next(s for s in all_ops() if s.name == name)
    with pytest.raises(EngineUnavailable, match="needs the diffusion engine; upload a master instead"):
        spec.check_engine("classical")


def test_every_params_field_is_documented() -> None:
    for spec in all_ops():
        assert spec.description()
        for field_name, info in spec.params_type.model_fields.items():
            assert info.description, f"{spec.name}.{field_name}"
