"""Without the diffusion extra: nothing heavy is imported, and ops say how to install it."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest
from PIL import Image

from pipeline.engines.diffusion import INSTALL_HINT, require_backend
from pipeline.engines.diffusion.models import parse_ip_adapter, resolve_dtype
from pipeline.engines.diffusion.warm import from_context
from pipeline.errors import BadRequest, EngineUnavailable
from pipeline.ops.base import Geometry, OpContext, OpInputs
from pipeline.ops.registry import get_op
from storage.settings import Settings


def test_importing_ops_and_the_engine_loads_no_torch() -> None:
    code = (
        "import sys, pipeline.ops, pipeline.engines.diffusion.ops; "
        "print(sorted(m for m in ('torch', 'diffusers', 'transformers', 'spandrel') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.fixture
def no_diffusers(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "diffusers" else real(name, *a)
    )


@pytest.mark.usefixtures("no_diffusers")
def test_missing_extra_names_the_install_command() -> None:
    with pytest.raises(EngineUnavailable) as err:
        require_backend()
    assert INSTALL_HINT in str(err.value) and "diffusers" in str(err.value)
    assert "pip install 'keyart[diffusion]'" in INSTALL_HINT


@pytest.mark.usefixtures("no_diffusers")
def test_an_op_on_the_diffusion_engine_without_the_extra_is_engine_unavailable() -> None:
    image = Image.new("RGB", (64, 64), (120, 90, 60))
    spec = get_op("clean")
    params = spec.parse_params({"mode": "box", "box": {"left": 0.2, "top": 0.2, "right": 0.5, "bottom": 0.5}})
    ctx = OpContext(engine="diffusion", settings=Settings(_env_file=None))
    with pytest.raises(EngineUnavailable, match="keyart\\[diffusion\\]"):
        spec.fn(OpInputs(image, image, Geometry.identity(image.size)), params, ctx)


def test_no_settings_and_no_warm_set_is_engine_unavailable() -> None:
    with pytest.raises(EngineUnavailable, match="settings"):
        from_context(OpContext(engine="diffusion"))


@pytest.mark.parametrize(
    ("device", "family", "dtype"),
    [
        ("cuda", "flux", "bfloat16"),
        ("cuda:1", "sdxl", "float16"),
        ("cuda", "sd15", "float16"),
        ("mps", "flux", "float16"),
        ("cpu", "flux", "float32"),
        ("cpu", "sdxl", "float32"),
    ],
)
def test_dtype_follows_device_and_family(device: str, family: str, dtype: str) -> None:
    assert resolve_dtype("auto", device, family) == dtype
    assert resolve_dtype("float32", device, family) == "float32"  # an explicit choice wins


def test_ip_adapter_setting_is_parsed_or_refused() -> None:
    ip = parse_ip_adapter("h94/IP-Adapter:sdxl_models/ip-adapter_sdxl.bin", 0.6)
    assert ip is not None
    assert (ip.repo, ip.subfolder, ip.weight_name, ip.scale) == (
        "h94/IP-Adapter",
        "sdxl_models",
        "ip-adapter_sdxl.bin",
        0.6,
    )
    assert parse_ip_adapter("", 0.5) is None
    with pytest.raises(BadRequest, match="KEYART_IP_ADAPTER"):
        parse_ip_adapter("h94/IP-Adapter", 0.5)
