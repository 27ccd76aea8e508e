"""One warm model set per worker process: load once, reuse for every job.

The text-to-image pipeline is loaded with ``from_pretrained``; img2img (and inpaint when
``KEYART_MODEL_FILL=base``) are derived from it with ``from_pipe``, which shares the very same
modules, so they cost no memory. A dedicated fill/inpaint model (FLUX.1-Fill, SDXL inpainting)
has its own transformer/UNet and VAE (FLUX Fill's transformer takes 20 input channels where the
base takes 4: they cannot be shared) but borrows the already-loaded text encoders when the
classes match, which saves the 9 GB T5 encoder for FLUX. ``loads`` counts every real load so
tests and the worker can check that 50 jobs cost one load.

``KEYART_VAE_TILING`` enables tiling on every loaded pipeline's VAE. ``KEYART_CPU_OFFLOAD`` uses
diffusers' model offload, which moves each model to an *accelerator* while it runs; on the CPU
there is nowhere to offload to (the models already live in RAM), so it is ignored, logged once per
set and kept in ``notes``, rather than refused: one configuration then serves GPU and CPU workers.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from pipeline.engines.diffusion import require_backend
from pipeline.engines.diffusion.models import FLUX_IP_IMAGE_ENCODER, ModelConfig, model_config
from pipeline.engines.diffusion.runner import accepts, arch
from pipeline.errors import BadRequest, EngineUnavailable
from pipeline.ops.base import OpContext

SHAREABLE = ("text_encoder", "text_encoder_2", "tokenizer", "tokenizer_2")
OFFLOAD_IGNORED = (
    "KEYART_CPU_OFFLOAD is ignored: the diffusion device is the CPU, where the models already are "
    "(offload moves each model to a GPU only while it runs)"
)
log = logging.getLogger(__name__)


class WarmSet:
    """The loaded pipelines of one model configuration (thread-safe, lazy)."""

    def __init__(self, config: ModelConfig) -> None:
        self.config = config
        self.loads: Counter[str] = Counter()
        self._pipes: dict[str, Any] = {}
        self._ip_loaded: set[int] = set()
        self._lock = threading.RLock()
        # What this set does differently from its configuration, said once (callers may show it).
        self.notes: list[str] = []
        if config.cpu_offload and config.device == "cpu":
            self.notes.append(OFFLOAD_IGNORED)
            log.info(OFFLOAD_IGNORED)  # INFO: callers show `notes`; a warning would print it twice

    # -- what ops ask for ---------------------------------------------------------------------
    def text2img(self) -> Any:
        return self._get("generate", self._load_generate)

    def img2img(self) -> Any:
        def derive() -> Any:
            from diffusers import AutoPipelineForImage2Image

            return self._finish(AutoPipelineForImage2Image.from_pipe(self.text2img()))

        return self._get("img2img", derive)

    def inpaint(self) -> Any:
        """The outpaint/inpaint pipeline: the dedicated fill model, or one derived from the base."""
        return self._get("fill", self._load_fill)

    def upscaler(self) -> Any:
        """A spandrel ``ImageModelDescriptor`` or an SD x4 upscale pipeline."""
        return self._get("upscaler", self._load_upscaler)

    def ip_adapter_kwargs(self, pipe: Any, image: Any) -> dict[str, Any]:
        """``ip_adapter_image=<master>`` when an IP-Adapter is configured and loaded on ``pipe``."""
        core = getattr(pipe, "unet", None) or getattr(pipe, "transformer", None)
        if self.config.ip_adapter is None or id(core) not in self._ip_loaded:
            return {}
        return {"ip_adapter_image": image}

    def release(self) -> None:
        """Drop every pipeline (on a configuration change) and return GPU memory."""
        with self._lock:
            self._pipes.clear()
            self._ip_loaded.clear()
        gc.collect()
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()

    # -- loading ------------------------------------------------------------------------------
    def _get(self, key: str, load: Callable[[], Any]) -> Any:
        with self._lock:
            if key not in self._pipes:
                self._pipes[key] = load()
            return self._pipes[key]

    def _load_kwargs(self) -> dict[str, Any]:
        import torch
        from diffusers.pipelines import pipeline_utils

        # diffusers ≥ 0.40 renamed torch_dtype to dtype (the old name warns); older ones know only that.
        name = "dtype" if hasattr(pipeline_utils, "_resolve_dtype") else "torch_dtype"
        return {name: getattr(torch, self.config.dtype)}

    def _shared(self, repo: str) -> dict[str, Any]:
        """Already-loaded text encoders/tokenizers whose classes ``repo``'s model_index asks for."""
        from diffusers import DiffusionPipeline

        loaded = [p for p in self._pipes.values() if hasattr(p, "components")]
        if not loaded:
            return {}
        index = DiffusionPipeline.load_config(repo)
        shared = {}
        for name in SHAREABLE:
            have = loaded[0].components.get(name)
            want = index.get(name)
            if have is not None and isinstance(want, list | tuple) and want[-1] == type(have).__name__:
                shared[name] = have
        return shared

    def _load_generate(self) -> Any:
        from diffusers import AutoPipelineForText2Image

        pipe = AutoPipelineForText2Image.from_pretrained(
            self.config.generate, **self._load_kwargs(), **self._shared(self.config.generate)
        )
        self.loads["generate"] += 1
        return self._finish(pipe, placed=False)

    def _load_fill(self) -> Any:
        from diffusers import AutoPipelineForInpainting, DiffusionPipeline

        if self.config.fill == "base":
            return self._finish(AutoPipelineForInpainting.from_pipe(self.text2img()))
        index = DiffusionPipeline.load_config(self.config.fill)
        # FluxFillPipeline is not in AutoPipelineForInpainting's mapping: load it by its own class.
        loader = (
            DiffusionPipeline if index.get("_class_name") == "FluxFillPipeline" else AutoPipelineForInpainting
        )
        pipe = loader.from_pretrained(
            self.config.fill, **self._load_kwargs(), **self._shared(self.config.fill)
        )
        self.loads["fill"] += 1
        return self._finish(pipe, placed=False)

    def _load_upscaler(self) -> Any:
        import torch

        if self.config.upscaler_is_spandrel:
            require_backend("spandrel")
            from spandrel import ImageModelDescriptor, ModelLoader

            model = ModelLoader(device=torch.device(self.config.device)).load_from_file(self.config.upscaler)
            if not isinstance(model, ImageModelDescriptor):
                raise BadRequest(
                    f"KEYART_MODEL_UPSCALER={self.config.upscaler!r} is not an image-to-image model"
                )
            dtype = self.config.dtype
            if (dtype == "float16" and not model.supports_half) or (
                dtype == "bfloat16" and not model.supports_bfloat16
            ):
                dtype = "float32"
            model.to(getattr(torch, dtype)).eval()
            self.loads["upscaler"] += 1
            return model
        from diffusers import StableDiffusionUpscalePipeline

        pipe = StableDiffusionUpscalePipeline.from_pretrained(self.config.upscaler, **self._load_kwargs())
        self.loads["upscaler"] += 1
        return self._finish(pipe, placed=False)

    def _finish(self, pipe: Any, placed: bool = True) -> Any:
        """Progress bars off, VAE tiling, device placement (offload is re-applied per pipeline)."""
        pipe.set_progress_bar_config(disable=True)
        if self.config.vae_tiling and getattr(pipe, "vae", None) is not None:
            pipe.vae.enable_tiling()
        if self.config.cpu_offload and self.config.device != "cpu":
            require_backend("accelerate")  # diffusers' offload hooks are accelerate's
            pipe.enable_model_cpu_offload(device=self.config.device)
        elif not placed:
            pipe.to(self.config.device)
        self._add_ip_adapter(pipe)
        return pipe

    def _add_ip_adapter(self, pipe: Any) -> None:
        ip = self.config.ip_adapter
        core = getattr(pipe, "unet", None) or getattr(pipe, "transformer", None)
        if ip is None or id(core) in self._ip_loaded:
            return
        if not (hasattr(pipe, "load_ip_adapter") and accepts(pipe, "ip_adapter_image")):
            return  # e.g. FluxFillPipeline: no image prompt; ops note that the aid was not used
        # subfolder "" (not None) for weights at the folder's top: SD/SDXL's loader looks for the image
        # encoder at Path(subfolder, "image_encoder"), which fails on None.
        kwargs: dict[str, Any] = {"subfolder": ip.subfolder, "weight_name": ip.weight_name}
        if arch(pipe) == "flux":
            kwargs["image_encoder_pretrained_model_name_or_path"] = FLUX_IP_IMAGE_ENCODER
        # A dedicated fill model has its own UNet (so its own adapter layers) but takes the same image
        # prompt: lend it the encoder already loaded, which the loader then skips (ViT-H: 2.5 GB fp32).
        loaded = (getattr(other, "image_encoder", None) for other in self._pipes.values())
        donor = next((encoder for encoder in loaded if encoder is not None), None)
        if donor is not None and hasattr(pipe, "image_encoder") and pipe.image_encoder is None:
            pipe.register_modules(image_encoder=donor)
        pipe.load_ip_adapter(ip.repo, **kwargs)
        pipe.set_ip_adapter_scale(ip.scale)
        self._ip_loaded.add(id(core))
        self.loads["ip_adapter"] += 1


_CURRENT: WarmSet | None = None
_CURRENT_LOCK = threading.Lock()


def warm_set_for(settings: Any) -> WarmSet:
    """The process's warm set for ``settings`` (a new configuration replaces the old set)."""
    global _CURRENT
    require_backend()
    config = model_config(settings)
    with _CURRENT_LOCK:
        if _CURRENT is None or _CURRENT.config != config:
            if _CURRENT is not None:
                _CURRENT.release()
            _CURRENT = WarmSet(config)
        return _CURRENT


def from_context(ctx: OpContext) -> WarmSet:
    """``ctx.diffusion`` if the caller holds a warm set, else the process's set for ``ctx.settings``."""
    if ctx.diffusion is not None:
        return ctx.diffusion
    if ctx.settings is None:
        raise EngineUnavailable("the diffusion engine has no model settings (OpContext.settings is empty)")
    return warm_set_for(ctx.settings)
