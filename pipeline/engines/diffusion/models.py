"""The model registry: which model each op family uses, on which device, in which dtype.

Everything here is plain configuration read from :class:`storage.settings.Settings`; nothing is
loaded (see ``warm.py``). Defaults per family (hub ids; a local folder works the same way):

============  ====================================  ===============================================
family        generate / variant (img2img)          expand / clean / swap (fill or inpaint)
============  ====================================  ===============================================
``flux``      black-forest-labs/FLUX.1-schnell      black-forest-labs/FLUX.1-Fill-dev
``sdxl``      stabilityai/stable-diffusion-xl-      diffusers/stable-diffusion-xl-1.0-inpainting-0.1
              base-1.0
``sd15``      stable-diffusion-v1-5/                stable-diffusion-v1-5/stable-diffusion-inpainting
              stable-diffusion-v1-5
============  ====================================  ===============================================

Set ``KEYART_MODEL_GENERATE=black-forest-labs/FLUX.1-dev`` for FLUX dev (28 steps by default; schnell
gets 4). FLUX.1-schnell is Apache-2.0; FLUX.1-dev and FLUX.1-Fill-dev carry a non-commercial licence, so
an agency needs a BFL licence (or ``KEYART_MODEL_FILL=base``) before shipping their output.
Upscale: a spandrel file (Real-ESRGAN, SwinIR, HAT, …) when ``KEYART_MODEL_UPSCALER`` names a
``.pth``/``.safetensors`` file, otherwise the SD x4 upscaler pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pipeline.errors import BadRequest

if TYPE_CHECKING:
    from storage.settings import Settings

Family = Literal["flux", "sdxl", "sd15"]

DEFAULTS: dict[str, dict[str, str]] = {
    "flux": {
        "generate": "black-forest-labs/FLUX.1-schnell",
        "fill": "black-forest-labs/FLUX.1-Fill-dev",
    },
    "sdxl": {
        "generate": "stabilityai/stable-diffusion-xl-base-1.0",
        "fill": "diffusers/stable-diffusion-xl-1.0-inpainting-0.1",
    },
    "sd15": {
        "generate": "stable-diffusion-v1-5/stable-diffusion-v1-5",
        "fill": "stable-diffusion-v1-5/stable-diffusion-inpainting",
    },
}
SD_X4_UPSCALER = "stabilityai/stable-diffusion-x4-upscaler"
SPANDREL_SUFFIXES = (".pth", ".pt", ".safetensors", ".ckpt")
# XLabs' Flux IP-Adapter ships no image encoder of its own; its model card uses this one.
FLUX_IP_IMAGE_ENCODER = "openai/clip-vit-large-patch14"

# Largest working canvas per family (pixels): about 1.5x the training resolution, where these
# models still compose coherently; bigger outputs are generated at this size and resized.
MAX_PIXELS: dict[str, int] = {"flux": 1536 * 1536, "sdxl": 1280 * 1280, "sd15": 768 * 768}
# Denoising steps when the setting is 0 (schnell is distilled for 4).
DEFAULT_STEPS: dict[str, int] = {"flux": 28, "flux-schnell": 4, "sdxl": 30, "sd15": 30}


@dataclass(frozen=True)
class IpAdapter:
    """Where an IP-Adapter's weights live, parsed from ``repo_or_folder:path/to/weights``."""

    repo: str
    subfolder: str
    weight_name: str
    scale: float


@dataclass(frozen=True)
class ModelConfig:
    """What the warm set loads; hashable so one process keeps one set per configuration."""

    family: Family
    generate: str
    fill: str  # "base" = inpaint pipeline derived from the generate model with from_pipe
    upscaler: str
    device: str
    dtype: str  # "float32" | "float16" | "bfloat16"
    cpu_offload: bool
    vae_tiling: bool
    steps: int  # 0 = family default
    max_pixels: int
    ip_adapter: IpAdapter | None

    @property
    def upscaler_is_spandrel(self) -> bool:
        return self.upscaler.lower().endswith(SPANDREL_SUFFIXES)

    def default_steps(self, model_id: str) -> int:
        if self.steps:
            return self.steps
        if self.family == "flux" and "schnell" in model_id.lower():
            return DEFAULT_STEPS["flux-schnell"]
        return DEFAULT_STEPS[self.family]

    def describe(self) -> dict[str, Any]:
        """What a result records about the models in use."""
        return {
            "family": self.family,
            "generate": self.generate,
            "fill": self.fill,
            "device": self.device,
            "dtype": self.dtype,
        }


def parse_ip_adapter(value: str, scale: float) -> IpAdapter | None:
    """``h94/IP-Adapter:sdxl_models/ip-adapter_sdxl.bin`` → repo, subfolder, weight file."""
    if not value:
        return None
    repo, sep, weights = value.partition(":")
    if not sep or not repo or not weights:
        raise BadRequest(f"KEYART_IP_ADAPTER={value!r} must look like 'repo_or_folder:path/to/weights'")
    subfolder, _, weight_name = weights.rpartition("/")
    return IpAdapter(repo, subfolder, weight_name, scale)


def resolve_device(requested: str) -> str:
    """``auto`` → cuda, else mps, else cpu; an explicit device is checked to exist."""
    import torch

    if requested == "auto":
        if torch.cuda.is_available():
            return "cuda"
        if torch.backends.mps.is_available():
            return "mps"
        return "cpu"
    kind = requested.split(":")[0]
    available = {"cpu": True, "cuda": torch.cuda.is_available(), "mps": torch.backends.mps.is_available()}
    if kind not in available:
        raise BadRequest(f"KEYART_DEVICE={requested!r}: use auto, cpu, cuda, cuda:N or mps")
    if not available[kind]:
        from pipeline.errors import EngineUnavailable

        raise EngineUnavailable(f"KEYART_DEVICE={requested!r} but no {kind} device is available here")
    return requested


def resolve_dtype(requested: str, device: str, family: str) -> str:
    """bf16 on CUDA (fp16 for SD/SDXL, whose weights ship in fp16), fp16 on MPS, fp32 on CPU."""
    if requested != "auto":
        return requested
    if device.startswith("cuda"):
        return "bfloat16" if family == "flux" else "float16"
    if device.startswith("mps"):
        return "float16"
    return "float32"


def model_config(settings: Settings) -> ModelConfig:
    """Resolve the settings into concrete model ids, device and dtype (imports torch)."""
    family: Family = settings.model_family
    device = resolve_device(settings.device)
    fill = settings.model_fill or DEFAULTS[family]["fill"]
    upscaler = settings.model_upscaler or SD_X4_UPSCALER
    if upscaler.lower().endswith(SPANDREL_SUFFIXES) and not Path(upscaler).is_file():
        raise BadRequest(f"KEYART_MODEL_UPSCALER={upscaler!r}: no such spandrel model file")
    return ModelConfig(
        family=family,
        generate=settings.model_generate or DEFAULTS[family]["generate"],
        fill=fill,
        upscaler=upscaler,
        device=device,
        dtype=resolve_dtype(settings.dtype, device, family),
        cpu_offload=settings.cpu_offload,
        vae_tiling=settings.vae_tiling,
        steps=settings.diffusion_steps,
        max_pixels=settings.diffusion_max_pixels or MAX_PIXELS[family],
        ip_adapter=parse_ip_adapter(settings.ip_adapter, settings.ip_adapter_scale),
    )
