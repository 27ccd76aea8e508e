"""Tiny random-weight diffusion models, built once per session and loaded through ``from_pretrained``.

``tiny_env[family]`` is the ``KEYART_*`` environment a CLI test can export; ``warm[family]`` is a
warm set over those folders that op tests share (so a session loads each model once).
"""

from __future__ import annotations

import importlib.util
import os
from typing import Any, TypeVar

import numpy as np
import pytest
from PIL import Image
from skimage import data

from pipeline.ops.base import Geometry, OpContext, OpInputs, OpParams
from storage.settings import Settings

os.environ["HF_HUB_OFFLINE"] = "1"
HAVE_BACKEND = all(importlib.util.find_spec(m) for m in ("torch", "diffusers", "transformers"))
# spandrel is the separate `upscalers` extra (it needs a torchvision matching torch, which PyPI
# lacks for the CPU torch wheel): without it the SD x4 upscaler stands in for the flux family.
HAVE_SPANDREL = importlib.util.find_spec("spandrel") is not None
needs_spandrel = pytest.mark.skipif(
    not HAVE_SPANDREL, reason="spandrel (the `upscalers` extra) is not installed"
)
if not HAVE_BACKEND:  # without the diffusion extra only the backend-free tests run
    collect_ignore_glob = ["test_ops_*.py", "test_warm.py", "test_upscaling.py", "test_device.py"]

FAMILIES = ("flux", "sd15", "sdxl")
ParamsT = TypeVar("ParamsT", bound=OpParams)
# Op tests work on a 64×64-pixel canvas at most: fast on two cores, still several latent tiles.
OP_MAX_PIXELS = 64 * 64


def settings_from_env(env: dict[str, str], **overrides: Any) -> Settings:
    """A Settings object from a ``KEYART_*`` mapping (what the CLI would read from the environment)."""
    fields = {k.removeprefix("KEYART_").lower(): v for k, v in env.items() if k.startswith("KEYART_")}
    return Settings(_env_file=None, **{**fields, **overrides})


@pytest.fixture(scope="session", autouse=True)
def _one_torch_thread() -> None:
    # Tiny models gain nothing from threads, and OpenMP threads spinning on a shared 2-core box
    # made calls ~10x slower under load.
    if HAVE_BACKEND:
        import torch

        torch.set_num_threads(1)


@pytest.fixture(scope="session")
def tiny_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    from pipeline.engines.diffusion.tiny import write_tiny_models

    root = tmp_path_factory.mktemp("tiny-models")
    return {
        "flux": write_tiny_models(root / "flux", "flux", upscaler="spandrel" if HAVE_SPANDREL else "sd-x4"),
        "sd15": write_tiny_models(root / "sd15", "sd15", upscaler="sd-x4"),
        "sdxl": write_tiny_models(root / "sdxl", "sdxl", upscaler="spandrel" if HAVE_SPANDREL else "sd-x4"),
    }


@pytest.fixture(scope="session")
def warm(tiny_env: dict[str, dict[str, str]]) -> dict[str, Any]:
    from pipeline.engines.diffusion.models import model_config
    from pipeline.engines.diffusion.warm import WarmSet

    return {
        f: WarmSet(model_config(settings_from_env(tiny_env[f], diffusion_max_pixels=OP_MAX_PIXELS)))
        for f in FAMILIES
    }


@pytest.fixture(params=FAMILIES)
def family(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def ctx_for(warm: dict[str, Any]) -> Any:
    """``ctx_for(family, seed)``: an OpContext on that family's shared warm set."""

    def make(family: str, seed: int = 11, **kw: Any) -> OpContext:
        return OpContext(engine="diffusion", seed=seed, diffusion=warm[family], **kw)

    return make


@pytest.fixture(scope="session")
def master() -> Image.Image:
    """A 96×96 astronaut: a face (subject detection has something to find) and real colour."""
    return Image.fromarray(data.astronaut()).resize((96, 96), Image.Resampling.LANCZOS)


def P(cls: type[ParamsT], **fields: Any) -> ParamsT:
    """``cls`` validated from keyword fields (nested boxes as dicts), as the planner's JSON would be."""
    return cls.model_validate(fields)


def inputs_for(image: Image.Image, **extras: Image.Image) -> OpInputs:
    return OpInputs(image, image, Geometry.identity(image.size), extras=dict(extras))


def pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image).copy()
